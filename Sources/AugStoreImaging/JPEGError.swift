import Foundation

/// Why a JPEG could not be decoded.
///
/// `errorDescription` is one short line that never names the file; callers prefix the path,
/// e.g. `"photos/cat.jpg: unsupported JPEG: CMYK colour; convert it to RGB first"`.
public enum JPEGError: Error, LocalizedError, Equatable, Sendable {
  /// The input holds no bytes at all.
  case empty
  /// The input does not start with the JPEG signature `FF D8 FF` (SOI followed by a marker), or is
  /// shorter than it.
  case notJPEG
  /// The data is corrupt or truncated; `reason` is augstore's header parser's message (for example
  /// `"truncated header (no start of scan)"` or `"image width is zero"`) or libjpeg-turbo's own,
  /// for example `"Premature end of JPEG file"` or `"Corrupt JPEG data: bad Huffman code"`.
  case invalid(reason: String)
  /// A well-formed JPEG of a kind augstore does not decode: CMYK or YCCK colour, samples other
  /// than 8 bits (12-bit JPEGs), lossless or hierarchical coding, or component counts other than
  /// 1 and 3. `reason` names the kind, for example `"12-bit samples (only 8-bit JPEGs are
  /// supported)"`.
  case unsupported(reason: String)
  /// The header is valid but `width * height` exceeds the caller's pixel budget. Raised before any
  /// pixel memory is allocated (this is the defence against decompression bombs).
  case tooLarge(width: Int, height: Int, budget: Int)

  /// One line without the file path.
  public var errorDescription: String? {
    switch self {
    case .empty:
      return "empty file"
    case .notJPEG:
      return "not a JPEG file (bad signature)"
    case .invalid(let reason):
      return "invalid JPEG: \(reason)"
    case .unsupported(let reason):
      return "unsupported JPEG: \(reason)"
    case .tooLarge(let width, let height, let budget):
      return "image too large: \(width)x\(height) pixels exceeds the budget of \(budget) pixels"
    }
  }
}
