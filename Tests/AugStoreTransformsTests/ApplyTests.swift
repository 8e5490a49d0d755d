import AugStoreImaging
import Testing

@testable import AugStoreTransforms

@Suite struct ApplyTests {
  /// A deterministic, textured test image.
  static func image(height: Int = 23, width: Int = 31, channels: Int = 3) -> Tensor {
    var pixels = [UInt8](repeating: 0, count: height * width * channels)
    for y in 0..<height {
      for x in 0..<width {
        for c in 0..<channels {
          pixels[(y * width + x) * channels + c] = UInt8(
            truncatingIfNeeded: x * 7 + y * 13 + c * 50 + (x * y) % 17)
        }
      }
    }
    return Tensor(height: height, width: width, channels: channels, pixels: pixels)
  }

  func spec(_ json: String) throws -> PipelineSpec {
    try PipelineSpec(json: json)
  }

  func uint8(_ tensor: AugmentedTensor) -> [UInt8] {
    if case .uint8(let values) = tensor.values { return values }
    Issue.record("expected uint8 output")
    return []
  }

  @Test func originalRecordsLeaveTheImageAsItIs() throws {
    let pipeline = try spec(
      #"{"transforms": [{"type": "RandomFlip"}, {"type": "RandomRotation", "factor": 0.2}], "original_probability": 1}"#
    )
    let input = Self.image()
    let output = try pipeline.apply(SampleRecord(original: true, params: []), to: input)
    #expect(output.shape == [23, 31, 3])
    #expect(uint8(output) == input.pixels)
  }

  @Test func originalsKeepTheOutputSizeThroughACentreCrop() throws {
    let pipeline = try spec(
      #"{"transforms": [{"type": "RandomRotation", "factor": 0.2}, {"type": "RandomCrop", "height": 9, "width": 10}]}"#
    )
    let input = Self.image()
    let output = try pipeline.apply(SampleRecord(original: true, params: []), to: input)
    #expect(output.shape == [9, 10, 3])
    #expect(uint8(output) == Kernels.crop(input, x: 10, y: 7, height: 9, width: 10).pixels)
  }

  @Test func flipsAndCropsAreExact() throws {
    let pipeline = try spec(
      #"{"transforms": [{"type": "RandomFlip", "mode": "horizontal"}, {"type": "RandomCrop", "height": 10, "width": 12}]}"#
    )
    let input = Self.image()
    let record = SampleRecord(original: false, params: [.flip(flips: true), .crop(x: 3, y: 5)])
    let expected = Kernels.crop(
      Kernels.flip(input, horizontal: true, vertical: false), x: 3, y: 5, height: 10, width: 12)
    let output = try pipeline.apply(record, to: input)
    #expect(output.shape == [10, 12, 3])
    #expect(uint8(output) == expected.pixels)
  }

  @Test(arguments: [FillMode.reflect, .wrap, .constant, .nearest])
  func cropAfterRotationIsFusedWithinOneLevel(fillMode: FillMode) throws {
    let pipeline = try spec(
      """
      {"transforms": [{"type": "RandomRotation", "factor": 0.1, "fill_mode": "\(fillMode.rawValue)"},
        {"type": "RandomFlip", "mode": "vertical"}, {"type": "RandomCrop", "height": 15, "width": 20}]}
      """)
    let input = Self.image()
    let record = SampleRecord(
      original: false, params: [.rotation(angle: 17.5), .flip(flips: true), .crop(x: 4, y: 2)])
    let rotated = Kernels.affine(input, .rotation(degrees: 17.5, height: 23, width: 31), fillMode: fillMode)
    let sequential = Kernels.crop(
      Kernels.flip(rotated, horizontal: false, vertical: true), x: 4, y: 2, height: 15, width: 20)
    let fused = uint8(try pipeline.apply(record, to: input))
    #expect(fused.count == sequential.pixels.count)
    let worst = zip(fused, sequential.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 255
    #expect(worst <= 1)
    #expect(fused != input.pixels[0..<fused.count].map { $0 })
  }

  /// A rotation followed by a zoom or translation computes only the rotated pixels the second pass
  /// reads; the result must be the bytes of running both passes in full.
  @Test(arguments: [
    (angle: Float(17.5), zoom: Float(0.9), crop: (x: 3, y: 5), fillMode: FillMode.reflect, flip: false),
    (angle: -33.0, zoom: 1.1, crop: (x: 0, y: 0), fillMode: .reflect, flip: true),
    (angle: 8.25, zoom: 1.1, crop: (x: 12, y: 12), fillMode: .nearest, flip: false),
    (angle: 36.0, zoom: 0.95, crop: (x: 9, y: 1), fillMode: .wrap, flip: true),
    (angle: -4.0, zoom: 1.0, crop: (x: 6, y: 11), fillMode: .constant, flip: false),
  ])
  func rotationBeforeAZoomComputesOnlyWhatTheZoomReads(
    angle: Float, zoom: Float, crop: (x: Int, y: Int), fillMode: FillMode, flip: Bool
  ) throws {
    let mode = fillMode.rawValue
    let pipeline = try spec(
      """
      {"transforms": [{"type": "RandomRotation", "factor": 0.1, "fill_mode": "\(mode)"},
        {"type": "RandomFlip", "mode": "horizontal"},
        {"type": "RandomZoom", "height_factor": 0.1, "fill_mode": "\(mode)"},
        {"type": "RandomCrop", "height": 40, "width": 48}]}
      """)
    let input = Self.image(height: 52, width: 61)
    let record = SampleRecord(
      original: false,
      params: [
        .rotation(angle: angle), .flip(flips: flip), .zoom(heightZoom: zoom, widthZoom: zoom),
        .crop(x: crop.x, y: crop.y),
      ])
    var rotation = AffineTransform.rotation(degrees: Double(angle), height: 52, width: 61)
    if flip {
      rotation = rotation.followed(by: .flip(horizontal: true, vertical: false, height: 52, width: 61))
    }
    let rotated = Kernels.affine(input, rotation, fillMode: fillMode)
    let zoomed = Kernels.affine(
      rotated,
      AffineTransform.zoom(heightZoom: Double(zoom), widthZoom: Double(zoom), height: 52, width: 61)
        .followed(by: .crop(x: crop.x, y: crop.y)),
      outputHeight: 40, outputWidth: 48, fillMode: fillMode)
    let output = uint8(try pipeline.apply(record, to: input))
    #expect(output == zoomed.pixels)
    #expect(output != Kernels.crop(input, x: crop.x, y: crop.y, height: 40, width: 48).pixels)
  }

  /// The region a zoom reads covers every rotated pixel it reads, and, zoomed in without reflection,
  /// less than the whole image.
  @Test func zoomReadRegionIsExactAndSmallerThanTheImage() {
    let zoom = AffineTransform.zoom(heightZoom: 0.8, widthZoom: 0.9, height: 52, width: 61)
      .followed(by: .crop(x: 4, y: 6))
    let region = Kernels.affineReadRegion(
      zoom, inputHeight: 52, inputWidth: 61, outputHeight: 40, outputWidth: 48, interpolation: .bilinear,
      fillMode: .reflect)
    #expect(region != nil)
    guard let region else { return }
    #expect(region.rows.count < 52 && region.columns.count < 61)
    // Rotated pixels outside the region changed to anything: the zoom's result stays the same.
    let rotated = Kernels.affine(
      Self.image(height: 52, width: 61), .rotation(degrees: 20, height: 52, width: 61))
    var scrambled = rotated
    scrambled.withUnsafeMutableBufferPointer { pixels in
      for y in 0..<52 {
        for x in 0..<61 where !(region.rows.contains(y) && region.columns.contains(x)) {
          for c in 0..<3 { pixels[(y * 61 + x) * 3 + c] = UInt8(truncatingIfNeeded: 255 - x - y - c) }
        }
      }
    }
    let expected = Kernels.affine(rotated, zoom, outputHeight: 40, outputWidth: 48)
    #expect(Kernels.affine(scrambled, zoom, outputHeight: 40, outputWidth: 48).pixels == expected.pixels)
    // A column just inside the region does matter.
    var edge = rotated
    edge.withUnsafeMutableBufferPointer { pixels in
      for y in region.rows {
        for c in 0..<3 {
          pixels[(y * 61 + region.columns.lowerBound) * 3 + c] ^= 0xFF
        }
      }
    }
    #expect(Kernels.affine(edge, zoom, outputHeight: 40, outputWidth: 48).pixels != expected.pixels)
    // A rotation has no such region.
    #expect(
      Kernels.affineReadRegion(
        .rotation(degrees: 20, height: 52, width: 61), inputHeight: 52, inputWidth: 61, outputHeight: 52,
        outputWidth: 61, interpolation: .bilinear, fillMode: .reflect) == nil)
  }

  @Test func applyingTwiceGivesTheSameBytes() throws {
    let pipeline = try spec(
      """
      {"transforms": [{"type": "RandomFlip"}, {"type": "RandomRotation", "factor": 0.1},
        {"type": "RandomZoom", "height_factor": 0.1}, {"type": "RandomCrop", "height": 20, "width": 20},
        {"type": "RandomContrast", "factor": 0.2}, {"type": "RandomBrightness", "factor": 0.2}]}
      """)
    let input = Self.image()
    for epoch in 0..<5 {
      let record = try pipeline.drawRecord(
        seed: 42, sampleKey: SampleKey(path: "a/b.png"), epoch: epoch,
        imageSize: ImageSize(height: 23, width: 31))
      let first = try pipeline.apply(record, to: input).npy()
      let second = try pipeline.apply(SampleRecord(encoded: record.encoded()), to: input).npy()
      #expect(first == second)
    }
  }

  @Test func floatOutputAndChannelsFirst() throws {
    let pipeline = try spec(
      #"{"transforms": [{"type": "Rescaling", "scale": 0.5, "offset": 1}], "output": {"layout": "channels_first"}}"#
    )
    let input = Self.image(height: 2, width: 3, channels: 2)
    let output = try pipeline.apply(SampleRecord(original: false, params: [.none]), to: input)
    #expect(output.shape == [2, 2, 3])
    guard case .float32(let values) = output.values else {
      Issue.record("expected float32")
      return
    }
    #expect(values[0] == Float(input.pixels[0]) * 0.5 + 1)
    #expect(values[1] == Float(input.pixels[2]) * 0.5 + 1)
    #expect(values[6] == Float(input.pixels[1]) * 0.5 + 1)
  }

  @Test func mismatchedRecordsAreRefused() throws {
    let pipeline = try spec(
      #"{"transforms": [{"type": "RandomFlip"}, {"type": "RandomContrast", "factor": 0.2}]}"#)
    #expect(throws: AugmentationError.recordMismatch(transforms: 2, params: 1)) {
      try pipeline.apply(SampleRecord(original: false, params: [.flip(flips: true)]), to: Self.image())
    }
    #expect(throws: AugmentationError.parameterMismatch(index: 1, transform: "RandomContrast")) {
      try pipeline.apply(
        SampleRecord(original: false, params: [.flip(flips: true), .hue(hueFactor: 0.1)]), to: Self.image())
    }
  }

  /// Regression (found by fuzz-pipeline): a single-value `variance` (or `mean`) beside per-channel
  /// values trapped in the normalize kernel instead of applying to every channel.
  @Test func normalizationBroadcastsSingleValuesAndRefusesOtherCounts() throws {
    let pipeline = try spec(
      #"{"transforms": [{"type": "Normalization", "mean": [1, 2, 3], "variance": 4}], "output": {"dtype": "float32"}}"#
    )
    let input = Self.image(height: 2, width: 2, channels: 3)
    let output = try pipeline.apply(SampleRecord(original: false, params: [.none]), to: input)
    guard case .float32(let values) = output.values else {
      Issue.record("expected float32")
      return
    }
    #expect(values[0] == (Float(input.pixels[0]) - 1) / 2)
    #expect(values[2] == (Float(input.pixels[2]) - 3) / 2)

    let twoValues = try spec(
      #"{"transforms": [{"type": "Normalization", "mean": [1, 2], "variance": [1, 1]}], "output": {"dtype": "float32"}}"#
    )
    #expect(
      throws: AugmentationError.channelMismatch(index: 0, transform: "Normalization", values: 2, channels: 3)
    ) {
      try twoValues.apply(SampleRecord(original: false, params: [.none]), to: input)
    }
  }
}
