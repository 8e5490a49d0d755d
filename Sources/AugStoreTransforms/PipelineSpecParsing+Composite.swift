import AugStoreImaging

extension TransformSpec {
  /// Parses the composite layers with the checks Keras 3.15.1 makes (directly or through the
  /// sub-layers it builds):
  ///
  /// - `RandAugment`: `factor` a number or pair in [0, 1] (`f` means `[0, f]`), `num_ops` a
  ///   non-negative integer (Keras fails when it draws with a negative or fractional count; augstore
  ///   also caps it at 1000), `interpolation` "nearest" or "bilinear", `value_range` a list of two
  ///   numbers.
  /// - `AugMix`: the same `factor`, `interpolation` and `value_range`; `num_chains` an integer in
  ///   1...100 and `chain_depth` an integer in 0...100 (Keras' `range()` needs integers; it checks no
  ///   bounds, and with no chain only scales the image down: augstore refuses that and caps both),
  ///   `alpha` a number above 0 (TensorFlow's Gamma draws are NaN at 0 and below), `all_ops` a boolean.
  static func parseComposite(
    _ type: String, _ reader: ArgumentReader
  ) throws(PipelineSpecError) -> TransformSpec {
    let valueRange = try reader.valueRange("value_range")
    let interpolation = try reader.choice("interpolation", default: Interpolation.bilinear)
    if type == "AugMix" {
      let alpha = try reader.number("alpha", default: 1)
      guard alpha > 0, alpha.isFinite else {
        throw reader.error(.outOfRange, "alpha", "alpha must be a number above 0, got \(formatNumber(alpha))")
      }
      return .augMix(
        valueRange: valueRange, numChains: try reader.count("num_chains", default: 3, bounds: 1...100),
        chainDepth: try reader.count("chain_depth", default: 3, bounds: 0...100),
        factor: try reader.factor(
          "factor", default: FactorRange(lower: 0, upper: 0.3), bounds: 0...1, single: .fromZero),
        alpha: alpha, allOps: try reader.bool("all_ops", default: true), interpolation: interpolation)
    }
    return .randAugment(
      valueRange: valueRange, numOps: try reader.count("num_ops", default: 2, bounds: 0...1000),
      factor: try reader.factor(
        "factor", default: FactorRange(lower: 0, upper: 0.5), bounds: 0...1, single: .fromZero),
      interpolation: interpolation)
  }

  /// The canonical arguments of a composite transform (all of them, defaults filled in).
  var compositeMembers: [(key: String, value: JSONValue)] {
    switch self {
    case .randAugment(let valueRange, let numOps, let factor, let interpolation):
      return [
        ("value_range", .array([.number(valueRange.lower), .number(valueRange.upper)])),
        ("num_ops", .integer(numOps)), ("factor", .array([.number(factor.lower), .number(factor.upper)])),
        ("interpolation", .string(interpolation.rawValue)),
      ]
    case .augMix(
      let valueRange, let numChains, let chainDepth, let factor, let alpha, let allOps, let interpolation):
      return [
        ("value_range", .array([.number(valueRange.lower), .number(valueRange.upper)])),
        ("num_chains", .integer(numChains)), ("chain_depth", .integer(chainDepth)),
        ("factor", .array([.number(factor.lower), .number(factor.upper)])), ("alpha", .number(alpha)),
        ("all_ops", .bool(allOps)), ("interpolation", .string(interpolation.rawValue)),
      ]
    default:
      return []
    }
  }
}

extension ArgumentReader {
  /// An integer argument within `bounds` ("NAME must be an integer" for a fraction).
  func count(
    _ name: String, default defaultValue: Int, bounds: ClosedRange<Int>
  ) throws(PipelineSpecError) -> Int {
    let number = try number(name, default: Double(defaultValue))
    guard number == number.rounded() else {
      throw error(.wrongType, name, "\(name) must be an integer, got \(formatNumber(number))")
    }
    try checkBounds(name, number, Double(bounds.lowerBound)...Double(bounds.upperBound))
    return Int(number)
  }

  /// A boolean argument.
  func bool(_ name: String, default defaultValue: Bool) throws(PipelineSpecError) -> Bool {
    guard let value = value(name) else { return defaultValue }
    guard case .bool(let flag) = value else {
      throw error(.wrongType, name, "\(name) must be true or false, got \(value.typeName)")
    }
    return flag
  }
}
