/// Pixel kernels that apply concrete augmentation parameters to ``Tensor`` images.
///
/// Every kernel is a pure function of its inputs: the same tensor and parameters give the same bytes on
/// any thread. Results that pass through floating point are converted back to `UInt8` by rounding half
/// away from zero and clamping to `0...255` (``Kernels/toUInt8(_:)``). Arithmetic follows TensorFlow's
/// float32 kernels (as Keras 3 calls them) operation for operation wherever that matters for parity; the
/// only libm calls are `sin`/`cos` when a rotation matrix is built, and their results are quantized
/// (see ``AffineTransform``).
public enum Kernels {
  /// Converts a float sample to `UInt8`: rounds half away from zero, then clamps to `0...255`.
  ///
  /// NaN maps to 0.
  @inlinable
  public static func toUInt8(_ value: Float) -> UInt8 {
    // `value + 0.5` then truncation equals rounding half away from zero for non-negative values.
    if !(value > 0) { return 0 }
    if value >= 254.5 { return 255 }
    return UInt8(truncatingIfNeeded: Int32(value + 0.5))
  }
}

/// How a geometric kernel reads between input pixels.
public enum Interpolation: String, Sendable, CaseIterable {
  /// The input pixel at the rounded coordinate (halves round away from zero, as `std::round`).
  case nearest
  /// The weighted mean of the four surrounding input pixels.
  case bilinear
}

/// How a geometric kernel fills output pixels whose source lies outside the input.
///
/// These follow TensorFlow's `ImageProjectiveTransformV3` (and so Keras 3) exactly.
public enum FillMode: String, Sendable, CaseIterable {
  /// `(d c b a | a b c d | d c b a)`: mirror about the edge of the last pixel.
  case reflect
  /// `(a b c d | a b c d | a b c d)`: wrap around to the opposite edge.
  case wrap
  /// `(k k k k | a b c d | k k k k)`: the fill value.
  case constant
  /// `(a a a a | a b c d | d d d d)`: the nearest edge pixel.
  case nearest
}

/// How ``Kernels/resize(_:height:width:method:)`` samples, as `tf.image.resize` with
/// `half_pixel_centers` and no antialiasing.
public enum ResizeMethod: String, Sendable, CaseIterable {
  /// Bilinear interpolation between the two nearest rows and columns.
  case bilinear
  /// The input pixel whose area contains the output pixel's centre.
  case nearest
  /// The area-weighted mean of the input pixels the output pixel covers.
  case area
}
