import Testing

@testable import AugStoreTransforms

/// Draws, binary coding and JSON of the colour layers' parameters.
@Suite("Colour layer records")
struct ColourLayerRecordTests {
  static let json = """
    {"transforms": [
      {"type": "RandomInvert", "factor": [0.2, 0.6]},
      {"type": "Solarization", "addition_factor": [0.1, 0.2], "threshold_factor": 0.5},
      {"type": "RandomPosterization", "factor": [2, 6]},
      {"type": "RandomColorDegeneration", "factor": 0.4},
      {"type": "AutoContrast"},
      {"type": "Equalization", "bins": 32},
      {"type": "RandomSharpness", "factor": [0.2, 0.9]},
      {"type": "RandomColorJitter", "brightness_factor": 0.2, "contrast_factor": 0.3,
       "saturation_factor": 0.5, "hue_factor": 0.4},
      {"type": "RandomColorJitter", "contrast_factor": [0.1, 0.2], "value_range": [0, 1]},
      {"type": "RandomPosterization", "factor": 3}
    ]}
    """

  let size = ImageSize(height: 20, width: 30)

  @Test("draws stay inside the ranges Keras 3.15.1's code draws from")
  func ranges() throws {
    let spec = try PipelineSpec(json: Self.json)
    var inverted = 0
    var bits: Set<Int> = []
    var fixedBits: Set<Int> = []
    var hueSigns: Set<Bool> = []
    let samples = 3000
    for index in 0..<samples {
      let record = try spec.drawRecord(
        seed: 5, sampleKey: SampleKey(path: "s/\(index)"), epoch: index % 3, imageSize: size)
      #expect(record.params.count == 10)
      guard case .invert(let applied) = record.params[0],
        case .solarization(let additions, let thresholds) = record.params[1],
        case .posterization(let shift) = record.params[2],
        case .colorDegeneration(let degeneration) = record.params[3],
        case .none = record.params[4], case .none = record.params[5],
        case .sharpness(let sharpness) = record.params[6],
        case .colorJitter(let jitter) = record.params[7],
        case .colorJitter(let contrastOnly) = record.params[8],
        case .posterization(let fixedShift) = record.params[9]
      else {
        Issue.record("unexpected parameter kinds \(record.params)")
        continue
      }
      if applied { inverted += 1 }
      // Keras scales only the upper bound by 255: U(0.1, 0.2 · 255) and U(0, 0.5 · 255).
      #expect(additions >= 0.1 && additions < 51)
      #expect(thresholds >= 0 && thresholds < 127.5)
      bits.insert(8 - shift)
      fixedBits.insert(8 - fixedShift)
      #expect(degeneration >= -0.4 && degeneration < 0.4)
      #expect(sharpness >= 0.2 && sharpness < 0.9)
      let delta = try #require(jitter.rgbDelta)
      #expect(delta >= -0.2 * 255 && delta < 0.2 * 255)
      let contrast = try #require(jitter.contrastFactor)
      #expect(contrast >= 1 && contrast < 1.3)
      let f = Double(try #require(jitter.saturationFactor))
      // f / (1 − f + ε) for f in [−0.5, 0.5): from −1/3 to 1.
      #expect(f >= -0.34 && f <= 1.0)
      let hue = try #require(jitter.hueFactor)
      #expect(abs(hue) <= 0.2)
      hueSigns.insert(hue < 0)
      #expect(
        contrastOnly.rgbDelta == nil && contrastOnly.saturationFactor == nil && contrastOnly.hueFactor == nil)
      let onlyContrast = try #require(contrastOnly.contrastFactor)
      #expect(onlyContrast >= 0.9 && onlyContrast < 1.2)
    }
    // Inversion probability U(0.2, 0.6) has mean 0.4.
    #expect(abs(Double(inverted) / Double(samples) - 0.4) < 0.04)
    // randint(2, 6) excludes 6; factor 3 means bits in [1, 3).
    #expect(bits == [2, 3, 4, 5])
    #expect(fixedBits == [1, 2])
    #expect(hueSigns == [true, false])
  }

  @Test("a posterization factor of equal bounds draws nothing")
  func fixedPosterization() throws {
    let spec = try PipelineSpec(json: pipeline(#"{"type": "RandomPosterization", "factor": [5, 5]}"#))
    for index in 0..<20 {
      let record = try spec.drawRecord(
        seed: 1, sampleKey: SampleKey(path: "\(index)"), epoch: 0, imageSize: size)
      #expect(record.params == [.posterization(shiftFactor: 3)])
    }
  }

  @Test("the jitter's steps draw in Keras' order, each after the previous one")
  func jitterDrawOrder() throws {
    let spec = try PipelineSpec(
      json: pipeline(
        #"{"type": "RandomColorJitter", "brightness_factor": [0.1, 0.3], "hue_factor": [0.2, 0.4]}"#))
    let key = SampleKey(path: "a.png")
    let record = try spec.drawRecord(seed: 77, sampleKey: key, epoch: 4, imageSize: size)
    var stream = DrawStream(address: DrawAddress(seed: 77, sampleKey: key, epoch: 4, slot: .transform(0)))
    let delta = Float(stream.nextDouble(lower: 0.1, upper: 0.3) * 255)
    let sign: Double = stream.nextUnitDouble() > 0.5 ? -1 : 1
    let hue = Float(sign * stream.nextDouble(lower: 0.2, upper: 0.4) * 0.5)
    #expect(
      record.params == [
        .colorJitter(
          ColorJitterParams(rgbDelta: delta, contrastFactor: nil, saturationFactor: nil, hueFactor: hue))
      ])
  }

  @Test("binary coding round-trips every colour parameter kind, with tags 12 to 15, 18 and 19")
  func binaryRoundTrip() throws {
    let record = SampleRecord(
      original: false,
      params: [
        .invert(applyInversion: true), .invert(applyInversion: false),
        .solarization(additions: 12.75, thresholds: 200.5), .posterization(shiftFactor: 0),
        .posterization(shiftFactor: 7), .colorDegeneration(factor: -0.25), .none, .sharpness(factor: 0.875),
        .colorJitter(
          ColorJitterParams(rgbDelta: -3.5, contrastFactor: 1.25, saturationFactor: 0.5, hueFactor: -0.125)),
        .colorJitter(
          ColorJitterParams(rgbDelta: nil, contrastFactor: 0.75, saturationFactor: nil, hueFactor: nil)),
        .colorJitter(
          ColorJitterParams(rgbDelta: nil, contrastFactor: nil, saturationFactor: nil, hueFactor: nil)),
      ])
    let bytes = record.encoded()
    #expect(try SampleRecord(encoded: bytes) == record)
    #expect(
      SampleRecord(original: false, params: [.invert(applyInversion: true)]).encoded() == [1, 0, 1, 12, 1])
    #expect(
      SampleRecord(original: false, params: [.posterization(shiftFactor: 5)]).encoded() == [1, 0, 1, 14, 5])
    let jitter = SampleRecord(
      original: false,
      params: [
        .colorJitter(
          ColorJitterParams(rgbDelta: nil, contrastFactor: 1, saturationFactor: nil, hueFactor: nil))
      ])
    #expect(jitter.encoded() == [1, 0, 1, 19, 0b10, 0x00, 0x00, 0x80, 0x3F])
    #expect(
      SampleRecord(original: false, params: [.sharpness(factor: 1)]).encoded() == [
        1, 0, 1, 18, 0, 0, 0x80, 0x3F,
      ])
  }

  @Test("decoding rejects bad colour payloads")
  func decodingErrors() {
    // Invalid boolean, a shift above 8, unknown jitter mask bits, reserved tags, a truncated float.
    for bytes: [UInt8] in [
      [1, 0, 1, 12, 2], [1, 0, 1, 14, 9], [1, 0, 1, 19, 0x10], [1, 0, 1, 16], [1, 0, 1, 17],
      [1, 0, 1, 15, 0, 0], [1, 0, 1, 19, 1, 0, 0],
    ] {
      #expect(throws: SampleRecordDecodingError.self) { try SampleRecord(encoded: bytes) }
    }
  }

  @Test("JSON uses Keras' transformation keys")
  func jsonRendering() {
    let record = SampleRecord(
      original: false,
      params: [
        .invert(applyInversion: true), .solarization(additions: 1.5, thresholds: 128),
        .posterization(shiftFactor: 4), .colorDegeneration(factor: 0.25), .none, .sharpness(factor: 0.5),
        .colorJitter(
          ColorJitterParams(rgbDelta: 2.5, contrastFactor: nil, saturationFactor: nil, hueFactor: -0.125)),
      ])
    #expect(
      record.jsonString
        == #"{"original":false,"params":[{"apply_inversion":true},{"additions":1.5,"thresholds":128.0},"#
        + #"{"shift_factor":4},{"factor":0.25},{},{"factor":0.5},{"rgb_delta":2.5,"hue_factor":-0.125}]}"#)
  }
}
