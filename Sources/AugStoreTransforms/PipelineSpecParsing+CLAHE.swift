extension TransformSpec {
  /// `ContrastLimitedAdaptiveHistogramEqualization`'s arguments. Keras 3.15.1 checks none of them; these
  /// are the values its arithmetic can run with: `clip_limit` a number (≤ 0 turns clipping off, as in
  /// Keras), `tile_grid_size` a list of two integers in [1, 4096] (Keras unpacks exactly two and
  /// divides by each), `value_range` two distinct numbers.
  static func parseCLAHE(_ reader: ArgumentReader) throws(PipelineSpecError) -> TransformSpec {
    let clipLimit = try reader.number("clip_limit", default: 4)
    let (gridHeight, gridWidth) = try reader.tileGridSize("tile_grid_size", default: (8, 8))
    return .clahe(
      valueRange: try reader.valueRange("value_range"), clipLimit: clipLimit, tileGridHeight: gridHeight,
      tileGridWidth: gridWidth)
  }
}

extension ArgumentReader {
  /// A pair of positive integers `(height, width)`.
  func tileGridSize(_ name: String, default defaultValue: (Int, Int)) throws(PipelineSpecError) -> (Int, Int)
  {
    guard let value = value(name) else { return defaultValue }
    guard case .array(let items) = value else {
      throw error(.wrongType, name, "\(name) must be a list of two integers, got \(value.typeName)")
    }
    let pair = try numberPair(name, items, what: "a list of two integers")
    for number in [pair.0, pair.1] {
      guard number == number.rounded() else {
        throw error(.wrongType, name, "\(name) must hold integers, got \(formatNumber(number))")
      }
      try checkBounds(name, number, 1...4096)
    }
    return (Int(pair.0), Int(pair.1))
  }
}
