import Testing

@testable import AugStoreTransforms

/// The opt-in `jpeg_dct_scaling` pipeline field.
@Suite struct JPEGScalingSpecTests {
  static let resizeFirst =
    #"{"transforms": [{"type": "Resizing", "height": 224, "width": 224}, {"type": "RandomFlip"}]"#

  @Test func itIsOffByDefaultAndLeavesFingerprintsAsTheyWere() throws {
    let plain = try PipelineSpec(json: Self.resizeFirst + "}")
    let off = try PipelineSpec(json: Self.resizeFirst + #", "jpeg_dct_scaling": false}"#)
    #expect(!plain.jpegDCTScaling && plain.jpegDecodeTarget == nil)
    #expect(off.fingerprint == plain.fingerprint)
    #expect(!plain.canonicalJSON.contains("jpeg_dct_scaling"))
  }

  @Test func onItTargetsTheFirstResizingAndChangesTheFingerprint() throws {
    let plain = try PipelineSpec(json: Self.resizeFirst + "}")
    let on = try PipelineSpec(json: Self.resizeFirst + #", "jpeg_dct_scaling": true}"#)
    #expect(on.jpegDCTScaling)
    #expect(on.jpegDecodeTarget == ImageSize(height: 224, width: 224))
    #expect(on.fingerprint != plain.fingerprint)
    #expect(on.canonicalJSON.contains(#""jpeg_dct_scaling":true"#))
    #expect(try PipelineSpec(json: on.canonicalJSON) == on)
  }

  @Test func itNeedsResizingFirstAndABoolean() {
    #expect {
      try PipelineSpec(json: #"{"transforms": [{"type": "RandomFlip"}], "jpeg_dct_scaling": true}"#)
    } throws: { error in
      (error as? PipelineSpecError)?.message
        == "jpeg_dct_scaling: needs Resizing as the first transform (JPEGs are decoded straight towards its size)"
    }
    #expect {
      try PipelineSpec(json: Self.resizeFirst + #", "jpeg_dct_scaling": "yes"}"#)
    } throws: { error in
      (error as? PipelineSpecError)?.message == "jpeg_dct_scaling: must be true or false, got string"
    }
  }
}
