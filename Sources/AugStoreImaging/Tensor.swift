/// An 8-bit image tensor of shape (height, width, channels), stored row-major, channels last.
///
/// Invariant: `pixels.count == height * width * channels`, `channels` is 1 to 4, and
/// `height`, `width` are at least 1.
public struct Tensor: Sendable, Equatable {
  /// Rows in the image.
  public let height: Int
  /// Columns in the image.
  public let width: Int
  /// Channels per pixel: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA.
  public let channels: Int
  /// Interleaved samples, `((y * width) + x) * channels + c`.
  public var pixels: [UInt8]

  /// Wraps `pixels`; the caller guarantees the shape invariant.
  public init(height: Int, width: Int, channels: Int, pixels: [UInt8]) {
    precondition(height > 0 && width > 0 && (1...4).contains(channels))
    precondition(pixels.count == height * width * channels)
    self.height = height
    self.width = width
    self.channels = channels
    self.pixels = pixels
  }

  /// A tensor of the given shape with every sample set to `value`.
  public init(height: Int, width: Int, channels: Int, repeating value: UInt8 = 0) {
    self.init(
      height: height, width: width, channels: channels,
      pixels: [UInt8](repeating: value, count: height * width * channels))
  }

  /// Calls `body` with the samples' contiguous storage; the pointer is valid only inside `body`.
  public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
    try pixels.withUnsafeBufferPointer(body)
  }

  /// Calls `body` with mutable access to the samples' contiguous storage; the pointer is valid only
  /// inside `body`, and `body` must not change the element count.
  public mutating func withUnsafeMutableBufferPointer<R>(
    _ body: (inout UnsafeMutableBufferPointer<UInt8>) throws -> R
  ) rethrows -> R {
    try pixels.withUnsafeMutableBufferPointer(body)
  }
}
