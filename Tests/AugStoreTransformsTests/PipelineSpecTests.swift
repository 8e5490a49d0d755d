import Testing

@testable import AugStoreTransforms

let designExample = """
  {
    "transforms": [
      {"type": "RandomFlip", "mode": "horizontal"},
      {"type": "RandomRotation", "factor": 0.1, "fill_mode": "reflect", "interpolation": "bilinear"},
      {"type": "RandomCrop", "height": 24, "width": 24},
      {"type": "RandomContrast", "factor": 0.2}
    ],
    "original_probability": 0.0,
    "output": {"dtype": "uint8", "layout": "channels_last"}
  }
  """

func parseError(_ json: String) -> PipelineSpecError? {
  do {
    _ = try PipelineSpec(json: json)
    return nil
  } catch {
    return error
  }
}

func pipeline(_ transforms: String, extra: String = "") -> String {
  "{\"transforms\": [\(transforms)]\(extra)}"
}

@Suite("Pipeline spec")
struct PipelineSpecTests {
  @Test("parses the DESIGN.md example into typed transforms")
  func parsesDesignExample() throws {
    let spec = try PipelineSpec(json: designExample)
    #expect(
      spec.transforms == [
        .randomFlip(mode: .horizontal),
        .randomRotation(
          factor: FactorRange(lower: -0.1, upper: 0.1), fillMode: .reflect, interpolation: .bilinear,
          fillValue: 0),
        .randomCrop(height: 24, width: 24),
        .randomContrast(factor: FactorRange(lower: 0, upper: 0.2), valueRange: .uint8),
      ])
    #expect(spec.originalProbability == 0)
    #expect(spec.output == OutputSpec(dtype: .uint8, layout: .channelsLast))
  }

  @Test("canonical JSON fills defaults, sorts keys and drops whitespace")
  func canonicalForm() throws {
    let spec = try PipelineSpec(json: designExample)
    #expect(
      spec.canonicalJSON
        == #"{"original_probability":0.0,"output":{"dtype":"uint8","layout":"channels_last"},"transforms":["#
        + #"{"mode":"horizontal","type":"RandomFlip"},"#
        + #"{"factor":[-0.1,0.1],"fill_mode":"reflect","fill_value":0.0,"interpolation":"bilinear","type":"RandomRotation"},"#
        + #"{"height":24,"type":"RandomCrop","width":24},"#
        + #"{"factor":[0.0,0.2],"type":"RandomContrast","value_range":[0.0,255.0]}]}"#)
    #expect(spec.fingerprint.count == 64)
    #expect(spec.fingerprint.allSatisfy { "0123456789abcdef".contains($0) })
    #expect(try PipelineSpec(json: spec.canonicalJSON) == spec)
  }

  @Test("fingerprint ignores key order, whitespace, number spelling and spelled-out defaults")
  func fingerprintStable() throws {
    let a = try PipelineSpec(json: designExample)
    let b = try PipelineSpec(
      json: """
        {"output":{"layout":"channels_last"},"transforms":[{"mode":"horizontal","type":"RandomFlip"},
        {"interpolation":"bilinear","type":"RandomRotation","factor":[0.1,-1e-1],"fill_value":0},
        {"width":24.0,"height":24,"type":"RandomCrop"},{"type":"RandomContrast","factor":0.20,
        "value_range":[255,0]}]}
        """)
    #expect(a == b)
    #expect(a.fingerprint == b.fingerprint)
    let c = try PipelineSpec(json: designExample.replacingOccurrences(of: "0.2}", with: "0.3}"))
    #expect(c.fingerprint != a.fingerprint)
  }

  @Test("every transform type parses with its Keras defaults")
  func allTypes() throws {
    let spec = try PipelineSpec(
      json: pipeline(
        """
        {"type": "RandomFlip"},
        {"type": "RandomZoom", "height_factor": [-0.2, 0.3]},
        {"type": "RandomZoom", "height_factor": 0.1, "width_factor": null},
        {"type": "RandomTranslation", "height_factor": 0.1, "width_factor": [-0.2, 0.1]},
        {"type": "CenterCrop", "height": 10, "width": 12},
        {"type": "Resizing", "height": 8, "width": 8, "interpolation": "area"},
        {"type": "RandomBrightness", "factor": 0.25},
        {"type": "RandomSaturation", "factor": 0.5},
        {"type": "RandomHue", "factor": [0.1, 0.4], "value_range": [0, 1]},
        {"type": "RandomGrayscale"},
        {"type": "RandomErasing"},
        {"type": "RandomErasing", "fill_value": [1, 2, 3]},
        {"type": "Rescaling", "scale": 0.00392156862745098},
        {"type": "Normalization", "mean": [0.5, 0.4, 0.3], "variance": 0.25}
        """))
    #expect(spec.transforms[0] == .randomFlip(mode: .horizontalAndVertical))
    #expect(
      spec.transforms[1]
        == .randomZoom(
          heightFactor: FactorRange(lower: -0.2, upper: 0.3), widthFactor: nil, fillMode: .reflect,
          interpolation: .bilinear, fillValue: 0))
    #expect(
      spec.transforms[3]
        == .randomTranslation(
          heightFactor: FactorRange(lower: -0.1, upper: 0.1),
          widthFactor: FactorRange(lower: -0.2, upper: 0.1),
          fillMode: .reflect, interpolation: .bilinear, fillValue: 0))
    #expect(spec.transforms[5] == .resizing(height: 8, width: 8, interpolation: .area))
    #expect(
      spec.transforms[6]
        == .randomBrightness(factor: FactorRange(lower: -0.25, upper: 0.25), valueRange: .uint8))
    #expect(
      spec.transforms[7]
        == .randomSaturation(factor: FactorRange(lower: -0.5, upper: 0.5), valueRange: .uint8))
    #expect(
      spec.transforms[8]
        == .randomHue(factor: FactorRange(lower: 0.1, upper: 0.4), valueRange: ValueRange(lower: 0, upper: 1))
    )
    #expect(spec.transforms[9] == .randomGrayscale(factor: 0.5))
    #expect(
      spec.transforms[10]
        == .randomErasing(
          factor: FactorRange(lower: 0, upper: 1), scale: FactorRange(lower: 0.02, upper: 0.33),
          fillValue: .noise,
          valueRange: .uint8))
    #expect(spec.output.dtype == .float32)
    #expect(try PipelineSpec(json: spec.canonicalJSON) == spec)
    #expect(
      try spec.imageSizes(input: ImageSize(height: 32, width: 40)).last == ImageSize(height: 8, width: 8))
  }

  @Test("single-number factors resolve as Keras 3.15.1's code does, not as its documentation says")
  func singleFactorsFollowKeras() throws {
    let spec = try PipelineSpec(
      json:
        #"{"transforms": [{"type": "RandomContrast", "factor": 0.2}, {"type": "RandomSaturation", "factor": 0.3},"#
        + #" {"type": "RandomContrast", "factor": [0.1, 0.4]}, {"type": "RandomSaturation", "factor": [0.6, 0.2]}]}"#
    )
    // RandomContrast(0.2): Keras' `_set_factor` clips the lower bound at 0, so the contrast factor is
    // drawn from [1.0, 1.2] (the documentation says [0.8, 1.2]); a pair [a, b] draws from [1 - a, 1 + b].
    #expect(
      spec.transforms[0] == .randomContrast(factor: FactorRange(lower: 0, upper: 0.2), valueRange: .uint8))
    #expect(
      spec.transforms[2] == .randomContrast(factor: FactorRange(lower: 0.1, upper: 0.4), valueRange: .uint8))
    // RandomSaturation(0.3): the default bounds [-1, 1] give [-0.3, 0.3].
    #expect(
      spec.transforms[1]
        == .randomSaturation(factor: FactorRange(lower: -0.3, upper: 0.3), valueRange: .uint8))
    #expect(
      spec.transforms[3] == .randomSaturation(factor: FactorRange(lower: 0.2, upper: 0.6), valueRange: .uint8)
    )
    let key = SampleKey(path: "a.png")
    var contrasts: [Float] = []
    var saturations: [Float] = []
    for epoch in 0..<400 {
      let record = try spec.drawRecord(
        seed: 11, sampleKey: key, epoch: epoch, imageSize: ImageSize(height: 4, width: 4))
      guard case .contrast(let c) = record.params[0], case .saturation(let s) = record.params[1] else {
        Issue.record("unexpected params \(record.params)")
        return
      }
      contrasts.append(c)
      saturations.append(s)
    }
    #expect(contrasts.allSatisfy { $0 >= 1 && $0 < 1.2 })
    #expect(contrasts.contains { $0 > 1.15 } && contrasts.contains { $0 < 1.05 })
    // f in [-0.3, 0.3) gives f / (1 - f + 1e-7) in [-0.23, 0.43).
    #expect(saturations.allSatisfy { $0 >= -0.2308 && $0 < 0.4286 })
    #expect(saturations.filter { $0 < 0 }.count > 120)
  }

  @Test("Keras' Pipeline layer nests transforms: flattened in order, same fingerprint as the flat spec")
  func nestedPipelinesFlatten() throws {
    let nested = try PipelineSpec(
      json: #"{"transforms": [{"type": "RandomFlip", "mode": "horizontal"}, {"type": "Pipeline", "layers": ["#
        + #"{"type": "RandomRotation", "factor": 0.1}, {"type": "Pipeline", "layers": [{"type": "RandomCrop", "#
        + #""height": 24, "width": 24}]}, {"type": "Pipeline", "layers": []}]}, {"type": "RandomContrast", "#
        + #""factor": 0.2}]}"#)
    let flat = try PipelineSpec(json: designExample)
    #expect(nested == flat)
    #expect(nested.fingerprint == flat.fingerprint)
    #expect(nested.canonicalJSON == flat.canonicalJSON)
    let failures: [(String, String)] = [
      (
        #"{"transforms": [{"type": "RandomFlip"}, {"type": "Pipeline", "layers": 3}]}"#,
        "transforms[1] (Pipeline): layers must be a list of transforms, got number"
      ),
      (
        #"{"transforms": [{"type": "Pipeline", "layers": [], "name": "p"}]}"#,
        "transforms[0] (Pipeline): unknown argument \"name\""
      ),
      (
        #"{"transforms": [{"type": "RandomFlip"}, {"type": "Pipeline", "layers": [{"type": "RandomFlip"}, "#
          + #"{"type": "RandomZoom", "height_factor": 3}]}]}"#,
        "transforms[2] (RandomZoom): height_factor 3 is out of range [-1, 1]"
      ),
    ]
    for (json, message) in failures {
      #expect {
        try PipelineSpec(json: json)
      } throws: { error in
        (error as? PipelineSpecError)?.message == message
      }
    }
  }

  @Test("typed construction validates like parsing")
  func typedConstruction() throws {
    let spec = try PipelineSpec(transforms: [.randomFlip(mode: .vertical)], originalProbability: 0.25)
    #expect(spec.canonicalJSON.contains(#""original_probability":0.25"#))
    #expect(throws: PipelineSpecError.self) {
      try PipelineSpec(transforms: [.randomGrayscale(factor: 2)])
    }
  }

  struct Rejection: Sendable, CustomTestStringConvertible {
    var json: String
    var kind: PipelineSpecError.Kind
    var message: String
    var testDescription: String { message }
  }

  static let rejections: [Rejection] = [
    Rejection(
      json: "{\"transforms\": [", kind: .invalidJSON,
      message: "pipeline: invalid JSON at byte 16: unexpected end of input"),
    Rejection(json: "[]", kind: .invalidJSON, message: "pipeline: expected a JSON object, got array"),
    Rejection(json: "{}", kind: .missingArgument, message: "pipeline: missing required key \"transforms\""),
    Rejection(
      json: pipeline("", extra: ", \"shuffle\": true"), kind: .unknownArgument,
      message: "pipeline: unknown key \"shuffle\""),
    Rejection(
      json: pipeline("{\"type\": \"RandomFlip\"}, {\"type\": \"RandomBlur\"}"), kind: .unknownType,
      message: "transforms[1]: unknown transform type \"RandomBlur\""),
    Rejection(
      json: pipeline("{\"mode\": \"horizontal\"}"), kind: .unknownType,
      message: "transforms[0]: missing \"type\""),
    Rejection(
      json: pipeline(
        "{\"type\": \"RandomFlip\"}, {\"type\": \"RandomFlip\"}, {\"type\": \"RandomRotation\", \"factr\": 0.1}"
      ),
      kind: .unknownArgument, message: "transforms[2] (RandomRotation): unknown argument \"factr\""),
    Rejection(
      json: pipeline("{\"type\": \"RandomCrop\", \"height\": 24}"), kind: .missingArgument,
      message: "transforms[0] (RandomCrop): missing required argument \"width\""),
    Rejection(
      json: pipeline("{\"type\": \"RandomRotation\", \"factor\": \"0.1\"}"), kind: .wrongType,
      message: "transforms[0] (RandomRotation): factor must be a number or a list of two numbers, got string"),
    Rejection(
      json: pipeline("{\"type\": \"RandomRotation\", \"factor\": 1.5}"), kind: .outOfRange,
      message: "transforms[0] (RandomRotation): factor 1.5 is out of range [-1, 1]"),
    Rejection(
      json: pipeline("{\"type\": \"RandomRotation\", \"factor\": [0.1, 0.2, 0.3]}"), kind: .invalidValue,
      message:
        "transforms[0] (RandomRotation): factor must be a number or a list of two numbers, got a list of 3"),
    Rejection(
      json: pipeline("{\"type\": \"RandomContrast\", \"factor\": -0.2}"), kind: .outOfRange,
      message: "transforms[0] (RandomContrast): factor -0.2 is out of range [0, 1]"),
    Rejection(
      json: pipeline("{\"type\": \"RandomSaturation\", \"factor\": [-0.5, 1.5]}"), kind: .outOfRange,
      message: "transforms[0] (RandomSaturation): factor 1.5 is out of range [-1, 1]"),
    Rejection(
      json: pipeline("{\"type\": \"RandomZoom\", \"height_factor\": 0.1, \"width_factor\": [-1.5, 0]}"),
      kind: .outOfRange, message: "transforms[0] (RandomZoom): width_factor -1.5 is out of range [-1, 1]"),
    Rejection(
      json: pipeline("{\"type\": \"RandomFlip\", \"mode\": \"diagonal\"}"), kind: .invalidValue,
      message:
        "transforms[0] (RandomFlip): mode \"diagonal\" is not one of \"horizontal_and_vertical\", \"horizontal\", \"vertical\""
    ),
    Rejection(
      json: pipeline("{\"type\": \"RandomRotation\", \"factor\": 0.1, \"fill_mode\": 3}"), kind: .wrongType,
      message: "transforms[0] (RandomRotation): fill_mode must be a string, got number"),
    Rejection(
      json: pipeline("{\"type\": \"RandomCrop\", \"height\": 24.5, \"width\": 3}"), kind: .wrongType,
      message: "transforms[0] (RandomCrop): height must be an integer, got 24.5"),
    Rejection(
      json: pipeline("{\"type\": \"CenterCrop\", \"height\": 0, \"width\": 3}"), kind: .outOfRange,
      message: "transforms[0] (CenterCrop): height 0 is out of range [1, 1000000]"),
    Rejection(
      json: pipeline("{\"type\": \"RandomGrayscale\", \"factor\": 1.01}"), kind: .outOfRange,
      message: "transforms[0] (RandomGrayscale): factor 1.01 is out of range [0, 1]"),
    Rejection(
      json: pipeline("", extra: ", \"original_probability\": 1.5"), kind: .outOfRange,
      message: "original_probability: 1.5 is out of range [0, 1]"),
    Rejection(
      json: pipeline("", extra: ", \"original_probability\": true"), kind: .wrongType,
      message: "original_probability: must be a number, got boolean"),
    Rejection(
      json: pipeline("", extra: ", \"output\": {\"dtype\": \"int16\"}"), kind: .invalidValue,
      message: "output.dtype: \"int16\" is not one of \"uint8\", \"float32\""),
    Rejection(
      json: pipeline(
        "{\"type\": \"Rescaling\", \"scale\": 0.5}", extra: ", \"output\": {\"dtype\": \"uint8\"}"),
      kind: .invalidValue,
      message: "output.dtype: \"uint8\" cannot hold the output of Rescaling; use \"float32\""),
    Rejection(
      json: pipeline("{\"type\": \"Rescaling\", \"scale\": 0.5}, {\"type\": \"RandomFlip\"}"),
      kind: .invalidOrder,
      message:
        "transforms[1] (RandomFlip): must come before transforms[0] (Rescaling); image transforms work on uint8 pixels"
    ),
    Rejection(
      json: pipeline("{\"type\": \"Normalization\", \"mean\": [1, 2, 3], \"variance\": [1, 2]}"),
      kind: .invalidValue,
      message:
        "transforms[0] (Normalization): mean has 3 values and variance 2; they must match or be single values"
    ),
    Rejection(
      json: pipeline("{\"type\": \"RandomFlip\", \"mode\": \"horizontal\", \"mode\": \"vertical\"}"),
      kind: .invalidJSON, message: "pipeline: invalid JSON at byte 61: duplicate key \"mode\""),
  ]

  @Test("rejects bad specs with a message naming the transform and field", arguments: rejections)
  func rejects(rejection: Rejection) {
    let error = parseError(rejection.json)
    #expect(error?.kind == rejection.kind)
    #expect(error?.message == rejection.message)
    #expect(error?.errorDescription == rejection.message)
  }

  @Test("crops larger than the image are rejected, tracking sizes through the pipeline")
  func cropTooLarge() throws {
    let spec = try PipelineSpec(json: pipeline("{\"type\": \"RandomCrop\", \"height\": 300, \"width\": 200}"))
    #expect(throws: PipelineSpecError.self) { try spec.imageSizes(input: ImageSize(height: 224, width: 224)) }
    do {
      _ = try spec.imageSizes(input: ImageSize(height: 224, width: 224))
    } catch {
      #expect(error.message == "transforms[0] (RandomCrop): height 300 is larger than the image height 224")
      #expect(error.kind == .imageTooSmall && error.transformIndex == 0 && error.field == "height")
    }
    let chained = try PipelineSpec(
      json: pipeline(
        "{\"type\": \"Resizing\", \"height\": 20, \"width\": 30}, {\"type\": \"CenterCrop\", \"height\": 20, \"width\": 31}"
      ))
    do {
      _ = try chained.imageSizes(input: ImageSize(height: 500, width: 500))
      Issue.record("expected a rejection")
    } catch {
      #expect(error.message == "transforms[1] (CenterCrop): width 31 is larger than the image width 30")
    }
    let upsampled = try PipelineSpec(
      json: pipeline(
        "{\"type\": \"Resizing\", \"height\": 64, \"width\": 64}, {\"type\": \"RandomCrop\", \"height\": 48, \"width\": 40}"
      ))
    let sizes = try upsampled.imageSizes(input: ImageSize(height: 10, width: 10))
    #expect(
      sizes == [
        ImageSize(height: 10, width: 10), ImageSize(height: 64, width: 64), ImageSize(height: 48, width: 40),
      ])
  }
}
