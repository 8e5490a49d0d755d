import Testing

@testable import AugStoreTransforms

/// Parsing, defaults and validation of the colour layers RandomInvert, Solarization, RandomPosterization,
/// RandomColorDegeneration, AutoContrast, Equalization, RandomSharpness and RandomColorJitter.
@Suite("Colour layer specs")
struct ColourLayerSpecTests {
  @Test("each colour layer parses with Keras 3.15.1's defaults and factor resolution")
  func defaults() throws {
    let spec = try PipelineSpec(
      json: pipeline(
        """
        {"type": "RandomInvert"},
        {"type": "Solarization"},
        {"type": "RandomPosterization", "factor": 4},
        {"type": "RandomColorDegeneration", "factor": 0.5},
        {"type": "AutoContrast"},
        {"type": "Equalization"},
        {"type": "RandomSharpness", "factor": 0.3},
        {"type": "RandomColorJitter"},
        {"type": "RandomColorJitter", "brightness_factor": 0.2, "contrast_factor": 0.3,
         "saturation_factor": [0.1, 0.6], "hue_factor": 0.1, "value_range": [0, 1]},
        {"type": "RandomPosterization", "factor": [6, 2]}
        """))
    #expect(
      spec.transforms == [
        .randomInvert(factor: FactorRange(lower: 0, upper: 1), valueRange: .uint8),
        .solarization(
          additionFactor: FactorRange(lower: 0, upper: 0), thresholdFactor: FactorRange(lower: 0, upper: 0),
          valueRange: .uint8),
        .randomPosterization(factor: FactorRange(lower: 1, upper: 4), valueRange: .uint8),
        .randomColorDegeneration(factor: FactorRange(lower: -0.5, upper: 0.5), valueRange: .uint8),
        .autoContrast(valueRange: .uint8),
        .equalization(valueRange: .uint8, bins: 256),
        .randomSharpness(factor: FactorRange(lower: 0, upper: 0.3), valueRange: .uint8),
        .randomColorJitter(
          valueRange: .uint8, brightnessFactor: nil, contrastFactor: nil, saturationFactor: nil,
          hueFactor: nil),
        .randomColorJitter(
          valueRange: ValueRange(lower: 0, upper: 1), brightnessFactor: FactorRange(lower: -0.2, upper: 0.2),
          contrastFactor: FactorRange(lower: 0, upper: 0.3),
          saturationFactor: FactorRange(lower: 0.1, upper: 0.6),
          hueFactor: FactorRange(lower: 0, upper: 0.1)),
        .randomPosterization(factor: FactorRange(lower: 2, upper: 6), valueRange: .uint8),
      ])
    #expect(try PipelineSpec(json: spec.canonicalJSON) == spec)
    #expect(spec.output.dtype == .uint8)
    let canonical = spec.canonicalJSON
    #expect(canonical.contains(#"{"factor":[1,4],"type":"RandomPosterization","value_range":[0.0,255.0]}"#))
    #expect(canonical.contains(#"{"bins":256,"type":"Equalization","value_range":[0.0,255.0]}"#))
    #expect(
      canonical.contains(
        #"{"brightness_factor":null,"contrast_factor":null,"hue_factor":null,"saturation_factor":null,"#
          + #""type":"RandomColorJitter","value_range":[0.0,255.0]}"#))
    #expect(
      canonical.contains(
        #"{"addition_factor":[0.0,0.0],"threshold_factor":[0.0,0.0],"type":"Solarization","#
          + #""value_range":[0.0,255.0]}"#))
  }

  @Test("spelled-out defaults give the same fingerprint")
  func fingerprints() throws {
    let short = try PipelineSpec(json: pipeline(#"{"type": "RandomInvert"}, {"type": "Equalization"}"#))
    let long = try PipelineSpec(
      json: pipeline(
        #"{"type": "RandomInvert", "factor": [1.0, 0], "value_range": [255, 0]}, "#
          + #"{"type": "Equalization", "bins": 256.0, "value_range": [0, 255]}"#))
    #expect(short.fingerprint == long.fingerprint)
    let other = try PipelineSpec(
      json: pipeline(#"{"type": "RandomInvert"}, {"type": "Equalization", "bins": 64}"#))
    #expect(other.fingerprint != short.fingerprint)
  }

  static let rejections: [PipelineSpecTests.Rejection] = [
    .init(
      json: pipeline(#"{"type": "RandomInvert", "factor": 1.5}"#), kind: .outOfRange,
      message: "transforms[0] (RandomInvert): factor 1.5 is out of range [0, 1]"),
    .init(
      json: pipeline(#"{"type": "RandomInvert", "factor": "x"}"#), kind: .wrongType,
      message: "transforms[0] (RandomInvert): factor must be a number or a list of two numbers, got string"),
    .init(
      json: pipeline(#"{"type": "RandomInvert", "value_range": [3, 3]}"#), kind: .invalidValue,
      message: "transforms[0] (RandomInvert): value_range must span a non-empty range"),
    .init(
      json: pipeline(#"{"type": "Solarization", "addition_factor": -0.1}"#), kind: .outOfRange,
      message: "transforms[0] (Solarization): addition_factor -0.1 is out of range [0, 1]"),
    .init(
      json: pipeline(#"{"type": "Solarization", "threshold_factor": [0.2, 0.4, 0.6]}"#), kind: .invalidValue,
      message:
        "transforms[0] (Solarization): threshold_factor must be a number or a list of two numbers, got a list of 3"
    ),
    .init(
      json: pipeline(#"{"type": "Solarization", "threshold": 0.5}"#), kind: .unknownArgument,
      message: "transforms[0] (Solarization): unknown argument \"threshold\""),
    .init(
      json: pipeline(#"{"type": "RandomPosterization"}"#), kind: .missingArgument,
      message: "transforms[0] (RandomPosterization): missing required argument \"factor\""),
    .init(
      json: pipeline(#"{"type": "RandomPosterization", "factor": 9}"#), kind: .outOfRange,
      message: "transforms[0] (RandomPosterization): factor 9 is out of range [1, 8]"),
    .init(
      json: pipeline(#"{"type": "RandomPosterization", "factor": [0, 4]}"#), kind: .outOfRange,
      message: "transforms[0] (RandomPosterization): factor 0 is out of range [1, 8]"),
    .init(
      json: pipeline(#"{"type": "RandomPosterization", "factor": 2.5}"#), kind: .wrongType,
      message: "transforms[0] (RandomPosterization): factor must be an integer number of bits, got 2.5"),
    .init(
      json: pipeline(#"{"type": "RandomColorDegeneration", "factor": 1.5}"#), kind: .outOfRange,
      message: "transforms[0] (RandomColorDegeneration): factor 1.5 is out of range [-1, 1]"),
    .init(
      json: pipeline(#"{"type": "RandomColorDegeneration"}"#), kind: .missingArgument,
      message: "transforms[0] (RandomColorDegeneration): missing required argument \"factor\""),
    .init(
      json: pipeline(#"{"type": "AutoContrast", "factor": 0.5}"#), kind: .unknownArgument,
      message: "transforms[0] (AutoContrast): unknown argument \"factor\""),
    .init(
      json: pipeline(#"{"type": "AutoContrast", "value_range": 255}"#), kind: .wrongType,
      message: "transforms[0] (AutoContrast): value_range must be a list of two numbers, got number"),
    .init(
      json: pipeline(#"{"type": "Equalization", "bins": 0}"#), kind: .outOfRange,
      message: "transforms[0] (Equalization): bins 0 is out of range [1, 65536]"),
    .init(
      json: pipeline(#"{"type": "Equalization", "bins": 12.5}"#), kind: .wrongType,
      message: "transforms[0] (Equalization): bins must be an integer, got 12.5"),
    .init(
      json: pipeline(#"{"type": "Equalization", "bins": "256"}"#), kind: .wrongType,
      message: "transforms[0] (Equalization): bins must be a number, got string"),
    .init(
      json: pipeline(#"{"type": "RandomSharpness", "factor": -0.2}"#), kind: .outOfRange,
      message: "transforms[0] (RandomSharpness): factor -0.2 is out of range [0, 1]"),
    .init(
      json: pipeline(#"{"type": "RandomColorJitter", "brightness_factor": 2}"#), kind: .outOfRange,
      message: "transforms[0] (RandomColorJitter): brightness_factor 2 is out of range [-1, 1]"),
    .init(
      json: pipeline(#"{"type": "RandomColorJitter", "contrast_factor": -0.1}"#), kind: .outOfRange,
      message: "transforms[0] (RandomColorJitter): contrast_factor -0.1 is out of range [0, 1]"),
    .init(
      json: pipeline(#"{"type": "RandomColorJitter", "saturation_factor": [0.5, 1.2]}"#), kind: .outOfRange,
      message: "transforms[0] (RandomColorJitter): saturation_factor 1.2 is out of range [-1, 1]"),
    .init(
      json: pipeline(#"{"type": "RandomColorJitter", "hue_factor": true}"#), kind: .wrongType,
      message:
        "transforms[0] (RandomColorJitter): hue_factor must be a number or a list of two numbers, got boolean"
    ),
  ]

  @Test("rejects bad colour layer arguments with a one-line message", arguments: rejections)
  func rejects(rejection: PipelineSpecTests.Rejection) {
    let error = parseError(rejection.json)
    #expect(error?.kind == rejection.kind)
    #expect(error?.message == rejection.message)
  }
}
