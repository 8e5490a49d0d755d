import Foundation

/// A 2×3 affine matrix mapping OUTPUT pixel coordinates to INPUT pixel coordinates.
///
/// For an output pixel at column `x`, row `y` the kernel samples the input at
/// `(a0·x + a1·y + a2, b0·x + b1·y + b2)`: the convention of TensorFlow's `ImageProjectiveTransformV3`
/// and Keras' `affine_transform(transform=[a0, a1, a2, b0, b1, b2, 0, 0])`. Pixel centres sit at integer
/// coordinates.
///
/// Every coefficient is **quantized** to float32 (24 significant bits, round to nearest even) whenever a
/// transform is created or composed: the precision TensorFlow's kernel reads the matrix with, and the
/// precision Keras builds it in. Builders evaluate `sin`/`cos` once, in double, and round; so pixels never
/// depend on the last bits of libm's result: two machines whose `sin` differ by an ulp still build the
/// same matrix unless the exact value lies within a double ulp of a float32 rounding boundary (odds about
/// 2⁻²⁹). (An absolute grid such as multiples of 2⁻²⁴ was rejected: it turns Keras' cos 90° ≈ −4.4e-8 into
/// −6.0e-8, and with `wrap` at an exact edge the sign of such tiny terms picks the opposite edge.)
///
/// Composition: `first.followed(by: second)` is the single transform equal to warping with `first` and
/// then warping the result with `second`; because the matrices map output to input, its matrix is the
/// product `first · second`.
public struct AffineTransform: Sendable, Hashable, CustomStringConvertible {
  /// Input x per unit of output x.
  public let a0: Double
  /// Input x per unit of output y.
  public let a1: Double
  /// Input x at the output origin.
  public let a2: Double
  /// Input y per unit of output x.
  public let b0: Double
  /// Input y per unit of output y.
  public let b1: Double
  /// Input y at the output origin.
  public let b2: Double

  /// Creates a transform from its six coefficients, quantizing each to float32.
  public init(a0: Double, a1: Double, a2: Double, b0: Double, b1: Double, b2: Double) {
    self.a0 = Self.quantize(a0)
    self.a1 = Self.quantize(a1)
    self.a2 = Self.quantize(a2)
    self.b0 = Self.quantize(b0)
    self.b1 = Self.quantize(b1)
    self.b2 = Self.quantize(b2)
  }

  /// Rounds `value` to the nearest float32 value (ties to even); non-finite values and values beyond
  /// float32's range become 0.
  public static func quantize(_ value: Double) -> Double {
    let rounded = Float(value)
    return rounded.isFinite ? Double(rounded) : 0
  }

  /// The transform that leaves every pixel where it is.
  public static let identity = AffineTransform(a0: 1, a1: 0, a2: 0, b0: 0, b1: 1, b2: 0)

  /// The eight projective coefficients `[a0, a1, a2, b0, b1, b2, 0, 0]`, as TensorFlow takes them.
  public var coefficients: [Double] { [a0, a1, a2, b0, b1, b2, 0, 0] }

  /// A readable form listing the six coefficients.
  public var description: String {
    "AffineTransform[\(a0), \(a1), \(a2); \(b0), \(b1), \(b2)]"
  }

  /// The single transform equal to warping with `self` and then warping that result with `next`.
  ///
  /// Output coordinates of `next` map through `next` into `self`'s output, then through `self` into the
  /// original input; the product is quantized again.
  public func followed(by next: AffineTransform) -> AffineTransform {
    AffineTransform(
      a0: a0 * next.a0 + a1 * next.b0,
      a1: a0 * next.a1 + a1 * next.b1,
      a2: a0 * next.a2 + a1 * next.b2 + a2,
      b0: b0 * next.a0 + b1 * next.b0,
      b1: b0 * next.a1 + b1 * next.b1,
      b2: b0 * next.a2 + b1 * next.b2 + b2)
  }

  /// Rotation by `degrees` about the image centre, positive counter-clockwise, as Keras 3
  /// `RandomRotation` builds it (`_compute_affine_matrix` with scale 1, no shear or translation).
  ///
  /// With `cx = (width − 1)/2`, `cy = (height − 1)/2`, θ in radians:
  /// `[cos θ, −sin θ, cx − cx·cos θ + cy·sin θ; sin θ, cos θ, cy − cx·sin θ − cy·cos θ]`.
  /// Like Keras, every step runs in float32 (θ = `Float(degrees) · Float(π/180)`, so 90° gives a cosine
  /// of about −4.4e-8, not 0); `sin`/`cos` are evaluated once in double and rounded to float32, and the
  /// result is quantized.
  public static func rotation(degrees: Double, height: Int, width: Int) -> AffineTransform {
    let radians = Float(degrees) * Float(Double.pi / 180)
    let c = Float(cos(Double(radians)))
    let s = Float(sin(Double(radians)))
    let cx = Float(0.5) * (Float(width) - 1)
    let cy = Float(0.5) * (Float(height) - 1)
    let a2 = (cx - cx * c) - cy * -s
    let b2 = (cy - cx * s) - cy * c
    return AffineTransform(
      a0: Double(c), a1: Double(-s), a2: Double(a2), b0: Double(s), b1: Double(c), b2: Double(b2))
  }

  /// Zoom about the image centre, as Keras 3 `RandomZoom` builds it from `height_zoom` and `width_zoom`
  /// (values above 1 zoom out, below 1 zoom in).
  ///
  /// `[wz, 0, (width − 1)/2·(1 − wz); 0, hz, (height − 1)/2·(1 − hz)]`, computed in float32 as Keras
  /// does (so sampling positions that fall exactly half-way between pixels round the same way), then
  /// quantized.
  public static func zoom(
    heightZoom: Double, widthZoom: Double, height: Int, width: Int
  )
    -> AffineTransform
  {
    let zx = Float(widthZoom)
    let zy = Float(heightZoom)
    let xOffset = ((Float(width) - 1) / 2) * (1 - zx)
    let yOffset = ((Float(height) - 1) / 2) * (1 - zy)
    return AffineTransform(
      a0: Double(zx), a1: 0, a2: Double(xOffset), b0: 0, b1: Double(zy), b2: Double(yOffset))
  }

  /// Translation by `x` pixels right and `y` pixels down, as Keras 3 `RandomTranslation` builds it from
  /// its float32 `translations` (already multiplied by the image size): `[1, 0, −x; 0, 1, −y]`.
  public static func translation(x: Double, y: Double) -> AffineTransform {
    AffineTransform(a0: 1, a1: 0, a2: -Double(Float(x)), b0: 0, b1: 1, b2: -Double(Float(y)))
  }

  /// Shear about the image's top-left corner, as Keras 3 `RandomShear` builds it from its float32
  /// `shear_factor` `[x, y]`: `[1, x, 0; y, 1, 0]` (output column `c`, row `r` reads input
  /// `(c + x·r, y·c + r)`).
  public static func shear(x: Double, y: Double) -> AffineTransform {
    AffineTransform(a0: 1, a1: Double(Float(x)), a2: 0, b0: Double(Float(y)), b1: 1, b2: 0)
  }

  /// A crop whose top-left corner is input pixel (`x`, `y`); the output size is chosen when the
  /// transform is applied: `[1, 0, x; 0, 1, y]`.
  public static func crop(x: Int, y: Int) -> AffineTransform {
    AffineTransform(a0: 1, a1: 0, a2: Double(x), b0: 0, b1: 1, b2: Double(y))
  }

  /// A mirror of an image of the given size: `horizontal` maps column `x` to `width − 1 − x`, `vertical`
  /// maps row `y` to `height − 1 − y`.
  public static func flip(horizontal: Bool, vertical: Bool, height: Int, width: Int) -> AffineTransform {
    AffineTransform(
      a0: horizontal ? -1 : 1, a1: 0, a2: horizontal ? Double(width - 1) : 0,
      b0: 0, b1: vertical ? -1 : 1, b2: vertical ? Double(height - 1) : 0)
  }
}
