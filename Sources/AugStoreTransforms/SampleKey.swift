import Crypto

/// The stable 64-bit identity of a sample, used to address its random draws.
///
/// A sample key is a function of the sample's relative path only: the first 8 bytes, read big-endian,
/// of the SHA-256 of the path's UTF-8 bytes. It is the same in every dataset version that contains the
/// path, so adding images to a dataset never changes the draws of images already there. The path is
/// hashed exactly as given (no Unicode or separator normalization): pass the relative path as the
/// catalog stores it, with `/` separators.
public struct SampleKey: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// The 64-bit key, word 0 of every Philox counter that addresses this sample's draws.
  public let rawValue: UInt64

  /// Wraps an already computed key.
  public init(rawValue: UInt64) {
    self.rawValue = rawValue
  }

  /// Derives the key of the sample at `path`: big-endian first 8 bytes of SHA-256(UTF-8 of `path`).
  public init(path: String) {
    let digest = SHA256.hash(data: Array(path.utf8))
    var value: UInt64 = 0
    for (index, byte) in digest.enumerated() where index < 8 {
      value = (value << 8) | UInt64(byte)
    }
    self.rawValue = value
  }

  /// Orders keys by their raw value.
  public static func < (lhs: SampleKey, rhs: SampleKey) -> Bool {
    lhs.rawValue < rhs.rawValue
  }

  /// The key as 16 lowercase hexadecimal digits.
  public var description: String {
    let hex = String(rawValue, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
  }
}
