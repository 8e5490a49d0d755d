import AugStoreImaging
import Testing

@testable import AugStoreTransforms

/// AugMix: parsing and validation, draws, binary and JSON coding, and applying a record.
@Suite("AugMix")
struct AugMixTests {
  let size = ImageSize(height: 19, width: 23)

  @Test("AugMix parses with Keras 3.15.1's defaults, and its canonical form parses back")
  func defaults() throws {
    let spec = try PipelineSpec(
      json: pipeline(
        #"{"type": "AugMix"}, "#
          + #"{"type": "AugMix", "num_chains": 2, "chain_depth": 0, "factor": [0.8, 0.2], "alpha": 0.5, "#
          + #""all_ops": false, "interpolation": "nearest", "value_range": [0, 1]}"#))
    #expect(
      spec.transforms == [
        .augMix(
          valueRange: .uint8, numChains: 3, chainDepth: 3, factor: FactorRange(lower: 0, upper: 0.3),
          alpha: 1,
          allOps: true, interpolation: .bilinear),
        .augMix(
          valueRange: ValueRange(lower: 0, upper: 1), numChains: 2, chainDepth: 0,
          factor: FactorRange(lower: 0.2, upper: 0.8), alpha: 0.5, allOps: false, interpolation: .nearest),
      ])
    #expect(try PipelineSpec(json: spec.canonicalJSON) == spec)
    #expect(
      spec.canonicalJSON.contains(
        #"{"all_ops":true,"alpha":1.0,"chain_depth":3,"factor":[0.0,0.3],"interpolation":"bilinear","#
          + #""num_chains":3,"type":"AugMix","value_range":[0.0,255.0]}"#))
    #expect(spec.transforms[0].compositeLayers.count == 11)
    #expect(spec.transforms[1].compositeLayers.count == 7)
    // The seven of `all_ops=False` are the first seven of the full list, in Keras' order.
    #expect(
      spec.transforms[0].compositeLayers.map(\.typeName) == [
        "RandomShear", "RandomTranslation", "RandomRotation", "RandomPosterization", "Solarization",
        "AutoContrast", "Equalization", "RandomBrightness", "RandomColorDegeneration", "RandomContrast",
        "RandomSharpness",
      ])
  }

  static let rejections: [PipelineSpecTests.Rejection] = [
    .init(
      json: pipeline(#"{"type": "AugMix", "factor": 1.5}"#), kind: .outOfRange,
      message: "transforms[0] (AugMix): factor 1.5 is out of range [0, 1]"),
    .init(
      json: pipeline(#"{"type": "AugMix", "num_chains": 0}"#), kind: .outOfRange,
      message: "transforms[0] (AugMix): num_chains 0 is out of range [1, 100]"),
    .init(
      json: pipeline(#"{"type": "AugMix", "num_chains": 1.5}"#), kind: .wrongType,
      message: "transforms[0] (AugMix): num_chains must be an integer, got 1.5"),
    .init(
      json: pipeline(#"{"type": "AugMix", "chain_depth": -1}"#), kind: .outOfRange,
      message: "transforms[0] (AugMix): chain_depth -1 is out of range [0, 100]"),
    .init(
      json: pipeline(#"{"type": "AugMix", "chain_depth": [1, 3]}"#), kind: .wrongType,
      message: "transforms[0] (AugMix): chain_depth must be a number, got array"),
    .init(
      json: pipeline(#"{"type": "AugMix", "alpha": 0}"#), kind: .outOfRange,
      message: "transforms[0] (AugMix): alpha must be a number above 0, got 0"),
    .init(
      json: pipeline(#"{"type": "AugMix", "all_ops": 1}"#), kind: .wrongType,
      message: "transforms[0] (AugMix): all_ops must be true or false, got number"),
    .init(
      json: pipeline(#"{"type": "AugMix", "interpolation": "bicubic"}"#), kind: .invalidValue,
      message: #"transforms[0] (AugMix): interpolation "bicubic" is not one of "nearest", "bilinear""#),
    .init(
      json: pipeline(#"{"type": "AugMix", "severity": 3}"#), kind: .unknownArgument,
      message: #"transforms[0] (AugMix): unknown argument "severity""#),
  ]

  @Test("invalid AugMix arguments give a one-line message", arguments: rejections)
  func rejects(rejection: PipelineSpecTests.Rejection) {
    #expect {
      try PipelineSpec(json: rejection.json)
    } throws: { error in
      let error = error as? PipelineSpecError
      return error?.kind == rejection.kind && error?.message == rejection.message
    }
  }

  @Test("draws: Dirichlet chain weights, a Beta input weight, and each step an operation or none")
  func draws() throws {
    let spec = try PipelineSpec(
      json: pipeline(#"{"type": "AugMix", "num_chains": 3, "chain_depth": 3, "all_ops": false}"#))
    var chosen = [Int](repeating: 0, count: 8)
    var inputWeights: [Double] = []
    var firstWeights: [Double] = []
    var differingRepeats = 0
    let samples = 3000
    for index in 0..<samples {
      let record = try spec.drawRecord(
        seed: 5, sampleKey: SampleKey(path: "s/\(index)"), epoch: index % 3, imageSize: size)
      guard case .augMix(let augMix) = record.params[0] else {
        Issue.record("expected AugMix parameters, got \(record.params)")
        continue
      }
      #expect(augMix.chainWeights.count == 3 && augMix.chains.count == 3)
      #expect(abs(augMix.chainWeights.reduce(0, +) - 1) < 1e-5)
      #expect(augMix.chainWeights.allSatisfy { $0 >= 0 && $0 <= 1 })
      #expect(augMix.inputWeight >= 0 && augMix.inputWeight <= 1)
      inputWeights.append(Double(augMix.inputWeight))
      firstWeights.append(Double(augMix.chainWeights[0]))
      for chain in augMix.chains {
        #expect(chain.count <= 3)
        chosen[7] += 3 - chain.count
        for op in chain {
          #expect(op.index < 7)
          chosen[op.index] += 1
        }
        // Each step draws afresh: the same operation twice in a chain has its own parameters.
        for op in chain where op.params != .none {
          if chain.filter({ $0.index == op.index }).count > 1, chain.filter({ $0 == op }).count == 1 {
            differingRepeats += 1
          }
        }
      }
      #expect(
        try spec.drawRecord(
          seed: 5, sampleKey: SampleKey(path: "s/\(index)"), epoch: index % 3, imageSize: size) == record)
    }
    // 27,000 steps over 7 operations and "none": about 3375 each.
    #expect(chosen.allSatisfy { $0 > 3000 && $0 < 3750 }, "\(chosen)")
    // Beta(1, 1) is uniform: mean 1/2, variance 1/12. Dirichlet(1, 1, 1)'s marginal is Beta(1, 2):
    // mean 1/3, variance 1/18.
    func moments(_ values: [Double]) -> (Double, Double) {
      let mean = values.reduce(0, +) / Double(values.count)
      return (mean, values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count))
    }
    let (inputMean, inputVariance) = moments(inputWeights)
    #expect(abs(inputMean - 0.5) < 0.02 && abs(inputVariance - 1.0 / 12) < 0.006)
    let (chainMean, chainVariance) = moments(firstWeights)
    #expect(abs(chainMean - 1.0 / 3) < 0.02 && abs(chainVariance - 1.0 / 18) < 0.005)
    #expect(differingRepeats > 0)
  }

  @Test("chain_depth 0 chooses nothing, and the image comes back as it was")
  func emptyChains() throws {
    let spec = try PipelineSpec(json: pipeline(#"{"type": "AugMix", "chain_depth": 0}"#))
    let image = TestImage.gradient(height: 7, width: 9, channels: 3)
    let record = try spec.drawRecord(seed: 1, sampleKey: SampleKey(path: "a"), epoch: 0, imageSize: size)
    guard case .augMix(let augMix) = record.params[0] else {
      Issue.record("expected AugMix parameters")
      return
    }
    #expect(augMix.chains == [[], [], []])
    #expect(try spec.apply(record, to: image).values == .uint8(image.pixels))
  }

  static let records: [SampleRecord] = [
    SampleRecord(
      original: false,
      params: [
        .augMix(
          AugMixParams(
            chainWeights: [0.5, 0.25, 0.25], inputWeight: 0.375,
            chains: [
              [CompositeOp(index: 6, params: .none), CompositeOp(index: 2, params: .rotation(angle: 12.5))],
              [],
              [
                CompositeOp(index: 3, params: .posterization(shiftFactor: 5)),
                CompositeOp(index: 3, params: .posterization(shiftFactor: 6)),
              ],
            ]))
      ]),
    SampleRecord(
      original: false,
      params: [.augMix(AugMixParams(chainWeights: [1], inputWeight: 0.5, chains: [[]])), .flip(flips: true)]),
  ]

  @Test("binary coding round-trips AugMix records (tag 25), and truncations are refused")
  func binaryRoundTrip() throws {
    for record in Self.records {
      #expect(try SampleRecord(encoded: record.encoded()) == record)
    }
    let full = Self.records[0].encoded()
    #expect(full[3] == 25)
    for cut in 4..<full.count {
      #expect(throws: SampleRecordDecodingError.self) { try SampleRecord(encoded: Array(full[..<cut])) }
    }
    // Operation index 11 does not exist.
    var unknown = Self.records[0].encoded()
    let at = 3 + 1 + 1 + 12 + 4 + 1  // tag, chain count, 3 weights, input weight, first chain's count
    #expect(unknown[at] == 6)
    unknown[at] = 11
    #expect(throws: SampleRecordDecodingError.self) { try SampleRecord(encoded: unknown) }
  }

  @Test("JSON holds the weights and each chain's operations with their Keras names")
  func json() {
    #expect(
      Self.records[0].jsonString
        == #"{"original":false,"params":[{"chain_mixing_weights":[0.5,0.25,0.25],"weight_sample":0.375,"#
        + #""chains":[[{"op":"equalization"},{"op":"random_rotation","angle":12.5}],[],"#
        + #"[{"op":"random_posterization","shift_factor":5},{"op":"random_posterization","shift_factor":6}]]}]}"#
    )
  }

  @Test("applying: each chain in float32, the weighted sum, then the blend with the input, rounded once")
  func apply() throws {
    let spec = try PipelineSpec(json: pipeline(#"{"type": "AugMix"}"#))
    let image = Tensor(height: 1, width: 4, channels: 1, pixels: [127, 126, 64, 255])
    // Chain 0 adds 0.6 (brightness, index 7) and keeps 7 bits (posterization, index 3): 126, 126, 64,
    // 254 (truncated, as Keras casts). Chain 1 is empty: the input. Weights 0.75 and 0.25, input weight
    // 0.5: 0.5·x + 0.5·(0.75·c0 + 0.25·x).
    let record = SampleRecord(
      original: false,
      params: [
        .augMix(
          AugMixParams(
            chainWeights: [0.75, 0.25], inputWeight: 0.5,
            chains: [
              [
                CompositeOp(index: 7, params: .brightness(rgbDelta: 0.6)),
                CompositeOp(index: 3, params: .posterization(shiftFactor: 1)),
              ],
              [],
            ]))
      ])
    // 127: 63.5 + 0.5·(94.5 + 31.75) = 126.625 → 127; 126: 126; 64: 64; 255: 127.5 + 0.5·(190.5 + 63.75)
    // = 254.625 → 255.
    #expect(try spec.apply(record, to: image).values == .uint8([127, 126, 64, 255]))
    // With the input weight 0 and one chain of weight 1, the result is the chain's.
    let chainOnly = SampleRecord(
      original: false,
      params: [
        .augMix(
          AugMixParams(
            chainWeights: [1, 0], inputWeight: 0,
            chains: [
              [
                CompositeOp(index: 7, params: .brightness(rgbDelta: 0.6)),
                CompositeOp(index: 3, params: .posterization(shiftFactor: 1)),
              ],
              [],
            ]))
      ])
    #expect(try spec.apply(chainOnly, to: image).values == .uint8([126, 126, 64, 254]))
    // A record whose weights do not match its chains is refused, naming the layer.
    let broken = SampleRecord(
      original: false, params: [.augMix(AugMixParams(chainWeights: [1], inputWeight: 0, chains: [[], []]))])
    #expect(throws: AugmentationError.parameterMismatch(index: 0, transform: "AugMix")) {
      try spec.apply(broken, to: image)
    }
  }
}

/// Small deterministic test images.
enum TestImage {
  /// A gradient with every channel distinct.
  static func gradient(height: Int, width: Int, channels: Int) -> Tensor {
    Tensor(
      height: height, width: width, channels: channels,
      pixels: (0..<(height * width * channels)).map { UInt8(truncatingIfNeeded: $0 &* 29 &+ 7) })
  }
}
