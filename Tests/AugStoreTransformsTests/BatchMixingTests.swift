import AugStoreImaging
import Testing

@testable import AugStoreTransforms

@Suite("MixUp and CutMix")
struct BatchMixingTests {
  static let mixUp = #"{"transforms": [{"type": "RandomFlip"}, {"type": "MixUp", "alpha": 0.4}]}"#
  static let cutMix =
    #"{"transforms": [{"type": "RandomFlip"}, {"type": "CutMix"}, {"type": "Rescaling", "scale": 0.5}]}"#

  @Test("parse with Keras' defaults; MixUp makes the output float32")
  func parsing() throws {
    let defaults = try PipelineSpec(json: #"{"transforms": [{"type": "MixUp"}]}"#)
    #expect(defaults.transforms == [.mixUp(alpha: 0.2)])
    #expect(defaults.output.dtype == .float32)
    #expect(defaults.batchLevelIndex == 0)
    let cut = try PipelineSpec(json: Self.cutMix)
    #expect(cut.transforms[1] == .cutMix(factor: FactorRange(lower: 0, upper: 1)))
    #expect(cut.batchLevelIndex == 1)
    #expect(try PipelineSpec(json: cut.canonicalJSON) == cut)
    #expect(try PipelineSpec(json: #"{"transforms": [{"type": "RandomFlip"}]}"#).batchLevelIndex == nil)
  }

  @Test(
    "refuses a layer after the batch-level one, a second one, and bad arguments",
    arguments: [
      (
        #"{"transforms": [{"type": "MixUp"}, {"type": "RandomFlip"}]}"#,
        "transforms[1] (RandomFlip): must come before transforms[0] (MixUp); a batch-level layer mixes the finished images"
      ),
      (
        #"{"transforms": [{"type": "CutMix"}, {"type": "MixUp"}]}"#,
        "transforms[1] (MixUp): must come before transforms[0] (CutMix); a batch-level layer mixes the finished images, and a pipeline has at most one"
      ),
      (
        #"{"transforms": [{"type": "MixUp", "alpha": 0}]}"#, "transforms[0] (MixUp): alpha 0 must be positive"
      ),
      (
        #"{"transforms": [{"type": "CutMix", "factor": 1.5}]}"#,
        "transforms[0] (CutMix): factor 1.5 is out of range [0, 1]"
      ),
      (
        #"{"transforms": [{"type": "MixUp"}], "output": {"dtype": "uint8"}}"#,
        "output.dtype: \"uint8\" cannot hold the output of MixUp; use \"float32\""
      ),
    ])
  func rejections(json: String, message: String) {
    #expect {
      try PipelineSpec(json: json)
    } throws: { error in
      (error as? PipelineSpecError)?.message == message
    }
  }

  @Test("mix records round-trip through the binary encoding, nested partner record included")
  func coding() throws {
    let partner = SampleRecord(original: false, params: [.flip(flips: true), .none])
    let records = [
      SampleRecord(
        original: false,
        params: [
          .flip(flips: false),
          .mix(MixRecord(partner: 300, weight: 0.25, box: nil, partnerRecord: partner)),
        ]),
      SampleRecord(
        original: false,
        params: [
          .flip(flips: true),
          .mix(
            MixRecord(
              partner: 7, weight: 0.875, box: MixBox(x: 1, y: 2, width: 3, height: 4),
              partnerRecord: SampleRecord(original: true, params: []))),
          .none,
        ]),
    ]
    for record in records {
      let bytes = record.encoded()
      #expect(try SampleRecord(encoded: bytes) == record)
      #expect(throws: SampleRecordDecodingError.self) { try SampleRecord(encoded: Array(bytes.dropLast())) }
    }
    #expect(
      records[1].jsonString
        == #"{"original":false,"params":[{"flips":true},{"partner":7,"mix_weight":0.875,"x":1,"y":2,"width":3,"height":4},{}]}"#
    )
  }

  @Test(
    "each batch's draws: a permutation, weights from Beta(alpha, alpha), a pure function of (seed, epoch, batch)"
  )
  func draws() throws {
    let spec = try PipelineSpec(json: Self.mixUp)
    let sizes = [ImageSize](repeating: ImageSize(height: 8, width: 8), count: 32)
    var weights: [Double] = []
    for batch in 0..<300 {
      let draws = spec.drawMixes(seed: 5, epoch: 2, batch: batch, sizes: sizes)
      #expect(draws.count == 32)
      #expect(Set(draws.map(\.partnerSlot)) == Set(0..<32))
      #expect(draws == spec.drawMixes(seed: 5, epoch: 2, batch: batch, sizes: sizes))
      weights += draws.map { Double($0.weight) }
    }
    #expect(
      spec.drawMixes(seed: 5, epoch: 3, batch: 0, sizes: sizes)
        != spec.drawMixes(seed: 5, epoch: 2, batch: 0, sizes: sizes))
    #expect(weights.allSatisfy { $0 >= 0 && $0 <= 1 })
    // Beta(0.4, 0.4): mean 1/2, variance 1 / (4 (2 alpha + 1)) = 0.1389.
    let mean = weights.reduce(0, +) / Double(weights.count)
    let variance = weights.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(weights.count)
    #expect(abs(mean - 0.5) < 0.02)
    #expect(abs(variance - 1 / (4 * 1.8)) < 0.01)
  }

  @Test("CutMix boxes lie inside the image and the weight is one minus the box's share")
  func cutMixBoxes() throws {
    let spec = try PipelineSpec(json: Self.cutMix)
    let sizes = [ImageSize](repeating: ImageSize(height: 20, width: 30), count: 16)
    for batch in 0..<200 {
      for draw in spec.drawMixes(seed: 9, epoch: 0, batch: batch, sizes: sizes) {
        let box = try #require(draw.box)
        #expect(box.x >= 0 && box.y >= 0 && box.x + box.width <= 30 && box.y + box.height <= 20)
        #expect(draw.weight >= 0 && draw.weight <= 1)
        // The pixel box differs from the continuous one by less than a pixel on each side.
        let share = 1 - Double(draw.weight)
        #expect(abs(Double(box.width * box.height) / 600 - share) <= Double(box.width + box.height + 1) / 600)
      }
    }
  }

  @Test("MixUp blends the two finished images in float32; CutMix pastes the partner's box")
  func applying() throws {
    let a = Tensor(height: 3, width: 4, channels: 3, pixels: (0..<36).map { UInt8($0 * 7 % 256) })
    let b = Tensor(height: 3, width: 4, channels: 3, pixels: (0..<36).map { UInt8(255 - $0 * 5 % 256) })
    let mixUp = try PipelineSpec(json: Self.mixUp)
    let mixed = try mixUp.apply(
      SampleRecord(
        original: false,
        params: [
          .flip(flips: false),
          .mix(
            MixRecord(
              partner: 1, weight: 0.3, box: nil,
              partnerRecord: SampleRecord(original: false, params: [.flip(flips: true)]))),
        ]), to: a, partner: b)
    let flippedB = Kernels.flip(b, horizontal: true, vertical: true)
    let w: Float = 0.3
    let expected = zip(a.pixels, flippedB.pixels).map { w * Float($0) + (1 - w) * Float($1) }
    #expect(mixed == AugmentedTensor(shape: [3, 4, 3], values: .float32(expected)))
    #expect(throws: AugmentationError.missingPartner(index: 1, transform: "MixUp")) {
      try mixUp.apply(
        SampleRecord(
          original: false,
          params: [
            .flip(flips: false),
            .mix(
              MixRecord(
                partner: 1, weight: 0.3, box: nil, partnerRecord: SampleRecord(original: true, params: []))),
          ]), to: a)
    }

    let cutMix = try PipelineSpec(json: Self.cutMix)
    let cut = try cutMix.apply(
      SampleRecord(
        original: false,
        params: [
          .flip(flips: false),
          .mix(
            MixRecord(
              partner: 1, weight: 0.5, box: MixBox(x: 1, y: 1, width: 2, height: 5),
              partnerRecord: SampleRecord(original: true, params: []))),
          .none,
        ]), to: a, partner: b)
    var pasted = a.pixels
    for y in 1..<3 {
      for x in 1..<3 {
        for c in 0..<3 { pasted[(y * 4 + x) * 3 + c] = b.pixels[(y * 4 + x) * 3 + c] }
      }
    }
    #expect(cut == AugmentedTensor(shape: [3, 4, 3], values: .float32(pasted.map { Float($0) * 0.5 })))
    let small = Tensor(height: 2, width: 4, channels: 3)
    #expect(
      throws: AugmentationError.partnerShapeMismatch(
        index: 1, transform: "CutMix", own: [3, 4, 3], partner: [2, 4, 3])
    ) {
      try cutMix.apply(
        SampleRecord(
          original: false,
          params: [
            .flip(flips: false),
            .mix(
              MixRecord(
                partner: 1, weight: 0.5, box: nil, partnerRecord: SampleRecord(original: true, params: []))),
            .none,
          ]), to: a, partner: small)
    }
  }
}
