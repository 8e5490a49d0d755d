/// Four RGB or RGBA pixels at a time in `SIMD4<Float>` lanes, for the colour kernels that compute in
/// float32 per pixel (the float path of ``Kernels/adjustSaturation(_:factor:)``).
///
/// Every lane runs the same IEEE float32 operations, in the same order, as the scalar code it replaces
/// (no fused multiply-add, no reassociation), so the results are bit-identical; only loading,
/// transposing, lane selection and rounding differ, and those are exact.
extension Kernels {
  /// The 16 bytes as exact floats, four per vector in order (`punpck` + `cvtdq2ps`).
  @inline(__always)
  static func exactFloats(
    _ bytes: SIMD16<UInt8>
  ) -> (
    SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>
  ) {
    let low = SIMD8<UInt16>(truncatingIfNeeded: bytes.lowHalf)
    let high = SIMD8<UInt16>(truncatingIfNeeded: bytes.highHalf)
    return (
      SIMD4<Float>(SIMD4<Int32>(truncatingIfNeeded: low.lowHalf)),
      SIMD4<Float>(SIMD4<Int32>(truncatingIfNeeded: low.highHalf)),
      SIMD4<Float>(SIMD4<Int32>(truncatingIfNeeded: high.lowHalf)),
      SIMD4<Float>(SIMD4<Int32>(truncatingIfNeeded: high.highHalf))
    )
  }

  /// Four pixels starting at sample `i` as four 4-byte groups: RGBA pixels as they are; RGB pixels
  /// each followed by an unspecified byte (four 4-byte loads at `i`, `i + 3`, `i + 6`, `i + 9`).
  /// Requires `i + 16 ≤ count`.
  @inline(__always)
  static func loadPixelQuad(_ s: UnsafeRawPointer, _ i: Int, channels: Int) -> SIMD16<UInt8> {
    if channels == 4 { return s.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self) }
    return unsafeBitCast(
      SIMD4<UInt32>(
        s.loadUnaligned(fromByteOffset: i, as: UInt32.self),
        s.loadUnaligned(fromByteOffset: i &+ 3, as: UInt32.self),
        s.loadUnaligned(fromByteOffset: i &+ 6, as: UInt32.self),
        s.loadUnaligned(fromByteOffset: i &+ 9, as: UInt32.self)), to: SIMD16<UInt8>.self)
  }

  /// Stores four pixels given as 4-byte groups (``loadPixelQuad(_:_:channels:)``'s layout) at sample
  /// `i`: RGBA as they are, RGB as the first three bytes of each group (four overlapping 4-byte stores
  /// in increasing order, so each group's fourth byte is overwritten by the next pixel). The byte
  /// after the last RGB pixel is overwritten too; callers store in increasing order and write it
  /// afterwards. Requires `i + 16 ≤ count`.
  @inline(__always)
  static func storePixelQuad(_ quad: SIMD16<UInt8>, _ d: UnsafeMutableRawPointer, _ i: Int, channels: Int) {
    if channels == 4 {
      d.storeBytes(of: quad, toByteOffset: i, as: SIMD16<UInt8>.self)
      return
    }
    let words = unsafeBitCast(quad, to: SIMD4<UInt32>.self)
    d.storeBytes(of: words[0], toByteOffset: i, as: UInt32.self)
    d.storeBytes(of: words[1], toByteOffset: i &+ 3, as: UInt32.self)
    d.storeBytes(of: words[2], toByteOffset: i &+ 6, as: UInt32.self)
    d.storeBytes(of: words[3], toByteOffset: i &+ 9, as: UInt32.self)
  }

  /// `max(r, max(g, b))` of the pixel `(r, g, b, ·)` in lanes 0, 1 and 2 (lane 3 unspecified), for
  /// samples that are exact non-negative integers (so `maxps` and the order of the maxima do not
  /// matter): the maximum with the two rotations of the first three lanes (`shufps`, `maxps`). Lane 3
  /// of the rotations is not `p[3]`: with identical lanes LLVM splits the selects and scalarizes them.
  @inline(__always)
  static func pixelMaximum(_ p: SIMD4<Float>) -> SIMD4<Float> {
    let a = SIMD4(p[1], p[2], p[0], p[0])
    let b = SIMD4(p[2], p[0], p[1], p[1])
    let ab = a.replacing(with: b, where: b .> a)
    return p.replacing(with: ab, where: ab .> p)
  }

  /// ``clampToUInt8(_:)`` per lane for values known to be at most 255 (finite): `⌊max(x, 0) + 0.5⌋`.
  @inline(__always)
  static func nonNegativeBytes(_ x: SIMD4<Float>) -> SIMD4<UInt8> {
    floorBytes(x.replacing(with: 0, where: x .< 0) + 0.5)
  }

  /// The samples `y0…y3` (memory order, each at most 255) as ``clampToUInt8(_:)`` bytes in one vector.
  @inline(__always)
  static func nonNegativeBytes(
    _ y0: SIMD4<Float>, _ y1: SIMD4<Float>, _ y2: SIMD4<Float>, _ y3: SIMD4<Float>
  ) -> SIMD16<UInt8> {
    SIMD16(
      lowHalf: SIMD8(lowHalf: nonNegativeBytes(y0), highHalf: nonNegativeBytes(y1)),
      highHalf: SIMD8(lowHalf: nonNegativeBytes(y2), highHalf: nonNegativeBytes(y3)))
  }

}
