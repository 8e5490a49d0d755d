import AugStoreImaging

extension ArgumentReader {
  /// A factor checked as Keras 3's `_set_factor` checks it (bounds [0, 1]): a number must lie in the
  /// bounds and means `[0, f]`; a pair is rejected only when its first value exceeds the upper bound or
  /// its second lies below the lower bound (Keras does not check more), then sorted.
  func kerasProbabilityFactor(
    _ name: String, default defaultValue: FactorRange
  ) throws(PipelineSpecError)
    -> FactorRange
  {
    guard let value = value(name) else { return defaultValue }
    switch value {
    case .number(let number):
      try checkBounds(name, number, 0...1)
      return FactorRange(lower: 0, upper: number)
    case .array(let items):
      let pair = try numberPair(name, items, what: "a number or a list of two numbers")
      guard pair.0 <= 1, pair.1 >= 0 else {
        throw error(
          .outOfRange, name,
          "\(name) [\(formatNumber(pair.0)), \(formatNumber(pair.1))] is out of range: "
            + "the first value must be at most 1 and the second at least 0")
      }
      return FactorRange(lower: min(pair.0, pair.1), upper: max(pair.0, pair.1))
    default:
      throw error(
        .wrongType, name, "\(name) must be a number or a list of two numbers, got \(value.typeName)")
    }
  }

  /// A `RandomShear` factor: a number `f` in [0, 1] means `[-f, f]` (Keras' `_set_factor_with_name`);
  /// a pair is sorted. Keras also requires a pair's values to lie in [0, 1], yet stores `f` as `(-f, f)`
  /// (and so cannot reload its own config); pairs here may lie in [-1, 1], so that the canonical form,
  /// which writes the resolved pair, parses again.
  func shearFactor(_ name: String) throws(PipelineSpecError) -> FactorRange {
    guard let value = value(name) else { return FactorRange(lower: 0, upper: 0) }
    if case .number = value {
      return try resolveFactor(name, value, bounds: 0...1, single: .symmetric)
    }
    return try resolveFactor(name, value, bounds: -1...1, single: .symmetric)
  }

  /// `RandomGaussianBlur`'s `kernel_size`: an odd integer or a pair of odd integers (height, width).
  func kernelSize(_ name: String, default defaultValue: Int) throws(PipelineSpecError) -> (Int, Int) {
    guard let value = value(name) else { return (defaultValue, defaultValue) }
    func odd(_ item: JSONValue) throws(PipelineSpecError) -> Int {
      guard case .number(let number) = item else {
        throw error(
          .wrongType, name, "\(name) must be an odd integer or a list of two, got \(item.typeName)")
      }
      guard number == number.rounded(), number >= 1, number <= 1001,
        Int(number) % 2 == 1
      else {
        throw error(
          .invalidValue, name, "\(name) must be an odd number in [1, 1001], got \(formatNumber(number))")
      }
      return Int(number)
    }
    switch value {
    case .array(let items):
      guard items.count == 2 else {
        throw error(
          .invalidValue, name, "\(name) must be an odd integer or a list of two, got a list of \(items.count)"
        )
      }
      return (try odd(items[0]), try odd(items[1]))
    default:
      let size = try odd(value)
      return (size, size)
    }
  }
}

extension TransformSpec {
  /// Parses `RandomShear`, `RandomGaussianBlur`, `RandomPerspective` and `RandomElasticTransform` with Keras 3.15.1's checks.
  static func parseGeometryExtra(
    _ type: String, _ reader: ArgumentReader
  ) throws(PipelineSpecError)
    -> TransformSpec
  {
    switch type {
    case "RandomShear":
      return .randomShear(
        xFactor: try reader.shearFactor("x_factor"), yFactor: try reader.shearFactor("y_factor"),
        fillMode: try reader.choice("fill_mode", default: FillMode.reflect),
        interpolation: try reader.choice("interpolation", default: Interpolation.bilinear),
        fillValue: try reader.number("fill_value", default: 0))
    case "RandomGaussianBlur":
      let one = FactorRange(lower: 0, upper: 1)
      let factor = try reader.kerasProbabilityFactor("factor", default: one)
      let (kernelHeight, kernelWidth) = try reader.kernelSize("kernel_size", default: 3)
      let sigma = try reader.kerasProbabilityFactor("sigma", default: one)
      return .randomGaussianBlur(
        factor: factor, kernelHeight: kernelHeight, kernelWidth: kernelWidth, sigma: sigma,
        valueRange: try reader.valueRange("value_range"))
    case "RandomElasticTransform":
      let one = FactorRange(lower: 0, upper: 1)
      return .randomElasticTransform(
        factor: try reader.kerasProbabilityFactor("factor", default: one),
        scale: try reader.kerasProbabilityFactor("scale", default: one),
        interpolation: try reader.choice("interpolation", default: Interpolation.bilinear),
        fillMode: try reader.choice("fill_mode", default: MapFillMode.reflect),
        fillValue: try reader.number("fill_value", default: 0),
        valueRange: try reader.valueRange("value_range"))
    default:  // "RandomPerspective"
      let factor = try reader.kerasProbabilityFactor("factor", default: FactorRange(lower: 0, upper: 1))
      let scale = try reader.number("scale", default: 1)
      try reader.checkBounds("scale", scale, 0...1)
      return .randomPerspective(
        factor: factor, scale: scale,
        interpolation: try reader.choice("interpolation", default: Interpolation.bilinear),
        fillValue: try reader.number("fill_value", default: 0))
    }
  }

  /// The canonical arguments of `RandomShear`, `RandomGaussianBlur`, `RandomPerspective` and
  /// `RandomElasticTransform` (empty for
  /// other transforms).
  var geometryExtraMembers: [(key: String, value: JSONValue)] {
    func pair(_ range: FactorRange) -> JSONValue { .array([.number(range.lower), .number(range.upper)]) }
    switch self {
    case .randomShear(let xFactor, let yFactor, let fillMode, let interpolation, let fillValue):
      return [
        ("x_factor", pair(xFactor)), ("y_factor", pair(yFactor)), ("fill_mode", .string(fillMode.rawValue)),
        ("interpolation", .string(interpolation.rawValue)), ("fill_value", .number(fillValue)),
      ]
    case .randomGaussianBlur(let factor, let kernelHeight, let kernelWidth, let sigma, let valueRange):
      return [
        ("factor", pair(factor)), ("kernel_size", .array([.integer(kernelHeight), .integer(kernelWidth)])),
        ("sigma", pair(sigma)),
        ("value_range", .array([.number(valueRange.lower), .number(valueRange.upper)])),
      ]
    case .randomPerspective(let factor, let scale, let interpolation, let fillValue):
      return [
        ("factor", pair(factor)), ("scale", .number(scale)),
        ("interpolation", .string(interpolation.rawValue)),
        ("fill_value", .number(fillValue)),
      ]
    case .randomElasticTransform(
      let factor, let scale, let interpolation, let fillMode, let fillValue, let valueRange):
      return [
        ("factor", pair(factor)), ("scale", pair(scale)), ("interpolation", .string(interpolation.rawValue)),
        ("fill_mode", .string(fillMode.rawValue)), ("fill_value", .number(fillValue)),
        ("value_range", .array([.number(valueRange.lower), .number(valueRange.upper)])),
      ]
    default:
      return []
    }
  }
}
