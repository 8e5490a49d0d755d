import AugStoreImaging
import Crypto

extension PipelineSpec {
  /// Parses and validates pipeline JSON (see DESIGN.md): `{"transforms": [...],
  /// "original_probability": 0.0, "output": {"dtype": ..., "layout": ...}}`.
  ///
  /// - Throws: ``PipelineSpecError`` naming the transform index and field: unknown type or argument,
  ///   missing required argument, wrong JSON type, out-of-range value, invalid order or dtype.
  public init(json: String) throws(PipelineSpecError) {
    try self.init(jsonBytes: Array(json.utf8))
  }

  /// Parses and validates pipeline JSON from UTF-8 bytes (see ``init(json:)``).
  public init(jsonBytes: [UInt8]) throws(PipelineSpecError) {
    let root: JSONValue
    do {
      root = try JSONValue.parse(jsonBytes)
    } catch {
      throw PipelineSpecError(
        kind: .invalidJSON, transformIndex: nil, field: nil,
        message: "pipeline: invalid JSON at byte \(error.offset): \(error.message)")
    }
    guard case .object(let members) = root else {
      throw PipelineSpecError(
        kind: .invalidJSON, transformIndex: nil, field: nil,
        message: "pipeline: expected a JSON object, got \(root.typeName)")
    }
    let top = ArgumentReader(location: "pipeline", index: nil, members: members)
    try top.rejectUnknown(
      allowed: ["transforms", "original_probability", "output", "jpeg_dct_scaling"], topLevel: true)

    guard let transformsValue = top.value("transforms") else {
      throw PipelineSpecError(
        kind: .missingArgument, transformIndex: nil, field: "transforms",
        message: "pipeline: missing required key \"transforms\"")
    }
    guard case .array(let transformValues) = transformsValue else {
      throw PipelineSpecError(
        kind: .wrongType, transformIndex: nil, field: "transforms",
        message: "transforms: must be an array, got \(transformsValue.typeName)")
    }
    var transforms: [TransformSpec] = []
    for (index, value) in try Self.flattenPipelines(transformValues).enumerated() {
      transforms.append(try TransformSpec.parse(value, index: index))
    }

    var probability = 0.0
    if let value = top.value("original_probability") {
      guard case .number(let number) = value else {
        throw PipelineSpecError(
          kind: .wrongType, transformIndex: nil, field: "original_probability",
          message: "original_probability: must be a number, got \(value.typeName)")
      }
      guard number >= 0, number <= 1 else {
        throw PipelineSpecError(
          kind: .outOfRange, transformIndex: nil, field: "original_probability",
          message: "original_probability: \(formatNumber(number)) is out of range [0, 1]")
      }
      probability = number
    }

    if let batchLevel = transforms.firstIndex(where: \.isBatchLevel) {
      for index in (batchLevel + 1)..<transforms.count {
        let transform = transforms[index]
        guard transform.isBatchLevel || !(transform.producesFloat) else { continue }
        throw PipelineSpecError(
          kind: .invalidOrder, transformIndex: index, field: nil,
          message:
            "transforms[\(index)] (\(transform.typeName)): must come before transforms[\(batchLevel)] "
            + "(\(transforms[batchLevel].typeName)); a batch-level layer mixes the finished images"
            + (transform.isBatchLevel ? ", and a pipeline has at most one" : ""))
      }
    }
    let firstFloat = transforms.firstIndex { $0.producesFloat }
    if let firstFloat {
      for index in (firstFloat + 1)..<transforms.count where !transforms[index].producesFloat {
        throw PipelineSpecError(
          kind: .invalidOrder, transformIndex: index, field: nil,
          message:
            "transforms[\(index)] (\(transforms[index].typeName)): must come before "
            + "transforms[\(firstFloat)] (\(transforms[firstFloat].typeName)); "
            + "image transforms work on uint8 pixels")
      }
    }
    let output = try OutputSpec.parse(top.value("output"), needsFloat: firstFloat.map { transforms[$0] })
    var scaling = false
    if let value = top.value("jpeg_dct_scaling") {
      guard case .bool(let flag) = value else {
        throw PipelineSpecError(
          kind: .wrongType, transformIndex: nil, field: "jpeg_dct_scaling",
          message: "jpeg_dct_scaling: must be true or false, got \(value.typeName)")
      }
      scaling = flag
    }
    if scaling {
      guard case .resizing? = transforms.first else {
        throw PipelineSpecError(
          kind: .invalidValue, transformIndex: nil, field: "jpeg_dct_scaling",
          message:
            "jpeg_dct_scaling: needs Resizing as the first transform (JPEGs are decoded straight towards its size)"
        )
      }
    }
    self.init(
      unchecked: transforms, originalProbability: probability, output: output, jpegDCTScaling: scaling)
  }

  /// The canonical JSON: every argument present with its default filled in, factor arguments as their
  /// resolved `[lower, upper]` pair, object keys sorted, numbers in Swift's shortest round-trip form
  /// (`0.1`, `1.0`, `1e-05`), integers without a fraction, and no whitespace.
  public var canonicalJSON: String {
    var members: [(key: String, value: JSONValue)] = [
      ("original_probability", .number(originalProbability)),
      (
        "output",
        .object([("dtype", .string(output.dtype.rawValue)), ("layout", .string(output.layout.rawValue))])
      ),
      ("transforms", .array(transforms.map(\.canonicalValue))),
    ]
    // Named only when on, so pipelines without it keep the fingerprints they had.
    if jpegDCTScaling { members.append(("jpeg_dct_scaling", .bool(true))) }
    return JSONValue.object(members).canonicalText()
  }

  /// The pipeline's identity: lowercase hexadecimal SHA-256 of the UTF-8 bytes of ``canonicalJSON``.
  public var fingerprint: String {
    let digest = SHA256.hash(data: Array(canonicalJSON.utf8))
    return digest.map { byte in
      let hex = String(byte, radix: 16)
      return byte < 16 ? "0" + hex : hex
    }.joined()
  }
}

/// Formats a number for an error message: integers without a fraction, others in shortest form.
func formatNumber(_ value: Double) -> String {
  if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
  return value.description
}

extension OutputSpec {
  static func parse(_ value: JSONValue?, needsFloat: TransformSpec?) throws(PipelineSpecError) -> OutputSpec {
    var members: [(key: String, value: JSONValue)] = []
    if let value {
      guard case .object(let object) = value else {
        throw PipelineSpecError(
          kind: .wrongType, transformIndex: nil, field: "output",
          message: "output: must be an object, got \(value.typeName)")
      }
      members = object
    }
    let reader = ArgumentReader(location: "output", index: nil, members: members)
    try reader.rejectUnknown(allowed: ["dtype", "layout"], topLevel: false)
    let defaultType: OutputDType = needsFloat == nil ? .uint8 : .float32
    let dtype = try reader.choice("dtype", default: defaultType, separator: ".")
    let layout = try reader.choice("layout", default: OutputLayout.channelsLast, separator: ".")
    if dtype == .uint8, let needsFloat {
      throw PipelineSpecError(
        kind: .invalidValue, transformIndex: nil, field: "output.dtype",
        message: "output.dtype: \"uint8\" cannot hold the output of \(needsFloat.typeName); use \"float32\"")
    }
    return OutputSpec(dtype: dtype, layout: layout)
  }
}

/// How a single number `f` resolves to a factor range.
enum SingleFactorRule {
  /// `[-|f|, |f|]`.
  case symmetric
  /// `[0, f]`.
  case fromZero
}

/// Reads typed arguments from one JSON object, producing messages that name the location and field.
struct ArgumentReader {
  let location: String
  let index: Int?
  let members: [(key: String, value: JSONValue)]

  func value(_ name: String) -> JSONValue? {
    members.first { $0.key == name }?.value
  }

  func error(_ kind: PipelineSpecError.Kind, _ field: String?, _ text: String) -> PipelineSpecError {
    return PipelineSpecError(kind: kind, transformIndex: index, field: field, message: "\(location): \(text)")
  }

  func rejectUnknown(allowed: [String], topLevel: Bool) throws(PipelineSpecError) {
    for member in members where !allowed.contains(member.key) {
      let what = topLevel ? "unknown key" : (index == nil ? "unknown key" : "unknown argument")
      throw error(.unknownArgument, member.key, "\(what) \"\(member.key)\"")
    }
  }

  func required(_ name: String) throws(PipelineSpecError) -> JSONValue {
    guard let value = value(name) else {
      throw error(.missingArgument, name, "missing required argument \"\(name)\"")
    }
    return value
  }

  func number(_ name: String, default defaultValue: Double?) throws(PipelineSpecError) -> Double {
    guard let value = value(name) else {
      if let defaultValue { return defaultValue }
      throw error(.missingArgument, name, "missing required argument \"\(name)\"")
    }
    guard case .number(let number) = value else {
      throw error(.wrongType, name, "\(name) must be a number, got \(value.typeName)")
    }
    return number
  }

  func probability(_ name: String, default defaultValue: Double) throws(PipelineSpecError) -> Double {
    let number = try number(name, default: defaultValue)
    guard number >= 0, number <= 1 else {
      throw error(.outOfRange, name, "\(name) \(formatNumber(number)) is out of range [0, 1]")
    }
    return number
  }

  func size(_ name: String) throws(PipelineSpecError) -> Int {
    let value = try required(name)
    guard case .number(let number) = value else {
      throw error(.wrongType, name, "\(name) must be an integer, got \(value.typeName)")
    }
    guard number == number.rounded() else {
      throw error(.wrongType, name, "\(name) must be an integer, got \(formatNumber(number))")
    }
    guard number >= 1, number <= 1_000_000 else {
      throw error(.outOfRange, name, "\(name) \(formatNumber(number)) is out of range [1, 1000000]")
    }
    return Int(number)
  }

  func choice<E: RawRepresentable & CaseIterable>(
    _ name: String, default defaultValue: E, separator: String = ": "
  ) throws(PipelineSpecError) -> E where E.RawValue == String {
    guard let value = value(name) else { return defaultValue }
    let dotted = separator == "."
    let prefix = dotted ? "\(location).\(name): " : "\(location): \(name) "
    let field = dotted ? "\(location).\(name)" : name
    guard case .string(let text) = value else {
      throw PipelineSpecError(
        kind: .wrongType, transformIndex: index, field: field,
        message: prefix + "must be a string, got \(value.typeName)")
    }
    guard let result = E(rawValue: text) else {
      let options = E.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
      throw PipelineSpecError(
        kind: .invalidValue, transformIndex: index, field: field,
        message: prefix + "\"\(text)\" is not one of \(options)")
    }
    return result
  }

  func factor(
    _ name: String, default defaultValue: FactorRange?, bounds: ClosedRange<Double>, single: SingleFactorRule
  ) throws(PipelineSpecError) -> FactorRange {
    guard let value = value(name) else {
      if let defaultValue { return defaultValue }
      throw error(.missingArgument, name, "missing required argument \"\(name)\"")
    }
    return try resolveFactor(name, value, bounds: bounds, single: single)
  }

  func optionalFactor(
    _ name: String, bounds: ClosedRange<Double>, single: SingleFactorRule
  )
    throws(PipelineSpecError) -> FactorRange?
  {
    guard let value = value(name), value != .null else { return nil }
    return try resolveFactor(name, value, bounds: bounds, single: single)
  }

  func checkBounds(_ name: String, _ number: Double, _ bounds: ClosedRange<Double>) throws(PipelineSpecError)
  {
    guard bounds.contains(number) else {
      throw error(
        .outOfRange, name,
        "\(name) \(formatNumber(number)) is out of range "
          + "[\(formatNumber(bounds.lowerBound)), \(formatNumber(bounds.upperBound))]")
    }
  }

  func resolveFactor(
    _ name: String, _ value: JSONValue, bounds: ClosedRange<Double>, single: SingleFactorRule
  )
    throws(PipelineSpecError) -> FactorRange
  {
    switch value {
    case .number(let number):
      try checkBounds(name, number, bounds)
      switch single {
      case .symmetric: return FactorRange(lower: -abs(number), upper: abs(number))
      case .fromZero: return FactorRange(lower: 0, upper: number)
      }
    case .array(let items):
      let numbers = try numberPair(name, items, what: "a number or a list of two numbers")
      try checkBounds(name, numbers.0, bounds)
      try checkBounds(name, numbers.1, bounds)
      return FactorRange(lower: min(numbers.0, numbers.1), upper: max(numbers.0, numbers.1))
    default:
      throw error(
        .wrongType, name, "\(name) must be a number or a list of two numbers, got \(value.typeName)")
    }
  }

  func numberPair(
    _ name: String, _ items: [JSONValue], what: String
  ) throws(PipelineSpecError) -> (
    Double, Double
  ) {
    guard items.count == 2 else {
      throw error(.invalidValue, name, "\(name) must be \(what), got a list of \(items.count)")
    }
    guard case .number(let first) = items[0], case .number(let second) = items[1] else {
      throw error(.wrongType, name, "\(name) must be \(what), got a list with a non-number")
    }
    return (first, second)
  }

  func valueRange(_ name: String) throws(PipelineSpecError) -> ValueRange {
    guard let value = value(name) else { return .uint8 }
    guard case .array(let items) = value else {
      throw error(.wrongType, name, "\(name) must be a list of two numbers, got \(value.typeName)")
    }
    let pair = try numberPair(name, items, what: "a list of two numbers")
    guard pair.0 != pair.1 else {
      throw error(.invalidValue, name, "\(name) must span a non-empty range")
    }
    return ValueRange(lower: min(pair.0, pair.1), upper: max(pair.0, pair.1))
  }

  func numberList(_ name: String) throws(PipelineSpecError) -> [Double] {
    let value = try required(name)
    switch value {
    case .number(let number): return [number]
    case .array(let items) where !items.isEmpty:
      var numbers: [Double] = []
      for item in items {
        guard case .number(let number) = item else {
          throw error(
            .wrongType, name,
            "\(name) must be a number or a list of numbers, got a list with \(item.typeName)")
        }
        numbers.append(number)
      }
      return numbers
    default:
      throw error(
        .wrongType, name, "\(name) must be a number or a non-empty list of numbers, got \(value.typeName)")
    }
  }
}

extension PipelineSpec {
  /// Opens Keras' `Pipeline` layer, `{"type": "Pipeline", "layers": [...]}`: its layers join the
  /// pipeline in order (nested pipelines too), so records, history and error messages number every
  /// transform by its place in the flattened list, and the canonical JSON is the flat pipeline (a
  /// nested spec and its flat form have the same fingerprint).
  static func flattenPipelines(
    _ values: [JSONValue], from first: Int = 0
  ) throws(PipelineSpecError)
    -> [JSONValue]
  {
    var flat: [JSONValue] = []
    for value in values {
      guard case .object(let members) = value,
        members.first(where: { $0.key == "type" })?.value == .string("Pipeline")
      else {
        flat.append(value)
        continue
      }
      let index = first + flat.count
      let reader = ArgumentReader(
        location: "transforms[\(index)] (Pipeline)", index: index,
        members: members.filter { $0.key != "type" })
      try reader.rejectUnknown(allowed: ["layers"], topLevel: false)
      guard case .array(let layers) = try reader.required("layers") else {
        throw reader.error(
          .wrongType, "layers",
          "layers must be a list of transforms, got \(reader.value("layers")?.typeName ?? "")")
      }
      flat += try flattenPipelines(layers, from: index)
    }
    return flat
  }
}

extension TransformSpec {
  package static let argumentNames: [String: [String]] = [
    "RandomFlip": ["mode"],
    "RandomRotation": ["factor", "fill_mode", "interpolation", "fill_value"],
    "RandomZoom": ["height_factor", "width_factor", "fill_mode", "interpolation", "fill_value"],
    "RandomTranslation": ["height_factor", "width_factor", "fill_mode", "interpolation", "fill_value"],
    "RandomShear": ["x_factor", "y_factor", "interpolation", "fill_mode", "fill_value"],
    "RandomGaussianBlur": ["factor", "kernel_size", "sigma", "value_range"],
    "RandomPerspective": ["factor", "scale", "interpolation", "fill_value"],
    "RandomElasticTransform": ["factor", "scale", "interpolation", "fill_mode", "fill_value", "value_range"],
    "RandomCrop": ["height", "width"],
    "CenterCrop": ["height", "width"],
    "Resizing": ["height", "width", "interpolation"],
    "RandomBrightness": ["factor", "value_range"],
    "RandomContrast": ["factor", "value_range"],
    "RandomSaturation": ["factor", "value_range"],
    "RandomHue": ["factor", "value_range"],
    "RandomGrayscale": ["factor"],
    "RandomErasing": ["factor", "scale", "fill_value", "value_range"],
    "RandomInvert": ["factor", "value_range"],
    "Solarization": ["addition_factor", "threshold_factor", "value_range"],
    "RandomPosterization": ["factor", "value_range"],
    "RandomColorDegeneration": ["factor", "value_range"],
    "AutoContrast": ["value_range"],
    "Equalization": ["value_range", "bins"],
    "ContrastLimitedAdaptiveHistogramEqualization": ["value_range", "clip_limit", "tile_grid_size"],
    "RandomSharpness": ["factor", "value_range"],
    "RandomColorJitter": [
      "value_range", "brightness_factor", "contrast_factor", "saturation_factor", "hue_factor",
    ],
    "RandAugment": ["value_range", "num_ops", "factor", "interpolation"],
    "AugMix": ["value_range", "num_chains", "chain_depth", "factor", "alpha", "all_ops", "interpolation"],
    "Rescaling": ["scale", "offset"],
    "Normalization": ["mean", "variance"],
    "MixUp": ["alpha"],
    "CutMix": ["factor"],
  ]

  /// The supported transform types, in the order DESIGN.md lists them.
  public static let supportedTypes: [String] = [
    "RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation",
    "RandomShear", "RandomGaussianBlur", "RandomPerspective", "RandomElasticTransform",
    "RandomCrop", "CenterCrop", "Resizing",
    "RandomBrightness", "RandomContrast", "RandomSaturation", "RandomHue", "RandomGrayscale", "RandomErasing",
    "RandomInvert", "Solarization", "RandomPosterization", "RandomColorDegeneration", "AutoContrast",
    "Equalization", "ContrastLimitedAdaptiveHistogramEqualization", "RandomSharpness", "RandomColorJitter",
    "RandAugment", "AugMix",
    "Rescaling", "Normalization", "MixUp", "CutMix",
  ]

  static func parse(_ value: JSONValue, index: Int) throws(PipelineSpecError) -> TransformSpec {
    guard case .object(let members) = value else {
      throw PipelineSpecError(
        kind: .wrongType, transformIndex: index, field: nil,
        message: "transforms[\(index)]: must be an object, got \(value.typeName)")
    }
    guard let typeValue = members.first(where: { $0.key == "type" })?.value else {
      throw PipelineSpecError(
        kind: .unknownType, transformIndex: index, field: "type",
        message: "transforms[\(index)]: missing \"type\"")
    }
    guard case .string(let type) = typeValue else {
      throw PipelineSpecError(
        kind: .wrongType, transformIndex: index, field: "type",
        message: "transforms[\(index)]: type must be a string, got \(typeValue.typeName)")
    }
    guard let allowed = argumentNames[type] else {
      throw PipelineSpecError(
        kind: .unknownType, transformIndex: index, field: "type",
        message: "transforms[\(index)]: unknown transform type \"\(type)\"")
    }
    let reader = ArgumentReader(
      location: "transforms[\(index)] (\(type))", index: index, members: members.filter { $0.key != "type" })
    try reader.rejectUnknown(allowed: allowed, topLevel: false)
    let unit: ClosedRange<Double> = -1...1
    let positive: ClosedRange<Double> = 0...1

    switch type {
    case "RandomFlip":
      return .randomFlip(mode: try reader.choice("mode", default: FlipMode.horizontalAndVertical))
    case "RandomRotation":
      return .randomRotation(
        factor: try reader.factor("factor", default: nil, bounds: unit, single: .symmetric),
        fillMode: try reader.choice("fill_mode", default: FillMode.reflect),
        interpolation: try reader.choice("interpolation", default: Interpolation.bilinear),
        fillValue: try reader.number("fill_value", default: 0))
    case "RandomZoom":
      return .randomZoom(
        heightFactor: try reader.factor("height_factor", default: nil, bounds: unit, single: .symmetric),
        widthFactor: try reader.optionalFactor("width_factor", bounds: unit, single: .symmetric),
        fillMode: try reader.choice("fill_mode", default: FillMode.reflect),
        interpolation: try reader.choice("interpolation", default: Interpolation.bilinear),
        fillValue: try reader.number("fill_value", default: 0))
    case "RandomTranslation":
      return .randomTranslation(
        heightFactor: try reader.factor("height_factor", default: nil, bounds: unit, single: .symmetric),
        widthFactor: try reader.factor("width_factor", default: nil, bounds: unit, single: .symmetric),
        fillMode: try reader.choice("fill_mode", default: FillMode.reflect),
        interpolation: try reader.choice("interpolation", default: Interpolation.bilinear),
        fillValue: try reader.number("fill_value", default: 0))
    case "RandomShear", "RandomGaussianBlur", "RandomPerspective", "RandomElasticTransform":
      return try parseGeometryExtra(type, reader)
    case "RandomCrop":
      return .randomCrop(height: try reader.size("height"), width: try reader.size("width"))
    case "CenterCrop":
      return .centerCrop(height: try reader.size("height"), width: try reader.size("width"))
    case "Resizing":
      return .resizing(
        height: try reader.size("height"), width: try reader.size("width"),
        interpolation: try reader.choice("interpolation", default: ResizeMethod.bilinear))
    case "RandomBrightness":
      return .randomBrightness(
        factor: try reader.factor("factor", default: nil, bounds: unit, single: .symmetric),
        valueRange: try reader.valueRange("value_range"))
    case "RandomContrast":
      return .randomContrast(
        factor: try reader.factor("factor", default: nil, bounds: positive, single: .fromZero),
        valueRange: try reader.valueRange("value_range"))
    case "RandomSaturation":
      return .randomSaturation(
        factor: try reader.factor("factor", default: nil, bounds: unit, single: .symmetric),
        valueRange: try reader.valueRange("value_range"))
    case "RandomHue":
      return .randomHue(
        factor: try reader.factor("factor", default: nil, bounds: positive, single: .fromZero),
        valueRange: try reader.valueRange("value_range"))
    case "RandomGrayscale":
      return .randomGrayscale(factor: try reader.probability("factor", default: 0.5))
    case "RandomErasing":
      return .randomErasing(
        factor: try reader.factor(
          "factor", default: FactorRange(lower: 0, upper: 1), bounds: positive, single: .fromZero),
        scale: try reader.factor(
          "scale", default: FactorRange(lower: 0.02, upper: 0.33), bounds: positive, single: .fromZero),
        fillValue: try parseErasingFill(reader),
        valueRange: try reader.valueRange("value_range"))
    case "RandomInvert":
      return .randomInvert(
        factor: try reader.factor(
          "factor", default: FactorRange(lower: 0, upper: 1), bounds: positive, single: .fromZero),
        valueRange: try reader.valueRange("value_range"))
    case "Solarization":
      let zero = FactorRange(lower: 0, upper: 0)
      return .solarization(
        additionFactor: try reader.factor(
          "addition_factor", default: zero, bounds: positive, single: .fromZero),
        thresholdFactor: try reader.factor(
          "threshold_factor", default: zero, bounds: positive, single: .fromZero),
        valueRange: try reader.valueRange("value_range"))
    case "RandomPosterization":
      return .randomPosterization(
        factor: try parsePosterizationBits(reader), valueRange: try reader.valueRange("value_range"))
    case "RandomColorDegeneration":
      return .randomColorDegeneration(
        factor: try reader.factor("factor", default: nil, bounds: unit, single: .symmetric),
        valueRange: try reader.valueRange("value_range"))
    case "AutoContrast":
      return .autoContrast(valueRange: try reader.valueRange("value_range"))
    case "Equalization":
      let bins = try reader.number("bins", default: 256)
      guard bins == bins.rounded() else {
        throw reader.error(.wrongType, "bins", "bins must be an integer, got \(formatNumber(bins))")
      }
      try reader.checkBounds("bins", bins, 1...65_536)
      return .equalization(valueRange: try reader.valueRange("value_range"), bins: Int(bins))
    case "ContrastLimitedAdaptiveHistogramEqualization":
      return try parseCLAHE(reader)
    case "RandomSharpness":
      return .randomSharpness(
        factor: try reader.factor("factor", default: nil, bounds: positive, single: .fromZero),
        valueRange: try reader.valueRange("value_range"))
    case "RandomColorJitter":
      return .randomColorJitter(
        valueRange: try reader.valueRange("value_range"),
        brightnessFactor: try reader.optionalFactor("brightness_factor", bounds: unit, single: .symmetric),
        contrastFactor: try reader.optionalFactor("contrast_factor", bounds: positive, single: .fromZero),
        saturationFactor: try reader.optionalFactor("saturation_factor", bounds: unit, single: .symmetric),
        hueFactor: try reader.optionalFactor("hue_factor", bounds: positive, single: .fromZero))
    case "MixUp":
      let alpha = try reader.number("alpha", default: 0.2)
      guard alpha > 0, alpha.isFinite else {
        throw reader.error(.outOfRange, "alpha", "alpha \(formatNumber(alpha)) must be positive")
      }
      return .mixUp(alpha: alpha)
    case "CutMix":
      return .cutMix(
        factor: try reader.factor(
          "factor", default: FactorRange(lower: 0, upper: 1), bounds: positive, single: .fromZero))
    case "RandAugment", "AugMix":
      return try parseComposite(type, reader)
    case "Rescaling":
      return .rescaling(
        scale: try reader.number("scale", default: nil), offset: try reader.number("offset", default: 0))
    default:  // "Normalization"
      let mean = try reader.numberList("mean")
      let variance = try reader.numberList("variance")
      if let negative = variance.first(where: { $0 < 0 }) {
        throw reader.error(.outOfRange, "variance", "variance \(formatNumber(negative)) must not be negative")
      }
      if mean.count != variance.count, mean.count != 1, variance.count != 1 {
        throw reader.error(
          .invalidValue, "variance",
          "mean has \(mean.count) values and variance \(variance.count); they must match or be single values")
      }
      return .normalization(mean: mean, variance: variance)
    }
  }

  /// `RandomPosterization`'s `factor`: an integer `f` in [1, 8] means `[1, f]` (Keras' `_set_factor`
  /// with bounds (1, 8)); a pair of such integers is sorted.
  private static func parsePosterizationBits(
    _ reader: ArgumentReader
  ) throws(PipelineSpecError) -> FactorRange {
    let range = try reader.factor("factor", default: nil, bounds: 1...8, single: .fromZero)
    for bits in [range.lower, range.upper] where bits != bits.rounded() {
      throw reader.error(
        .wrongType, "factor", "factor must be an integer number of bits, got \(formatNumber(bits))")
    }
    guard case .number = reader.value("factor") else { return range }
    return FactorRange(lower: 1, upper: range.upper)
  }

  private static func parseErasingFill(_ reader: ArgumentReader) throws(PipelineSpecError) -> ErasingFill {
    guard let value = reader.value("fill_value") else { return .noise }
    switch value {
    case .null: return .noise
    case .number(let number): return .constant([number])
    case .array(let items) where items.count == 3:
      var numbers: [Double] = []
      for item in items {
        guard case .number(let number) = item else {
          throw reader.error(
            .wrongType, "fill_value", "fill_value must be null, a number or a list of three numbers")
        }
        numbers.append(number)
      }
      return .constant(numbers)
    case .array:
      throw reader.error(
        .invalidValue, "fill_value", "fill_value must be null, a number or a list of three numbers")
    default:
      throw reader.error(
        .wrongType, "fill_value",
        "fill_value must be null, a number or a list of three numbers, got \(value.typeName)")
    }
  }

  /// This transform as a canonical JSON object (all arguments, defaults filled in).
  var canonicalValue: JSONValue {
    func pair(_ range: FactorRange) -> JSONValue { .array([.number(range.lower), .number(range.upper)]) }
    func values(_ range: ValueRange) -> JSONValue { .array([.number(range.lower), .number(range.upper)]) }
    var members: [(key: String, value: JSONValue)] = [("type", .string(typeName))]
    switch self {
    case .randomFlip(let mode):
      members.append(("mode", .string(mode.rawValue)))
    case .randomRotation(let factor, let fillMode, let interpolation, let fillValue):
      members += [
        ("factor", pair(factor)), ("fill_mode", .string(fillMode.rawValue)),
        ("interpolation", .string(interpolation.rawValue)), ("fill_value", .number(fillValue)),
      ]
    case .randomZoom(let heightFactor, let widthFactor, let fillMode, let interpolation, let fillValue):
      members += [
        ("height_factor", pair(heightFactor)), ("width_factor", widthFactor.map(pair) ?? .null),
        ("fill_mode", .string(fillMode.rawValue)), ("interpolation", .string(interpolation.rawValue)),
        ("fill_value", .number(fillValue)),
      ]
    case .randomTranslation(let heightFactor, let widthFactor, let fillMode, let interpolation, let fillValue):
      members += [
        ("height_factor", pair(heightFactor)), ("width_factor", pair(widthFactor)),
        ("fill_mode", .string(fillMode.rawValue)), ("interpolation", .string(interpolation.rawValue)),
        ("fill_value", .number(fillValue)),
      ]
    case .randomShear, .randomGaussianBlur, .randomPerspective, .randomElasticTransform:
      members += geometryExtraMembers
    case .randomCrop(let height, let width), .centerCrop(let height, let width):
      members += [("height", .integer(height)), ("width", .integer(width))]
    case .resizing(let height, let width, let interpolation):
      members += [
        ("height", .integer(height)), ("width", .integer(width)),
        ("interpolation", .string(interpolation.rawValue)),
      ]
    case .randomBrightness(let factor, let valueRange), .randomContrast(let factor, let valueRange),
      .randomSaturation(let factor, let valueRange), .randomHue(let factor, let valueRange):
      members += [("factor", pair(factor)), ("value_range", values(valueRange))]
    case .randomGrayscale(let factor):
      members.append(("factor", .number(factor)))
    case .randomErasing(let factor, let scale, let fillValue, let valueRange):
      let fill: JSONValue
      switch fillValue {
      case .noise: fill = .null
      case .constant(let numbers) where numbers.count == 1: fill = .number(numbers[0])
      case .constant(let numbers): fill = .array(numbers.map { .number($0) })
      }
      members += [
        ("factor", pair(factor)), ("scale", pair(scale)), ("fill_value", fill),
        ("value_range", values(valueRange)),
      ]
    case .randomInvert(let factor, let valueRange), .randomColorDegeneration(let factor, let valueRange),
      .randomSharpness(let factor, let valueRange):
      members += [("factor", pair(factor)), ("value_range", values(valueRange))]
    case .randomPosterization(let factor, let valueRange):
      members += [
        ("factor", .array([.integer(Int(factor.lower)), .integer(Int(factor.upper))])),
        ("value_range", values(valueRange)),
      ]
    case .solarization(let additionFactor, let thresholdFactor, let valueRange):
      members += [
        ("addition_factor", pair(additionFactor)), ("threshold_factor", pair(thresholdFactor)),
        ("value_range", values(valueRange)),
      ]
    case .autoContrast(let valueRange):
      members.append(("value_range", values(valueRange)))
    case .equalization(let valueRange, let bins):
      members += [("value_range", values(valueRange)), ("bins", .integer(bins))]
    case .clahe(let valueRange, let clipLimit, let gridHeight, let gridWidth):
      members += [
        ("value_range", values(valueRange)), ("clip_limit", .number(clipLimit)),
        ("tile_grid_size", .array([.integer(gridHeight), .integer(gridWidth)])),
      ]
    case .randomColorJitter(let valueRange, let brightness, let contrast, let saturation, let hue):
      members += [
        ("value_range", values(valueRange)), ("brightness_factor", brightness.map(pair) ?? .null),
        ("contrast_factor", contrast.map(pair) ?? .null),
        ("saturation_factor", saturation.map(pair) ?? .null),
        ("hue_factor", hue.map(pair) ?? .null),
      ]
    case .randAugment, .augMix:
      members += compositeMembers
    case .rescaling(let scale, let offset):
      members += [("scale", .number(scale)), ("offset", .number(offset))]
    case .normalization(let mean, let variance):
      members += [
        ("mean", .array(mean.map { .number($0) })), ("variance", .array(variance.map { .number($0) })),
      ]
    case .mixUp(let alpha):
      members.append(("alpha", .number(alpha)))
    case .cutMix(let factor):
      members.append(("factor", pair(factor)))
    }
    return .object(members)
  }
}
