import AugStoreImaging
import Testing

@testable import AugStoreTransforms

/// RandomShear, RandomGaussianBlur and RandomPerspective: arguments, draws, records and application.
@Suite("Shear, Gaussian blur and perspective layers")
struct GeometryLayerTests {
  @Test("defaults parse to Keras 3.15.1's values and the canonical JSON names every argument")
  func defaults() throws {
    let spec = try PipelineSpec(
      json: pipeline(
        #"{"type": "RandomShear"}, {"type": "RandomGaussianBlur"}, {"type": "RandomPerspective"},"#
          + #"{"type": "RandomElasticTransform"}"#))
    #expect(
      spec.transforms[0]
        == .randomShear(
          xFactor: FactorRange(lower: 0, upper: 0), yFactor: FactorRange(lower: 0, upper: 0),
          fillMode: .reflect,
          interpolation: .bilinear, fillValue: 0))
    #expect(
      spec.transforms[1]
        == .randomGaussianBlur(
          factor: FactorRange(lower: 0, upper: 1), kernelHeight: 3, kernelWidth: 3,
          sigma: FactorRange(lower: 0, upper: 1), valueRange: .uint8))
    #expect(
      spec.transforms[2]
        == .randomPerspective(
          factor: FactorRange(lower: 0, upper: 1), scale: 1, interpolation: .bilinear, fillValue: 0))
    #expect(
      spec.transforms[3]
        == .randomElasticTransform(
          factor: FactorRange(lower: 0, upper: 1), scale: FactorRange(lower: 0, upper: 1),
          interpolation: .bilinear, fillMode: .reflect, fillValue: 0, valueRange: .uint8))
    let canonical = spec.canonicalJSON
    #expect(canonical.contains(CanonicalText.shear))
    #expect(canonical.contains(CanonicalText.elastic))
    // Spelled-out defaults give the same fingerprint.
    let spelled = try PipelineSpec(
      json: pipeline(
        #"{"type": "RandomShear", "x_factor": 0.0, "y_factor": [0, 0], "fill_mode": "reflect"},"#
          + #"{"type": "RandomGaussianBlur", "factor": 1.0, "kernel_size": [3, 3], "sigma": [0, 1]},"#
          + #"{"type": "RandomPerspective", "factor": [0, 1], "scale": 1, "interpolation": "bilinear"},"#
          + #"{"type": "RandomElasticTransform", "scale": [0, 1.0], "fill_mode": "reflect", "value_range": [0, 255]}"#
      ))
    #expect(spelled.fingerprint == spec.fingerprint)
    #expect(try PipelineSpec(json: canonical) == spec)
  }

  @Test("Keras' factor rules: shear f means [-f, f], blur sigma and probabilities f mean [0, f]")
  func factorRules() throws {
    let spec = try PipelineSpec(
      json: pipeline(
        #"{"type": "RandomShear", "x_factor": 0.3, "y_factor": [0.4, 0.1]},"#
          + #"{"type": "RandomGaussianBlur", "factor": 0.5, "kernel_size": [5, 3], "sigma": [0.5, 2.5]},"#
          + #"{"type": "RandomPerspective", "factor": [0.9, 0.2], "scale": 0.25}"#))
    guard case .randomShear(let x, let y, _, _, _) = spec.transforms[0],
      case .randomGaussianBlur(let factor, let kh, let kw, let sigma, _) = spec.transforms[1],
      case .randomPerspective(let probability, let scale, _, _) = spec.transforms[2]
    else {
      Issue.record("unexpected transforms")
      return
    }
    #expect(x == FactorRange(lower: -0.3, upper: 0.3) && y == FactorRange(lower: 0.1, upper: 0.4))
    // The canonical form writes x_factor as [-0.3, 0.3], and parses again.
    #expect(try PipelineSpec(json: spec.canonicalJSON) == spec)
    #expect(factor == FactorRange(lower: 0, upper: 0.5) && kh == 5 && kw == 3)
    // Keras only checks that a pair's first value is at most 1 and its second at least 0.
    #expect(sigma == FactorRange(lower: 0.5, upper: 2.5))
    #expect(probability == FactorRange(lower: 0.2, upper: 0.9) && scale == 0.25)
  }

  static let rejections: [PipelineSpecTests.Rejection] = [
    .init(
      json: pipeline(#"{"type": "RandomShear", "x_factor": -0.2}"#), kind: .outOfRange,
      message: "transforms[0] (RandomShear): x_factor -0.2 is out of range [0, 1]"),
    .init(
      json: pipeline(#"{"type": "RandomShear", "y_factor": [0.1, 1.5]}"#), kind: .outOfRange,
      message: "transforms[0] (RandomShear): y_factor 1.5 is out of range [-1, 1]"),
    .init(
      json: pipeline(#"{"type": "RandomShear", "x_factor": "0.1"}"#), kind: .wrongType,
      message: "transforms[0] (RandomShear): x_factor must be a number or a list of two numbers, got string"),
    .init(
      json: pipeline(#"{"type": "RandomShear", "fill_mode": "mirror"}"#), kind: .invalidValue,
      message:
        #"transforms[0] (RandomShear): fill_mode "mirror" is not one of "reflect", "wrap", "constant", "nearest""#
    ),
    .init(
      json: pipeline(#"{"type": "RandomShear", "interpolation": "bicubic"}"#), kind: .invalidValue,
      message: #"transforms[0] (RandomShear): interpolation "bicubic" is not one of "nearest", "bilinear""#),
    .init(
      json: pipeline(#"{"type": "RandomShear", "fill_value": null}"#), kind: .wrongType,
      message: "transforms[0] (RandomShear): fill_value must be a number, got null"),
    .init(
      json: pipeline(#"{"type": "RandomShear", "factor": 0.1}"#), kind: .unknownArgument,
      message: #"transforms[0] (RandomShear): unknown argument "factor""#),
    .init(
      json: pipeline(#"{"type": "RandomGaussianBlur", "kernel_size": 4}"#), kind: .invalidValue,
      message: "transforms[0] (RandomGaussianBlur): kernel_size must be an odd number in [1, 1001], got 4"),
    .init(
      json: pipeline(#"{"type": "RandomGaussianBlur", "kernel_size": [3, 5, 7]}"#), kind: .invalidValue,
      message:
        "transforms[0] (RandomGaussianBlur): kernel_size must be an odd integer or a list of two, got a list of 3"
    ),
    .init(
      json: pipeline(#"{"type": "RandomGaussianBlur", "kernel_size": "3"}"#), kind: .wrongType,
      message:
        "transforms[0] (RandomGaussianBlur): kernel_size must be an odd integer or a list of two, got string"),
    .init(
      json: pipeline(#"{"type": "RandomGaussianBlur", "sigma": 1.5}"#), kind: .outOfRange,
      message: "transforms[0] (RandomGaussianBlur): sigma 1.5 is out of range [0, 1]"),
    .init(
      json: pipeline(#"{"type": "RandomGaussianBlur", "sigma": [1.5, 2]}"#), kind: .outOfRange,
      message:
        "transforms[0] (RandomGaussianBlur): sigma [1.5, 2] is out of range: the first value must be at most 1 and the second at least 0"
    ),
    .init(
      json: pipeline(#"{"type": "RandomGaussianBlur", "factor": -0.5}"#), kind: .outOfRange,
      message: "transforms[0] (RandomGaussianBlur): factor -0.5 is out of range [0, 1]"),
    .init(
      json: pipeline(#"{"type": "RandomGaussianBlur", "value_range": [5, 5]}"#), kind: .invalidValue,
      message: "transforms[0] (RandomGaussianBlur): value_range must span a non-empty range"),
    .init(
      json: pipeline(#"{"type": "RandomPerspective", "scale": 1.2}"#), kind: .outOfRange,
      message: "transforms[0] (RandomPerspective): scale 1.2 is out of range [0, 1]"),
    .init(
      json: pipeline(#"{"type": "RandomPerspective", "factor": [-0.5, -0.1]}"#), kind: .outOfRange,
      message:
        "transforms[0] (RandomPerspective): factor [-0.5, -0.1] is out of range: the first value must be at most 1 and the second at least 0"
    ),
    .init(
      json: pipeline(#"{"type": "RandomPerspective", "fill_mode": "constant"}"#), kind: .unknownArgument,
      message: #"transforms[0] (RandomPerspective): unknown argument "fill_mode""#),
    .init(
      json: pipeline(#"{"type": "RandomElasticTransform", "fill_mode": "mirror"}"#), kind: .invalidValue,
      message:
        #"transforms[0] (RandomElasticTransform): fill_mode "mirror" is not one of "reflect", "wrap", "constant", "nearest""#
    ),
    .init(
      json: pipeline(#"{"type": "RandomElasticTransform", "scale": 2}"#), kind: .outOfRange,
      message: "transforms[0] (RandomElasticTransform): scale 2 is out of range [0, 1]"),
    .init(
      json: pipeline(#"{"type": "RandomElasticTransform", "factor": [0.2]}"#), kind: .invalidValue,
      message:
        "transforms[0] (RandomElasticTransform): factor must be a number or a list of two numbers, got a list of 1"
    ),
    .init(
      json: pipeline(#"{"type": "RandomElasticTransform", "interpolation": "area"}"#), kind: .invalidValue,
      message:
        #"transforms[0] (RandomElasticTransform): interpolation "area" is not one of "nearest", "bilinear""#),
  ]

  @Test("invalid arguments get a one-line message naming the transform and field", arguments: rejections)
  func rejects(rejection: PipelineSpecTests.Rejection) {
    let error = parseError(rejection.json)
    #expect(error?.kind == rejection.kind)
    #expect(error?.message == rejection.message)
  }

  @Test("draws follow Keras' distributions: one sign for both shears, blur and warp probabilities")
  func draws() throws {
    let spec = try PipelineSpec(
      json: pipeline(
        #"{"type": "RandomShear", "x_factor": [0.1, 0.3], "y_factor": [0.2, 0.4]},"#
          + #"{"type": "RandomGaussianBlur", "factor": 0.5, "sigma": [0.2, 0.6]},"#
          + #"{"type": "RandomPerspective", "factor": 1.0, "scale": 0.5}"#))
    let size = ImageSize(height: 21, width: 33)
    var negative = 0
    var blurred = 0
    var warped = 0
    let samples = 4000
    for index in 0..<samples {
      let record = try spec.drawRecord(
        seed: 7, sampleKey: SampleKey(path: "s/\(index)"), epoch: 1, imageSize: size)
      guard case .shear(let x, let y) = record.params[0],
        case .gaussianBlur(let applied, let sx, let sy) = record.params[1],
        case .perspective(let warp, let end) = record.params[2]
      else {
        Issue.record("unexpected params \(record.params)")
        return
      }
      #expect((x < 0) == (y < 0))
      if x < 0 { negative += 1 }
      #expect(abs(x) >= 0.1 && abs(x) <= 0.3 && abs(y) >= 0.2 && abs(y) <= 0.4)
      if applied { blurred += 1 }
      #expect(sx >= 0.2 && sx <= 0.6 + 2e-6 && sy >= 0.2 && sy <= 0.6 + 2e-6)
      if warp { warped += 1 }
      #expect(end.count == 8 && end[0] == 0 && end[1] == 0)
      let start = TransformSpec.perspectiveStartPoints(size)
      for index in 2..<8 where start[index] != 0 {
        let shift = (end[index] - start[index]) / start[index]
        #expect(shift >= -0.25 - 1e-6 && shift <= 0.25 + 1e-6)
      }
    }
    #expect(abs(Double(negative) / Double(samples) - 0.5) < 0.04)
    // P(u < U(0, 0.5)) = 0.25.
    #expect(abs(Double(blurred) / Double(samples) - 0.25) < 0.03)
    // factor 1.0 means a probability drawn from [0, 1]: P = 0.5.
    #expect(abs(Double(warped) / Double(samples) - 0.5) < 0.04)
  }

  @Test(
    "records round-trip through the binary and JSON forms",
    arguments: [
      TransformParams.shear(shearX: 0.25, shearY: -0.125), .shear(shearX: -0.0, shearY: 0),
      .gaussianBlur(shouldApplyBlur: true, blurFactorX: 0.5, blurFactorY: 1e-6),
      .gaussianBlur(shouldApplyBlur: false, blurFactorX: 0.75, blurFactorY: 0.25),
      .perspective(applyPerspective: true, endPoints: [0, 0, 30.5, -2, 1.25, 19, 33, 20.75]),
      .perspective(applyPerspective: false, endPoints: [0, 0, 1, 0, 0, 1, 1, 1]),
      .elasticTransform(applyTransform: true, distortionFactor: 0.625, noiseSeed: 0xFEDC_BA98_7654_3210),
      .elasticTransform(applyTransform: false, distortionFactor: 0, noiseSeed: 0),
    ])
  func roundTrip(param: TransformParams) throws {
    let record = SampleRecord(original: false, params: [.none, param, .flip(flips: true)])
    let bytes = record.encoded()
    #expect(try SampleRecord(encoded: bytes) == record)
    #expect(throws: SampleRecordDecodingError.self) { try SampleRecord(encoded: Array(bytes.dropLast(2))) }
    let json = record.jsonString
    switch param {
    case .shear: #expect(json.contains(#""shear_x":"#) && json.contains(#""shear_y":"#))
    case .gaussianBlur(let applied, _, _):
      #expect(json.contains(#"{"should_apply_blur":\#(applied),"blur_factor_x":"#))
    case .perspective(let applied, _):
      #expect(json.contains(#"{"apply_perspective":\#(applied),"end_x0":0.0,"end_y0":0.0,"end_x1":"#))
    case .elasticTransform(let applied, _, let seed):
      #expect(
        json.contains(
          #"{"apply_transform":\#(applied),"distortion_factor":"#)
          && json.contains(#""noise_seed":"\#(SampleKey(rawValue: seed).description)"}"#))
    default: break
    }
  }

  @Test("shear joins the pending warp: shear then crop is one affine pass, equal up to rounding")
  func shearApplies() throws {
    let spec = try PipelineSpec(
      json: pipeline(
        #"{"type": "RandomShear", "x_factor": 0.5, "fill_mode": "constant", "fill_value": 9},"#
          + #"{"type": "RandomCrop", "height": 10, "width": 12}"#))
    let input = ApplyTests.image()
    let record = SampleRecord(
      original: false, params: [.shear(shearX: 0.3, shearY: -0.2), .crop(x: 4, y: 5)])
    let output = try spec.apply(record, to: input)
    let sheared = Kernels.affine(
      input, .shear(x: 0.3, y: -0.2), interpolation: .bilinear, fillMode: .constant, fillValue: 9)
    guard case .uint8(let pixels) = output.values else {
      Issue.record("expected uint8")
      return
    }
    // The crop folds into the shear's resampling pass: equal up to one rounding step.
    let separate = Kernels.crop(sheared, x: 4, y: 5, height: 10, width: 12).pixels
    #expect(pixels.count == separate.count)
    #expect(zip(pixels, separate).allSatisfy { abs(Int($0) - Int($1)) <= 1 })
    #expect(zip(pixels, separate).filter { $0 != $1 }.count < pixels.count / 20)
    let original = try spec.apply(SampleRecord(original: true, params: []), to: input)
    #expect(original.shape == [10, 12, 3])
  }

  @Test("blur and perspective apply only when their record says so")
  func filtersApply() throws {
    let spec = try PipelineSpec(
      json: pipeline(
        #"{"type": "RandomGaussianBlur", "kernel_size": 5}, {"type": "RandomPerspective", "fill_value": 40}"#)
    )
    let input = ApplyTests.image(channels: 4)
    let end: [Float] = [0, 0, 27, 2, 3, 20, 33, 24]
    let skipped = SampleRecord(
      original: false,
      params: [
        .gaussianBlur(shouldApplyBlur: false, blurFactorX: 0.8, blurFactorY: 0.8),
        .perspective(applyPerspective: false, endPoints: end),
      ])
    guard case .uint8(let unchanged) = try spec.apply(skipped, to: input).values else { return }
    #expect(unchanged == input.pixels)
    let applied = SampleRecord(
      original: false,
      params: [
        .gaussianBlur(shouldApplyBlur: true, blurFactorX: 0.8, blurFactorY: 0.6),
        .perspective(applyPerspective: true, endPoints: end),
      ])
    guard case .uint8(let pixels) = try spec.apply(applied, to: input).values else { return }
    let blurred = Kernels.gaussianBlur(input, kernelHeight: 5, kernelWidth: 5, sigmaX: 0.8, sigmaY: 0.6)
    let start = TransformSpec.perspectiveStartPoints(ImageSize(height: input.height, width: input.width))
    let startPoints: [(x: Float, y: Float)] = (0..<4).map { (x: start[2 * $0], y: start[2 * $0 + 1]) }
    let endPoints: [(x: Float, y: Float)] = (0..<4).map { (x: end[2 * $0], y: end[2 * $0 + 1]) }
    let solved = ProjectiveTransform.homography(start: startPoints, end: endPoints)
    let transform = try #require(solved)
    #expect(pixels == Kernels.perspective(blurred, transform, fillValue: 40).pixels)
    #expect(pixels != input.pixels)
  }
}

/// Canonical forms of default transforms, keys sorted.
enum CanonicalText {
  static let shear =
    #"{"fill_mode":"reflect","fill_value":0.0,"interpolation":"bilinear","type":"RandomShear","x_factor":[0.0,0.0],"y_factor":[0.0,0.0]}"#
  static let elastic =
    #"{"factor":[0.0,1.0],"fill_mode":"reflect","fill_value":0.0,"interpolation":"bilinear","scale":[0.0,1.0],"type":"RandomElasticTransform","value_range":[0.0,255.0]}"#
}

@Suite("Elastic transform records and noise")
struct ElasticLayerTests {
  @Test("the noise field is a pure function of its seed, with mean 0 and variance 1")
  func noise() {
    let field = ElasticNoise.field(seed: 42, count: 20_000)
    #expect(field == ElasticNoise.field(seed: 42, count: 20_000))
    #expect(field != ElasticNoise.field(seed: 43, count: 20_000))
    #expect(Array(field.prefix(100)) == ElasticNoise.field(seed: 42, count: 100))
    let mean = field.reduce(0.0) { $0 + Double($1) } / Double(field.count)
    let variance = field.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(field.count)
    #expect(abs(mean) < 0.03 && abs(variance - 1) < 0.05)
    #expect(field.allSatisfy { abs($0) <= 6 })
  }

  @Test(
    "the noise field is the stream's words three per value, whatever the count",
    arguments: [0, 1, 3, 4, 5, 7, 8, 11, 12, 13, 1_001])
  func noiseFromTheStream(count: Int) {
    // The definition, word by word from a stream; `field` computes three blocks at a time.
    var stream = DrawStream(key: SIMD2(7, 0x6175_6773_2D65_6C61), counterBase: .zero)
    var expected: [Float] = []
    for _ in 0..<count {
      var sum: UInt64 = 0
      for _ in 0..<3 {
        let word = stream.nextWord()
        sum += (word & 0xFFFF) + ((word >> 16) & 0xFFFF) + ((word >> 32) & 0xFFFF) + (word >> 48)
      }
      expected.append(Float((Double(sum) + 6) / 65536 - 6))
    }
    #expect(ElasticNoise.field(seed: 7, count: count) == expected)
  }

  @Test("draws: probability from factor, distortion from scale, nothing when an upper bound is 0")
  func draws() throws {
    let spec = try PipelineSpec(
      json: pipeline(
        #"{"type": "RandomElasticTransform", "factor": [0.2, 0.6], "scale": [0.25, 0.5]},"#
          + #"{"type": "RandomElasticTransform", "scale": 0}"#))
    var applied = 0
    var seeds = Set<UInt64>()
    for index in 0..<3000 {
      let record = try spec.drawRecord(
        seed: 11, sampleKey: SampleKey(path: "e/\(index)"), epoch: 0,
        imageSize: ImageSize(height: 9, width: 8))
      guard case .elasticTransform(let apply, let distortion, let seed) = record.params[0],
        case .elasticTransform(let never, _, _) = record.params[1]
      else {
        Issue.record("unexpected \(record.params)")
        return
      }
      if apply { applied += 1 }
      seeds.insert(seed)
      #expect(distortion >= 0.25 && distortion <= 0.5)
      #expect(!never)
    }
    // P(u < U(0.2, 0.6)) = 0.4.
    #expect(abs(Double(applied) / 3000 - 0.4) < 0.04)
    #expect(seeds.count == 3000)
  }

  @Test("applying replays the recorded field; a record that does not apply leaves the image")
  func applies() throws {
    let spec = try PipelineSpec(
      json: pipeline(#"{"type": "RandomElasticTransform", "fill_mode": "constant", "fill_value": 3}"#))
    let input = ApplyTests.image(height: 29, width: 31, channels: 3)
    let record = SampleRecord(
      original: false, params: [.elasticTransform(applyTransform: true, distortionFactor: 0.8, noiseSeed: 99)]
    )
    guard case .uint8(let first) = try spec.apply(record, to: input).values,
      case .uint8(let second) = try spec.apply(record, to: input).values
    else { return }
    #expect(first == second && first != input.pixels)
    let parameters = ElasticParameters(height: 29, width: 31, distortionFactor: 0.8)
    let displacement = Kernels.elasticDisplacement(
      noise: ElasticNoise.field(seed: 99, count: 29 * 31), height: 29, width: 31, parameters: parameters)
    let expected = Kernels.elasticTransform(
      input, displacement: displacement, alpha: parameters.alpha, interpolation: .bilinear,
      fillMode: .constant,
      fillValue: 3)
    #expect(first == expected.pixels)
    let other = SampleRecord(
      original: false,
      params: [.elasticTransform(applyTransform: true, distortionFactor: 0.8, noiseSeed: 100)])
    guard case .uint8(let third) = try spec.apply(other, to: input).values else { return }
    #expect(third != first)
    let skipped = SampleRecord(
      original: false,
      params: [.elasticTransform(applyTransform: false, distortionFactor: 0.8, noiseSeed: 99)])
    guard case .uint8(let unchanged) = try spec.apply(skipped, to: input).values else { return }
    #expect(unchanged == input.pixels)
  }
}
