/// Float32 values, one per lane, as the resampling kernels hold them: `Float` (one pixel's coordinate
/// or one sample), `SIMD4<Float>` (one pixel's channels), `SIMD8<Float>` (eight pixels) and
/// `SIMD16<Float>` (sixteen samples of a row).
///
/// ``AffineSampler``'s per-pixel arithmetic (TensorFlow's `map_coordinate` fill modes, the bilinear
/// weights and the bilinear blend) is written once, generically over this protocol, and the scalar and
/// vector paths all call that one definition. Lane by lane a vector path therefore runs the same float32
/// operations in the same order as the scalar path, which is what keeps their bytes identical. The
/// members are the standard library's (the `SIMD` types) or one-line spellings of them (`Float`); the
/// generic functions are `@inline(__always)` and specialize to the code one would write for each type.
protocol FloatLanes {
  /// The per-lane result of a comparison: `Bool` for `Float`, a `SIMDMask` for the vectors.
  associatedtype Mask
  init(repeating value: Float)
  static func + (lhs: Self, rhs: Self) -> Self
  static func - (lhs: Self, rhs: Self) -> Self
  static func * (lhs: Self, rhs: Self) -> Self
  static prefix func - (operand: Self) -> Self
  /// `lhs < rhs` per lane (false where either is NaN).
  static func lanesBelow(_ lhs: Self, _ rhs: Self) -> Mask
  /// `lhs >= rhs` per lane (false where either is NaN).
  static func lanesAtLeast(_ lhs: Self, _ rhs: Self) -> Mask
  /// `mask ? other : self` per lane.
  func replacing(with other: Self, where mask: Mask) -> Self
}

extension Float: FloatLanes {
  typealias Mask = Bool
  @inline(__always)
  init(repeating value: Float) { self = value }
  @inline(__always)
  static func lanesBelow(_ lhs: Float, _ rhs: Float) -> Bool { lhs < rhs }
  @inline(__always)
  static func lanesAtLeast(_ lhs: Float, _ rhs: Float) -> Bool { lhs >= rhs }
  @inline(__always)
  func replacing(with other: Float, where mask: Bool) -> Float { mask ? other : self }
}

extension SIMD4: FloatLanes where Scalar == Float {
  typealias Mask = SIMDMask<SIMD4<Int32>>
  @inline(__always)
  static func lanesBelow(_ lhs: Self, _ rhs: Self) -> Mask { lhs .< rhs }
  @inline(__always)
  static func lanesAtLeast(_ lhs: Self, _ rhs: Self) -> Mask { lhs .>= rhs }
}

extension SIMD8: FloatLanes where Scalar == Float {
  typealias Mask = SIMDMask<SIMD8<Int32>>
  @inline(__always)
  static func lanesBelow(_ lhs: Self, _ rhs: Self) -> Mask { lhs .< rhs }
  @inline(__always)
  static func lanesAtLeast(_ lhs: Self, _ rhs: Self) -> Mask { lhs .>= rhs }
}

extension SIMD16: FloatLanes where Scalar == Float {
  typealias Mask = SIMDMask<SIMD16<Int32>>
  @inline(__always)
  static func lanesBelow(_ lhs: Self, _ rhs: Self) -> Mask { lhs .< rhs }
  @inline(__always)
  static func lanesAtLeast(_ lhs: Self, _ rhs: Self) -> Mask { lhs .>= rhs }
}

// The per-pixel mapping and sampling math of every resampling path (the 8-bit scalar, SIMD4 and
// eight-lane paths, the separable path's axis tables, perspective, and the float paths RandAugment and
// AugMix chain). Invariants the callers rely on:
//
// - The mapping is TensorFlow's `map_coordinate` (ImageProjectiveTransformV3) in float32, operation for
//   operation. A coordinate inside `[0, length − 1]` is left alone by every fill mode except for the
//   final clamp (which only turns −0 into +0, and no floor, rounding or weight tells those apart), so
//   callers may skip the mapping for coordinates inside the image.
// - Reflection first takes whole periods `2·length` off a coordinate (`n` of them, TensorFlow's integer
//   truncation); only the scalar ``map(_:_:)`` does that step, with TensorFlow's integer arithmetic.
//   Where `n` is 0 (`−2·length < c < 2·length`) the step is exactly the identity (`Float(0) + c` and
//   `c − Float(0)` are `c`), so the eight-lane path, which only maps such coordinates, skips it and
//   applies the same ``reflectBelow(_:_:)`` / ``reflectAbove(_:_:)`` and ``clamp(_:_:)``.
// - Every path takes an exact floor of a coordinate it has mapped into the image (each with a method
//   valid on its domain: ``Kernels/floorSmall(_:)``, ``Kernels/floorIndex(_:)``, ``floorLanes(_:)``),
//   so all agree on the floor and then on ``weights(_:floor:)`` and ``blend(_:_:_:_:_:_:_:_:)``.
// - Only the conversion of a blended value to a byte differs by width, and every width computes
//   `⌊v + 0.5⌋` of the same `v ∈ [0, 255]` (``Kernels/blendToUInt8(_:)``, ``Kernels/floorBytes(_:)``,
//   ``lowByteOfFloor(_:)``), or `toUInt8`'s rounding and clamping in constant mode's border reads.
extension AffineSampler {
  /// TensorFlow's `map_coordinate` for this sampler's fill mode, in float32 as TF computes it: one
  /// coordinate along an axis of `length` pixels, any value (NaN and `|c| ≥ 2³⁰`, where TF's integer
  /// casts are undefined, map to 0 in the reflect and wrap modes).
  ///
  /// The scalar paths call this for every coordinate outside the image, and the eight-lane path for
  /// the lanes ``mapLanes(_:_:)`` does not take. It shares ``reflectBelow(_:_:)``,
  /// ``reflectAbove(_:_:)`` and ``clamp(_:_:)`` with ``mapLanes(_:_:)``.
  @inline(__always)
  func map(_ coordinate: Float, _ length: Int) -> Float {
    let last = Float(length - 1)
    var c = coordinate
    switch fillMode {
    case .constant:
      return c
    case .nearest:
      return Self.clamp(c, last)
    case .reflect:
      guard abs(c) < 1_073_741_824 else { return 0 }
      if c < 0 {
        if length <= 1 {
          c = 0
        } else {
          // n = trunc(−c / 2·length) whole periods added back (TF's integer arithmetic).
          let period = 2 * length
          c = Self.reflectBelow(Float(period * Int(-c / Float(period))) + c, length)
        }
      } else if c > last {
        if length <= 1 {
          c = 0
        } else {
          let period = 2 * length
          c = Self.reflectAbove(c - Float(period * Int(c / Float(period))), length)
        }
      }
      return Self.clamp(c, last)
    case .wrap:
      guard abs(c) < 1_073_741_824 else { return 0 }
      if c < 0 {
        if length <= 1 {
          c = 0
        } else {
          let sz = length - 1
          c += Float(length * (Int(-c / Float(sz)) + 1))
        }
      } else if c > last {
        if length <= 1 {
          c = 0
        } else {
          let sz = length - 1
          c -= Float(length * Int(c / Float(sz)))
        }
      }
      return Self.clamp(c, last)
    }
  }

  /// TensorFlow's reflection of a coordinate that was below 0, once its whole periods are added back
  /// (`r = 2·length·n + c`, `−2·length < r ≤ 0`): `r < −length ? r + 2·length : −r − 1`.
  @inline(__always)
  static func reflectBelow<L: FloatLanes>(_ r: L, _ length: Int) -> L {
    let mirrored = -r - L(repeating: 1)
    return mirrored.replacing(
      with: r + L(repeating: Float(2 * length)), where: L.lanesBelow(r, L(repeating: Float(-length))))
  }

  /// TensorFlow's reflection of a coordinate that was above `length − 1`, once its whole periods are
  /// taken off (`r = c − 2·length·n`, about `0 ≤ r < 2·length`): `r ≥ length ? (2·length − r) − 1 : r`.
  /// Identity on `[0, length)`.
  @inline(__always)
  static func reflectAbove<L: FloatLanes>(_ r: L, _ length: Int) -> L {
    r.replacing(
      with: (L(repeating: Float(2 * length)) - r) - L(repeating: 1),
      where: L.lanesAtLeast(r, L(repeating: Float(length))))
  }

  /// TensorFlow's final clamp into `[0, last]`, exactly `Swift.min(Swift.max(c, 0), last)` per lane,
  /// including which operand is returned on ties and for NaN (`max(c, 0)` is `0 >= c ? 0 : c`,
  /// `min(c, last)` is `last < c ? last : c`).
  @inline(__always)
  static func clamp<L: FloatLanes>(_ c: L, _ last: L) -> L {
    let zero = L(repeating: 0)
    let low = c.replacing(with: zero, where: L.lanesAtLeast(zero, c))
    return low.replacing(with: last, where: L.lanesBelow(last, low))
  }

  /// The bilinear weights of coordinate `c` whose exact floor is `floor`: `(floor + 1) − c` for the
  /// neighbour at `floor` and `c − floor` for the one after it (TensorFlow's float32 formulas).
  @inline(__always)
  static func weights<L: FloatLanes>(_ c: L, floor: L) -> (L, L) {
    ((floor + L(repeating: 1)) - c, c - floor)
  }

  /// The two-tap sum `w0·a + w1·b`: one axis of the bilinear blend.
  @inline(__always)
  static func lerp<L: FloatLanes>(_ w0: L, _ w1: L, _ a: L, _ b: L) -> L {
    w0 * a + w1 * b
  }

  /// TensorFlow's bilinear value `wy0·(wx0·p00 + wx1·p01) + wy1·(wx0·p10 + wx1·p11)` (p00 the
  /// neighbour at the floors, p01 the one to its right, p10 and p11 the row below).
  @inline(__always)
  static func blend<L: FloatLanes>(
    _ wx0: L, _ wx1: L, _ wy0: L, _ wy1: L, _ p00: L, _ p01: L, _ p10: L, _ p11: L
  ) -> L {
    lerp(wy0, wy1, lerp(wx0, wx1, p00, p01), lerp(wx0, wx1, p10, p11))
  }
}
