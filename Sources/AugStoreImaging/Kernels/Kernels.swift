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

  /// Rounds a value already known to lie in `0...255` (a convex blend of samples) half away from zero.
  @inlinable
  static func blendToUInt8(_ value: Float) -> UInt8 {
    UInt8(truncatingIfNeeded: Int32(value + 0.5))
  }

  /// ``toUInt8(_:)`` for finite values, without data-dependent branches (min/max compile to
  /// `minss`/`maxss`), for hot loops whose values cannot be NaN.
  @inlinable
  static func clampToUInt8(_ value: Float) -> UInt8 {
    UInt8(truncatingIfNeeded: Int32(Swift.min(Swift.max(value, 0), 255) + 0.5))
  }

  /// `floor` for `|x| < 2³¹` without libm: baseline x86-64 has no `roundss`, so `rounded(.down)` calls
  /// `floorf` per pixel. Exact.
  @inlinable
  static func floorSmall(_ x: Float) -> Float {
    let t = Float(Int(x))
    return t > x ? t - 1 : t
  }

  /// `std::round` (half away from zero) for `|x| < 2³¹` without libm. Exact: `x − trunc(x)` is exact.
  @inlinable
  static func roundSmall(_ x: Float) -> Float {
    let t = Float(Int(x))
    let d = x - t
    return d >= 0.5 ? t + 1 : (d <= -0.5 ? t - 1 : t)
  }

  /// `⌊x⌋` for `0 ≤ x < 2²²`, exact: `x + 2²³` holds `x` rounded to nearest in its low mantissa bits,
  /// minus one where that rounded up. Cheaper than `Int(x)`'s range-checked conversion.
  @inline(__always)
  static func floorIndex(_ x: Float) -> Int {
    let magic: Float = 8_388_608
    let shifted = x + magic
    let nearest = Int(shifted.bitPattern &- 0x4B00_0000)
    return shifted - magic > x ? nearest &- 1 : nearest
  }

  /// Four bytes as exact floats (`punpck` + `cvtdq2ps`).
  @inline(__always)
  static func floats(_ bytes: SIMD4<UInt8>) -> SIMD4<Float> {
    SIMD4<Float>(SIMD4<Int32>(truncatingIfNeeded: bytes))
  }

  /// `UInt8(⌊z⌋)` per lane for `0 ≤ z < 256` (the low byte of the floor for larger `z < 2²²`), without
  /// the standard library's float-to-integer vector conversion (scalarized, with range checks):
  /// `z + 2²³` rounds `z` to the nearest integer in its low mantissa bits, and one is taken off where
  /// that rounded up. Exact; equals `Int32(z)` for these `z`.
  @inline(__always)
  static func floorBytes(_ z: SIMD4<Float>) -> SIMD4<UInt8> {
    let magic = SIMD4<Float>(repeating: 8_388_608)
    let shifted = z + magic
    let bits = unsafeBitCast(shifted, to: SIMD4<Int32>.self)
    let roundedUp = (shifted - magic) .> z
    let floor = bits &+ SIMD4<Int32>(repeating: 0).replacing(with: -1, where: roundedUp)
    return SIMD4<UInt8>(truncatingIfNeeded: floor)
  }

  // Lane conversions written lane by lane, for LLVM to turn into unpacks and packs. The standard
  // library's generic `init(truncatingIfNeeded:)` on `SIMD8` is sometimes left as an out-of-line call
  // per vector (its inlining depends on how many call sites the module has).

  /// The 16 bytes zero-extended, four per vector in order.
  @inline(__always)
  static func widenedBytes(_ x: SIMD16<UInt8>) -> (SIMD4<Int32>, SIMD4<Int32>, SIMD4<Int32>, SIMD4<Int32>) {
    (
      SIMD4(Int32(x[0]), Int32(x[1]), Int32(x[2]), Int32(x[3])),
      SIMD4(Int32(x[4]), Int32(x[5]), Int32(x[6]), Int32(x[7])),
      SIMD4(Int32(x[8]), Int32(x[9]), Int32(x[10]), Int32(x[11])),
      SIMD4(Int32(x[12]), Int32(x[13]), Int32(x[14]), Int32(x[15]))
    )
  }

  /// The low 16 bits of each lane of `a` then `b`.
  @inline(__always)
  static func narrowed(_ a: SIMD4<Int32>, _ b: SIMD4<Int32>) -> SIMD8<Int16> {
    SIMD8(
      Int16(truncatingIfNeeded: a[0]), Int16(truncatingIfNeeded: a[1]), Int16(truncatingIfNeeded: a[2]),
      Int16(truncatingIfNeeded: a[3]), Int16(truncatingIfNeeded: b[0]), Int16(truncatingIfNeeded: b[1]),
      Int16(truncatingIfNeeded: b[2]), Int16(truncatingIfNeeded: b[3]))
  }

  /// The low byte of each lane.
  @inline(__always)
  static func lowBytes(_ x: SIMD8<Int16>) -> SIMD8<UInt8> {
    SIMD8(
      UInt8(truncatingIfNeeded: x[0]), UInt8(truncatingIfNeeded: x[1]), UInt8(truncatingIfNeeded: x[2]),
      UInt8(truncatingIfNeeded: x[3]), UInt8(truncatingIfNeeded: x[4]), UInt8(truncatingIfNeeded: x[5]),
      UInt8(truncatingIfNeeded: x[6]), UInt8(truncatingIfNeeded: x[7]))
  }

  /// `d[i] = UInt8(w0·top[i] + w1·bottom[i] + 0.5)` (truncated; every value lies in `0...255`),
  /// sixteen samples at a time, then four: the vertical half of
  /// ``AffineSampler/blend(_:_:_:_:_:_:_:_:)`` (``AffineSampler/lerp(_:_:_:_:)``) for the separable
  /// affine path. ``clampedBytes16(_:)`` rounds as `floorBytes(x + 0.5)` does for these values.
  @inline(__always)
  static func blendRows(
    _ top: UnsafePointer<Float>, _ bottom: UnsafePointer<Float>, _ w0: Float, _ w1: Float,
    _ d: UnsafeMutablePointer<UInt8>, _ count: Int
  ) {
    let t = UnsafeRawPointer(top)
    let b = UnsafeRawPointer(bottom)
    let out = UnsafeMutableRawPointer(d)
    let v0 = SIMD4<Float>(repeating: w0)
    let v1 = SIMD4<Float>(repeating: w1)
    let half = SIMD4<Float>(repeating: 0.5)
    let wide0 = SIMD16<Float>(repeating: w0)
    let wide1 = SIMD16<Float>(repeating: w1)
    var i = 0
    while i &+ 16 <= count {
      let x = AffineSampler.lerp(
        wide0, wide1, t.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self),
        b.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self))
      out.storeBytes(of: clampedBytes16(x), toByteOffset: i, as: SIMD16<UInt8>.self)
      i &+= 16
    }
    while i + 4 <= count {
      let x = AffineSampler.lerp(
        v0, v1, t.loadUnaligned(fromByteOffset: i &* 4, as: SIMD4<Float>.self),
        b.loadUnaligned(fromByteOffset: i &* 4, as: SIMD4<Float>.self))
      out.storeBytes(
        of: unsafeBitCast(floorBytes(x + half), to: UInt32.self), toByteOffset: i, as: UInt32.self)
      i &+= 4
    }
    while i < count {
      d[i] = blendToUInt8(AffineSampler.lerp(w0, w1, top[i], bottom[i]))
      i &+= 1
    }
  }

  /// A tensor whose samples `body` writes, without zero-filling them first; `body` must write them all.
  @inlinable
  /// Sets to 0 every byte of the `height` × `width` image at `pixels` outside `rows` × `columns`.
  static func zeroOutside(
    _ pixels: UnsafeMutablePointer<UInt8>, height: Int, width: Int, channels: Int, rows: Range<Int>,
    columns: Range<Int>
  ) {
    let rowLength = width * channels
    guard !rows.isEmpty, !columns.isEmpty else {
      pixels.initialize(repeating: 0, count: height * rowLength)
      return
    }
    pixels.initialize(repeating: 0, count: rows.lowerBound * rowLength)
    for y in rows {
      let row = pixels + y * rowLength
      row.initialize(repeating: 0, count: columns.lowerBound * channels)
      (row + columns.upperBound * channels).initialize(
        repeating: 0, count: (width - columns.upperBound) * channels)
    }
    (pixels + rows.upperBound * rowLength).initialize(
      repeating: 0, count: (height - rows.upperBound) * rowLength)
  }

  static func makeTensor(
    height: Int, width: Int, channels: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Void
  ) -> Tensor {
    let count = height * width * channels
    let pixels = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
      if let base = buffer.baseAddress { body(base) }
      initialized = count
    }
    return Tensor(height: height, width: width, channels: channels, pixels: pixels)
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
