import Foundation

/// Why a PNG could not be decoded or encoded.
///
/// `errorDescription` is one short line that never names the file; callers prefix the path,
/// e.g. `"photos/cat.png: not a PNG file (bad signature)"`.
public enum PNGError: Error, LocalizedError, Equatable, Sendable {
  /// The input holds no bytes at all.
  case empty
  /// The input does not start with the 8-byte PNG signature (or is shorter than it).
  case notPNG
  /// The data is corrupt or truncated; `reason` is libpng's own message (or a message in libpng's
  /// style from the 16-bit Adam7 decoder), for example `"IHDR: CRC error"`, `"Not enough image
  /// data"` or `"Image width is zero in IHDR"`.
  case invalid(reason: String)
  /// The header is valid but `width * height` exceeds the caller's pixel budget. Raised before any
  /// pixel memory is allocated (this is the defence against decompression bombs).
  case tooLarge(width: Int, height: Int, budget: Int)
  /// libpng could not encode the tensor; `reason` is libpng's message.
  case encodingFailed(reason: String)

  /// One line without the file path.
  public var errorDescription: String? {
    switch self {
    case .empty:
      return "empty file"
    case .notPNG:
      return "not a PNG file (bad signature)"
    case .invalid(let reason):
      return "invalid PNG: \(reason)"
    case .tooLarge(let width, let height, let budget):
      return "image too large: \(width)x\(height) pixels exceeds the budget of \(budget) pixels"
    case .encodingFailed(let reason):
      return "cannot encode PNG: \(reason)"
    }
  }
}
