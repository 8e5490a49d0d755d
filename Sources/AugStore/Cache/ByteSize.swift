import Foundation

/// A size in bytes written for people: `500MB`, `2G`, `1.5GiB`, `1048576`.
///
/// Decimal units (`KB`, `MB`, `GB`, `TB`, and `K`, `M`, `G`, `T`) are powers of 1000; binary
/// units (`KiB`, `MiB`, `GiB`, `TiB`) powers of 1024. Letter case does not matter.
public struct ByteSize: Sendable, Equatable, CustomStringConvertible {
  /// The size in bytes.
  public var bytes: Int

  /// Wraps a byte count.
  public init(bytes: Int) {
    self.bytes = bytes
  }

  /// Parses `NUMBER[UNIT]`; `nil` for anything else or a negative size.
  public init?(parsing text: String) {
    let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
    let digits = trimmed.prefix { $0.isNumber || $0 == "." }
    guard let value = Double(digits), value >= 0 else { return nil }
    let unit = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
    let multipliers: [String: Double] = [
      "": 1, "b": 1, "k": 1e3, "kb": 1e3, "m": 1e6, "mb": 1e6, "g": 1e9, "gb": 1e9, "t": 1e12, "tb": 1e12,
      "kib": 1024, "mib": 1_048_576, "gib": 1_073_741_824, "tib": 1_099_511_627_776,
    ]
    guard let multiplier = multipliers[unit], (value * multiplier) < Double(Int.max) else { return nil }
    bytes = Int((value * multiplier).rounded())
  }

  /// The size with a decimal unit, e.g. `1.2 MB`.
  public var description: String {
    let units = ["B", "KB", "MB", "GB", "TB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1000 && unit < units.count - 1 {
      value /= 1000
      unit += 1
    }
    if unit == 0 { return "\(bytes) B" }
    let tenths = (value * 10).rounded() / 10
    return "\(tenths) \(units[unit])"
  }
}
