import AugStoreImaging

extension TransformSpec {
  /// Parses `RandAugment` with the checks Keras 3.15.1 makes (directly or through the sub-layers it
  /// builds): `factor` a number or pair in [0, 1] (`f` means `[0, f]`), `num_ops` a non-negative
  /// integer (Keras fails when it draws with a negative or fractional count; augstore also caps it at
  /// 1000), `interpolation` "nearest" or "bilinear", `value_range` a list of two numbers.
  static func parseComposite(
    _ type: String, _ reader: ArgumentReader
  ) throws(PipelineSpecError) -> TransformSpec {
    let numOps = try reader.number("num_ops", default: 2)
    guard numOps == numOps.rounded() else {
      throw reader.error(.wrongType, "num_ops", "num_ops must be an integer, got \(formatNumber(numOps))")
    }
    try reader.checkBounds("num_ops", numOps, 0...1000)
    return .randAugment(
      valueRange: try reader.valueRange("value_range"), numOps: Int(numOps),
      factor: try reader.factor(
        "factor", default: FactorRange(lower: 0, upper: 0.5), bounds: 0...1, single: .fromZero),
      interpolation: try reader.choice("interpolation", default: Interpolation.bilinear))
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
    default:
      return []
    }
  }
}
