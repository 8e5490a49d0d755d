import AugStoreImaging
import Testing

@testable import AugStoreTransforms

/// RandAugment: parsing and validation, draws, binary and JSON coding, and applying a record.
@Suite("Composite layers")
struct CompositeLayerTests {
  let size = ImageSize(height: 19, width: 23)

  @Test("RandAugment parses with Keras 3.15.1's defaults, and its canonical form parses back")
  func defaults() throws {
    let spec = try PipelineSpec(
      json: pipeline(
        #"{"type": "RandAugment"}, "#
          + #"{"type": "RandAugment", "num_ops": 3, "factor": [0.8, 0.2], "interpolation": "nearest", "#
          + #""value_range": [0, 1]}"#))
    #expect(
      spec.transforms == [
        .randAugment(
          valueRange: .uint8, numOps: 2, factor: FactorRange(lower: 0, upper: 0.5), interpolation: .bilinear),
        .randAugment(
          valueRange: ValueRange(lower: 0, upper: 1), numOps: 3, factor: FactorRange(lower: 0.2, upper: 0.8),
          interpolation: .nearest),
      ])
    #expect(try PipelineSpec(json: spec.canonicalJSON) == spec)
    #expect(
      spec.canonicalJSON.contains(
        #"{"factor":[0.0,0.5],"interpolation":"bilinear","num_ops":2,"type":"RandAugment","#
          + #""value_range":[0.0,255.0]}"#))
    let spelled = try PipelineSpec(
      json: pipeline(
        #"{"type": "RandAugment", "num_ops": 2.0, "factor": [0.5, 0], "value_range": [255, 0]}"#))
    #expect(
      spelled.fingerprint == (try PipelineSpec(json: pipeline(#"{"type": "RandAugment"}"#))).fingerprint)
  }

  static let rejections: [PipelineSpecTests.Rejection] = [
    .init(
      json: pipeline(#"{"type": "RandAugment", "factor": 1.5}"#), kind: .outOfRange,
      message: "transforms[0] (RandAugment): factor 1.5 is out of range [0, 1]"),
    .init(
      json: pipeline(#"{"type": "RandAugment", "factor": [-0.5, 0.3]}"#), kind: .outOfRange,
      message: "transforms[0] (RandAugment): factor -0.5 is out of range [0, 1]"),
    .init(
      json: pipeline(#"{"type": "RandAugment", "factor": "x"}"#), kind: .wrongType,
      message: "transforms[0] (RandAugment): factor must be a number or a list of two numbers, got string"),
    .init(
      json: pipeline(#"{"type": "RandAugment", "num_ops": 2.5}"#), kind: .wrongType,
      message: "transforms[0] (RandAugment): num_ops must be an integer, got 2.5"),
    .init(
      json: pipeline(#"{"type": "RandAugment", "num_ops": -1}"#), kind: .outOfRange,
      message: "transforms[0] (RandAugment): num_ops -1 is out of range [0, 1000]"),
    .init(
      json: pipeline(#"{"type": "RandAugment", "num_ops": "2"}"#), kind: .wrongType,
      message: "transforms[0] (RandAugment): num_ops must be a number, got string"),
    .init(
      json: pipeline(#"{"type": "RandAugment", "interpolation": "bicubic"}"#), kind: .invalidValue,
      message: #"transforms[0] (RandAugment): interpolation "bicubic" is not one of "nearest", "bilinear""#),
    .init(
      json: pipeline(#"{"type": "RandAugment", "value_range": [1, 1]}"#), kind: .invalidValue,
      message: "transforms[0] (RandAugment): value_range must span a non-empty range"),
    .init(
      json: pipeline(#"{"type": "RandAugment", "magnitude": 9}"#), kind: .unknownArgument,
      message: #"transforms[0] (RandAugment): unknown argument "magnitude""#),
  ]

  @Test("invalid RandAugment arguments give a one-line message", arguments: rejections)
  func rejects(rejection: PipelineSpecTests.Rejection) {
    #expect {
      try PipelineSpec(json: rejection.json)
    } throws: { error in
      let error = error as? PipelineSpecError
      return error?.kind == rejection.kind && error?.message == rejection.message
    }
  }

  @Test("draws: num_ops indices over all eleven operations, each sub-layer within Keras' ranges")
  func draws() throws {
    let spec = try PipelineSpec(json: pipeline(#"{"type": "RandAugment", "num_ops": 3}"#))
    var chosen = [Int](repeating: 0, count: 11)
    var repeats = 0
    for index in 0..<2000 {
      let record = try spec.drawRecord(
        seed: 9, sampleKey: SampleKey(path: "s/\(index)"), epoch: index % 4, imageSize: size)
      guard case .randAugment(let ops) = record.params[0] else {
        Issue.record("expected RandAugment parameters, got \(record.params)")
        continue
      }
      #expect(ops.count == 3)
      for op in ops {
        chosen[op.index] += 1
        // The same operation chosen twice applies the same parameters (one draw per sub-layer).
        let same = ops.filter { $0.index == op.index }
        if same.count > 1 {
          repeats += 1
          #expect(same.allSatisfy { $0.params == op.params })
        }
        switch (op.index, op.params) {
        case (0, .shear(let x, let y)):
          // x_factor = y_factor = (0, 0.5), one random sign for both axes.
          #expect(abs(x) <= 0.5 && abs(y) <= 0.5 && (x * y >= 0))
        case (1, .translation(let x, let y)):
          #expect(x >= 0 && x < 0.5 * 23 && y >= 0 && y < 0.5 * 19)
        case (2, .rotation(let angle)):
          #expect(angle >= 0 && angle < 180)
        case (3, .brightness(let delta)):
          #expect(delta >= 0 && delta < 127.5)
        case (4, .colorDegeneration(let factor)), (6, .sharpness(let factor)):
          #expect(factor >= 0 && factor < 0.5)
        case (5, .contrast(let factor)):
          #expect(factor >= 1 && factor < 1.5)
        case (7, .posterization(let shift)):
          // max(1, int(8 · 0.5)) = 4 means [1, 4] bits, Keras' randint excluding 4.
          #expect((5...7).contains(shift))
        case (8, .solarization(let additions, let thresholds)):
          #expect(additions >= 0 && additions < 127.5 && thresholds >= 0 && thresholds < 127.5)
        case (9, .none), (10, .none):
          break
        default:
          Issue.record("operation \(op.index) recorded \(op.params)")
        }
      }
      let again = try spec.drawRecord(
        seed: 9, sampleKey: SampleKey(path: "s/\(index)"), epoch: index % 4, imageSize: size)
      #expect(again == record)
    }
    // Every operation is chosen about 6000 / 11 ≈ 545 times.
    #expect(chosen.allSatisfy { $0 > 420 && $0 < 680 }, "\(chosen)")
    #expect(repeats > 0)
  }

  @Test("num_ops 0 chooses nothing; factor 0 posterizes to one bit without a draw")
  func edgeDraws() throws {
    let none = try PipelineSpec(json: pipeline(#"{"type": "RandAugment", "num_ops": 0}"#))
    let record = try none.drawRecord(seed: 1, sampleKey: SampleKey(path: "a"), epoch: 0, imageSize: size)
    #expect(record.params == [.randAugment(ops: [])])
    let zero = try PipelineSpec(json: pipeline(#"{"type": "RandAugment", "num_ops": 8, "factor": 0}"#))
    for index in 0..<200 {
      let record = try zero.drawRecord(
        seed: 2, sampleKey: SampleKey(path: "\(index)"), epoch: 0, imageSize: size)
      guard case .randAugment(let ops) = record.params[0] else { continue }
      for op in ops {
        switch op.params {
        case .posterization(let shift): #expect(shift == 7)
        case .rotation(let angle): #expect(angle == 0)
        case .contrast(let factor): #expect(factor == 1)
        default: break
        }
      }
    }
  }

  static let records: [SampleRecord] = [
    SampleRecord(
      original: false,
      params: [
        .flip(flips: true),
        .randAugment(ops: [
          CompositeOp(index: 2, params: .rotation(angle: 12.5)), CompositeOp(index: 10, params: .none),
        ]),
        .randAugment(ops: []),
        .randAugment(ops: [
          CompositeOp(index: 7, params: .posterization(shiftFactor: 6)),
          CompositeOp(index: 8, params: .solarization(additions: 3.5, thresholds: 99)),
          CompositeOp(index: 7, params: .posterization(shiftFactor: 6)),
          CompositeOp(index: 0, params: .shear(shearX: -0.25, shearY: -0.125)),
        ]),
        .contrast(contrastFactor: 1.25),
      ]),
    SampleRecord(original: true, params: []),
  ]

  @Test("binary coding round-trips RandAugment records (tag 24)")
  func binaryRoundTrip() throws {
    for record in Self.records {
      let bytes = record.encoded()
      #expect(try SampleRecord(encoded: bytes) == record)
    }
    let bytes = Self.records[0].encoded()
    #expect(bytes[5] == 24)
  }

  @Test("decoding rejects bad RandAugment payloads")
  func decodingErrors() {
    // Version, flags, one param, tag 24, one operation with index 11.
    let unknown: [UInt8] = [1, 0, 1, 24, 1, 11, 4, 1, 0, 1, 0]
    #expect(throws: SampleRecordDecodingError.self) { try SampleRecord(encoded: unknown) }
    // The nested record holds no parameters for the one index.
    let mismatch: [UInt8] = [1, 0, 1, 24, 1, 9, 3, 1, 0, 0]
    #expect(throws: SampleRecordDecodingError.self) { try SampleRecord(encoded: mismatch) }
    // The length runs past the data.
    let truncated: [UInt8] = [1, 0, 1, 24, 1, 9, 9, 1, 0, 1, 0]
    #expect(throws: SampleRecordDecodingError.self) { try SampleRecord(encoded: truncated) }
    let full = Self.records[0].encoded()
    for cut in 6..<full.count {
      #expect(throws: SampleRecordDecodingError.self) { try SampleRecord(encoded: Array(full[..<cut])) }
    }
  }

  @Test("JSON lists each chosen operation with its Keras name and its own parameters")
  func json() {
    #expect(
      Self.records[0].jsonString
        == #"{"original":false,"params":[{"flips":true},"#
        + #"{"ops":[{"op":"random_rotation","angle":12.5},{"op":"equalization"}]},{"ops":[]},"#
        + #"{"ops":[{"op":"random_posterization","shift_factor":6},"#
        + #"{"op":"solarization","additions":3.5,"thresholds":99.0},"#
        + #"{"op":"random_posterization","shift_factor":6},"#
        + #"{"op":"random_shear","shear_x":-0.25,"shear_y":-0.125}]},{"contrast_factor":1.25}]}"#)
  }

  @Test(
    "one RandAugment operation on an 8-bit image equals its sub-layer's own 8-bit kernel",
    arguments: [1, 3, 4])
  func singleOperationsMatchSubLayers(channels: Int) throws {
    let image = Tensor(
      height: 19, width: 23, channels: channels,
      pixels: (0..<(19 * 23 * channels)).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ ($0 / 23) &* 11) })
    let spec = try PipelineSpec(
      json: pipeline(
        #"{"type": "RandAugment", "num_ops": 3, "factor": [0.2, 0.9], "interpolation": "nearest"}"#))
    let layers = spec.transforms[0].compositeLayers
    #expect(layers.count == 11)
    var seen = Set<Int>()
    var changed = 0
    for index in 0..<60 {
      let record = try spec.drawRecord(
        seed: 4, sampleKey: SampleKey(path: "\(index)"), epoch: 1, imageSize: size)
      guard case .randAugment(let ops) = record.params[0] else { continue }
      for op in ops {
        seen.insert(op.index)
        let single = try PipelineSpec(transforms: [layers[op.index]])
        let expected = try single.apply(SampleRecord(original: false, params: [op.params]), to: image)
        let chained = try spec.apply(
          SampleRecord(original: false, params: [.randAugment(ops: [op])]), to: image)
        #expect(chained.values == expected.values, "operation \(op.index) with \(op.params)")
        if chained.values != .uint8(image.pixels) { changed += 1 }
      }
    }
    #expect(seen.count == 11)
    #expect(changed > 100)
    // An original leaves the image as it is.
    let original = try spec.apply(SampleRecord(original: true, params: []), to: image)
    #expect(original.values == .uint8(image.pixels))
  }

  @Test("a chain keeps float samples between operations and rounds once, as Keras does")
  func chainsInFloat() throws {
    let spec = try PipelineSpec(json: pipeline(#"{"type": "RandAugment", "num_ops": 2}"#))
    let image = Tensor(height: 1, width: 4, channels: 1, pixels: [127, 126, 64, 255])
    // RandomBrightness (index 3) adds 0.6, then RandomPosterization (index 7) keeps 7 bits. Keras
    // casts 127.6 to 127 (truncation) before the shift: 126; rounding in between would give 128.
    let record = SampleRecord(
      original: false,
      params: [
        .randAugment(ops: [
          CompositeOp(index: 3, params: .brightness(rgbDelta: 0.6)),
          CompositeOp(index: 7, params: .posterization(shiftFactor: 1)),
        ])
      ])
    #expect(try spec.apply(record, to: image).values == .uint8([126, 126, 64, 254]))
    // RandomContrast (index 5) by 1.5 around the mean 143 gives 119, 117.5, 24.5 and 311 (clipped to
    // 255); Solarization (index 8) adds 0.4 and inverts from 118 up: 119.4 → 135.6, 117.9 stays (an
    // 8-bit chain would have rounded 117.5 to 118 and inverted it to 137), 24.9, 255 → 0.
    let contrast = SampleRecord(
      original: false,
      params: [
        .randAugment(ops: [
          CompositeOp(index: 5, params: .contrast(contrastFactor: 1.5)),
          CompositeOp(index: 8, params: .solarization(additions: 0.4, thresholds: 118)),
        ])
      ])
    #expect(try spec.apply(contrast, to: image).values == .uint8([136, 118, 25, 0]))
  }
}
