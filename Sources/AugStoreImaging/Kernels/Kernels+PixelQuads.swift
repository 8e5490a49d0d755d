/// Groups of RGB or RGBA pixels in float lanes, for the colour kernels that compute in float32 per
/// pixel: the float path of ``Kernels/adjustSaturation(_:factor:)`` (four pixels, one per
/// `SIMD4<Float>`), and ``Kernels/adjustHue(_:factor:)`` (one pixel per lane of ``Kernels/HueLanes``:
/// four, or eight in the host-level build).
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
    let (x0, x1, x2, x3) = widenedBytes(bytes)
    return (SIMD4<Float>(x0), SIMD4<Float>(x1), SIMD4<Float>(x2), SIMD4<Float>(x3))
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
  ///
  /// The baseline build stores an RGB quad as two 8-byte words (``packedRGBHalves(_:)``: six samples
  /// then two zero bytes each, at `i` and `i + 6`), so it writes the two bytes after the quad, before
  /// `i + 16 ≤ count`; the next group or the caller overwrites them in the same way as the one byte
  /// above.
  @inline(__always)
  static func storePixelQuad(_ quad: SIMD16<UInt8>, _ d: UnsafeMutableRawPointer, _ i: Int, channels: Int) {
    if channels == 4 {
      d.storeBytes(of: quad, toByteOffset: i, as: SIMD16<UInt8>.self)
      return
    }
    #if X86_64_V3
      let words = unsafeBitCast(quad, to: SIMD4<UInt32>.self)
      d.storeBytes(of: words[0], toByteOffset: i, as: UInt32.self)
      d.storeBytes(of: words[1], toByteOffset: i &+ 3, as: UInt32.self)
      d.storeBytes(of: words[2], toByteOffset: i &+ 6, as: UInt32.self)
      d.storeBytes(of: words[3], toByteOffset: i &+ 9, as: UInt32.self)
    #else
      let halves = packedRGBHalves(quad)
      d.storeBytes(of: halves[0], toByteOffset: i, as: UInt64.self)
      d.storeBytes(of: halves[1], toByteOffset: i &+ 6, as: UInt64.self)
    #endif
  }

  /// Each 64-bit half of `quad` (two 4-byte groups) as the first three bytes of its first group, then
  /// the first three of its second group, then two zero bytes: the first group masked, the second
  /// shifted down by 8 bits and masked (`pand`, `psrlq`, `por`, no byte shuffles).
  @inline(__always)
  static func packedRGBHalves(_ quad: SIMD16<UInt8>) -> SIMD2<UInt64> {
    let q = unsafeBitCast(quad, to: SIMD2<UInt64>.self)
    return (q & 0x00FF_FFFF) | ((q &>> 8) & 0xFFFF_FF00_0000)
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

  /// The smaller byte of each lane (`pminub`).
  @inline(__always)
  static func byteMinimum(_ a: SIMD16<UInt8>, _ b: SIMD16<UInt8>) -> SIMD16<UInt8> {
    a.replacing(with: b, where: b .< a)
  }

  /// The larger byte of each lane (`pmaxub`).
  @inline(__always)
  static func byteMaximum(_ a: SIMD16<UInt8>, _ b: SIMD16<UInt8>) -> SIMD16<UInt8> {
    #if arch(x86_64) && !PORTABLE_LANES
      return byteMaximumLanes(a, b)
    #else
      return a.replacing(with: b, where: a .< b)
    #endif
  }

  /// The 16 bytes as exact floats in one vector (`punpck` + `cvtdq2ps`), written lane by lane in the
  /// baseline build (the standard library's generic conversions are left as out-of-line calls in these
  /// loops) and through ``floats(_:)`` in the host-level build.
  @inline(__always)
  static func exactFloats16(_ x: SIMD16<UInt8>) -> SIMD16<Float> {
    #if X86_64_V3
      return unsafeBitCast(floats(x), to: SIMD16<Float>.self)
    #else
      return SIMD16(
        Float(x[0]), Float(x[1]), Float(x[2]), Float(x[3]), Float(x[4]), Float(x[5]), Float(x[6]),
        Float(x[7]),
        Float(x[8]), Float(x[9]), Float(x[10]), Float(x[11]), Float(x[12]), Float(x[13]), Float(x[14]),
        Float(x[15]))
    #endif
  }

  /// ``clampToUInt8(_:)`` per lane for values `y` with `−2²² < y ≤ 255`: `⌊y + 0.5⌋`, negatives as 0.
  /// `z + 1.5·2²³` (`z = y + 0.5`, the scalar sum) lies in `[2²³, 2²⁴)`, where floats are the integers,
  /// so its bit pattern minus the constant's is `z` rounded to the nearest integer; one is taken off
  /// where that rounded up (the sign of `z − rounded`, exact). Exact. The host-level build truncates
  /// `z` instead (``floors(_:)``) and packs with saturation (``saturatedBytes(_:_:)``).
  @inline(__always)
  static func clampedBytes16(_ y: SIMD16<Float>) -> SIMD16<UInt8> {
    let z = y + 0.5
    #if X86_64_V3
      // Truncation is the floor from 0 up and gives 0 on (−1, 0); below, the packs saturate to 0.
      let (low, high) = halves(z)
      return saturatedBytes(floors(low), floors(high))
    #elseif arch(x86_64) && !PORTABLE_LANES
      let quarters = unsafeBitCast(z, to: (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>).self)
      return saturatedBytes(floors(quarters.0), floors(quarters.1), floors(quarters.2), floors(quarters.3))
    #else
      let magic = SIMD16<Float>(repeating: 12_582_912)
      let shifted = z + magic
      let nearest =
        unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- unsafeBitCast(magic, to: SIMD16<Int32>.self)
      let floor = nearest &+ (unsafeBitCast(z - (shifted - magic), to: SIMD16<Int32>.self) &>> 31)
      let n = floor & ~(floor &>> 31)
      return SIMD16(
        UInt8(truncatingIfNeeded: n[0]), UInt8(truncatingIfNeeded: n[1]), UInt8(truncatingIfNeeded: n[2]),
        UInt8(truncatingIfNeeded: n[3]), UInt8(truncatingIfNeeded: n[4]), UInt8(truncatingIfNeeded: n[5]),
        UInt8(truncatingIfNeeded: n[6]), UInt8(truncatingIfNeeded: n[7]), UInt8(truncatingIfNeeded: n[8]),
        UInt8(truncatingIfNeeded: n[9]), UInt8(truncatingIfNeeded: n[10]), UInt8(truncatingIfNeeded: n[11]),
        UInt8(truncatingIfNeeded: n[12]), UInt8(truncatingIfNeeded: n[13]), UInt8(truncatingIfNeeded: n[14]),
        UInt8(truncatingIfNeeded: n[15]))
    #endif
  }

}

extension Kernels {
  #if X86_64_V3
    /// The hue kernel's float lanes: eight pixels per vector where the build targets AVX2.
    typealias HueLanes = SIMD8<Float>
    /// Integer lanes of ``HueLanes``' width.
    typealias HueBits = SIMD8<Int32>
  #else
    /// The hue kernel's float lanes: four pixels per vector (SSE2).
    typealias HueLanes = SIMD4<Float>
    /// Integer lanes of ``HueLanes``' width.
    typealias HueBits = SIMD4<Int32>
  #endif

  // Lane masks are built from sign bits instead of `.<`/`replacing(with:where:)`: Swift's `SIMDMask`
  // lanes are assembled and consumed lane by lane, which LLVM leaves as scalar code in these loops.

  /// The lanes' bit patterns.
  @inline(__always)
  static func bitPattern(_ x: HueLanes) -> HueBits {
    unsafeBitCast(x, to: HueBits.self)
  }

  /// All ones where `a < b`, else zero: the sign of `a − b`, which IEEE subtraction gets right (it is
  /// never rounded across zero). Requires `a − b` not NaN, and not −0, i.e. `a` is not −0 where `b`
  /// is +0.
  @inline(__always)
  static func lessMask(_ a: HueLanes, _ b: HueLanes) -> HueBits {
    bitPattern(a - b) &>> 31
  }

  /// All ones where `x` is +0, else zero, for `x ≥ 0` (no −0 or NaN).
  @inline(__always)
  static func zeroMask(_ x: HueLanes) -> HueBits {
    (bitPattern(x) &- 1) &>> 31
  }

  /// `mask ? a : b` per lane for a mask of all-ones/zero lanes (`pand`, `pandn`, `por`).
  @inline(__always)
  static func choose(_ mask: HueBits, _ a: HueLanes, _ b: HueLanes) -> HueLanes {
    unsafeBitCast((bitPattern(a) & mask) | (bitPattern(b) & ~mask), to: HueLanes.self)
  }

  /// `Swift.max(x, y)` per lane (`y >= x ? y : x`), under ``lessMask(_:_:)``'s conditions.
  @inline(__always)
  static func laneMax(_ x: HueLanes, _ y: HueLanes) -> HueLanes {
    choose(lessMask(y, x), x, y)
  }

  /// `Swift.min(x, y)` per lane (`y < x ? y : x`), under ``lessMask(_:_:)``'s conditions.
  @inline(__always)
  static func laneMin(_ x: HueLanes, _ y: HueLanes) -> HueLanes {
    choose(lessMask(y, x), y, x)
  }

  /// `y < x ? x : y` per lane, which is `maxps(x, y)` exactly (NaN and signed zeros included), and
  /// `Swift.max(x, y)` for values that are not NaN (a select LLVM emits as one `maxps` in the colour
  /// degeneration loop; in the larger HSV functions ``laneMax(_:_:)``'s sign-bit masks stay faster).
  @inline(__always)
  static func selectMax(_ x: HueLanes, _ y: HueLanes) -> HueLanes {
    y.replacing(with: x, where: y .< x)
  }

  /// `y < x ? y : x` per lane, which is `minps(y, x)` exactly and `Swift.min(x, y)` (see
  /// ``selectMax(_:_:)``).
  @inline(__always)
  static func selectMin(_ x: HueLanes, _ y: HueLanes) -> HueLanes {
    x.replacing(with: y, where: y .< x)
  }

  /// `min(max(x, 0), 1)` per lane, as the scalar code (`x` not NaN or −0).
  ///
  /// The baseline build works on the bit patterns, in fewer operations than ``laneMax(_:_:)`` and
  /// ``laneMin(_:_:)`` (SSE2 has no 32-bit integer minimum): `max(x, 0)` clears the lanes whose sign
  /// bit is set (+0 for −0 and negatives, as `laneMax(x, 0)`); a non-negative float is above 1 exactly
  /// where its bit pattern is above 1's (`0x3F80_0000`), so the sign of `0x3F80_0000 − bits` (no
  /// overflow for bits up to infinity's) marks the lanes that become 1, as `laneMin(y, 1)` does.
  @inline(__always)
  static func clampedToUnit(_ x: HueLanes) -> HueLanes {
    #if X86_64_V3
      laneMin(laneMax(x, HueLanes(repeating: 0)), HueLanes(repeating: 1))
    #else
      let bits = bitPattern(x)
      let raised = bits & ~(bits &>> 31)
      let one = HueBits(repeating: 0x3F80_0000)
      let above = (one &- raised) &>> 31
      return unsafeBitCast(raised &- ((raised &- one) & above), to: HueLanes.self)
    #endif
  }

  /// `abs(x)` per lane (clears the sign bit).
  @inline(__always)
  static func laneAbs(_ x: HueLanes) -> HueLanes {
    unsafeBitCast(unsafeBitCast(x, to: HueBits.self) & 0x7FFF_FFFF, to: HueLanes.self)
  }

  /// ``adjustHue(_:factor:)`` for one ``HueLanes`` group of pixels in planar float lanes (samples on
  /// the 0–255 scale): the operations of `mapHSV` for `.hue(shift)` — `rgbToHSV`, the shift and wrap, `hsvToRGB` and the clip
  /// to `[0, 1]` times 255 — one for one, with every branch evaluated and selected per lane. Discarded
  /// lanes may hold NaN or infinity (`0 / 0`, `1 / 0`) but are never compared; compared values are
  /// finite or infinite (never NaN, never −0) for a finite `shift`, as ``lessMask(_:_:)`` requires.
  ///
  /// Inlined only into ``shiftedHuePair(_:_:shift:)``: inlined into the pixel loop, LLVM turns parts
  /// of it back into per-lane scalar code.
  @inline(__always)
  static func shiftedHue(
    _ red: HueLanes, _ green: HueLanes, _ blue: HueLanes, shift: HueLanes
  ) -> (HueLanes, HueLanes, HueLanes) {
    let scale = HueLanes(repeating: 255)
    let zero = HueLanes(repeating: 0)
    let one = HueLanes(repeating: 1)
    let r = red / scale
    let g = green / scale
    let b = blue / scale
    // rgbToHSV
    let value = laneMax(r, laneMax(g, b))
    let minimum = laneMin(r, laneMin(g, b))
    let range = value - minimum
    let saturation = choose(lessMask(zero, value), range / value, zero)
    let norm = one / (6 * range)
    let fromRed = norm * (g - b)
    let fromGreen = norm * (b - r) + HueLanes(repeating: 2.0 / 6.0)
    let fromBlue = norm * (r - g) + HueLanes(repeating: 4.0 / 6.0)
    // `value − r` and `value − g` are non-negative: zero exactly where the channel is the maximum.
    var hue = choose(zeroMask(value - r), fromRed, choose(zeroMask(value - g), fromGreen, fromBlue))
    hue = choose(lessMask(zero, range), hue, zero)
    hue = choose(lessMask(hue, zero), hue + 1, hue)
    // The shift, wrapped.
    hue += shift
    hue = choose(lessMask(one, hue), hue - 1, hue)
    hue = choose(lessMask(hue, zero), hue + 1, hue)
    // hsvToRGB
    let dh = hue * 6
    let dr = clampedToUnit(laneAbs(dh - 3) - 1)
    let dg = clampedToUnit(2 - laneAbs(dh - 2))
    let db = clampedToUnit(2 - laneAbs(dh - 4))
    let oneMinusS = 1 - saturation
    return (
      clampedToUnit((oneMinusS + saturation * dr) * value) * scale,
      clampedToUnit((oneMinusS + saturation * dg) * value) * scale,
      clampedToUnit((oneMinusS + saturation * db) * value) * scale
    )
  }

  /// ``shiftedHue(_:_:_:shift:)`` for two independent groups of pixels, so that the processor can
  /// overlap their long dependency chains (three divisions deep).
  @inline(never)
  static func shiftedHuePair(
    _ first: (HueLanes, HueLanes, HueLanes), _ second: (HueLanes, HueLanes, HueLanes),
    shift: HueLanes
  ) -> ((HueLanes, HueLanes, HueLanes), (HueLanes, HueLanes, HueLanes)) {
    (
      shiftedHue(first.0, first.1, first.2, shift: shift),
      shiftedHue(second.0, second.1, second.2, shift: shift)
    )
  }

  /// ``adjustHue(_:factor:)`` over an RGB or RGBA buffer for a finite `shift`; alpha is copied. Callers
  /// pass `channels` as a literal.
  ///
  /// Two groups of ``HueLanes``' width (four or eight pixels) per step, each loaded as 4-byte groups
  /// (``loadPixelQuad(_:_:channels:)``): each pixel is one 32-bit lane, so masks and shifts give planar
  /// channels; ``shiftedHuePair(_:_:shift:)``; the results rounded as ``clampToUInt8(_:)`` (they lie in
  /// `0...255`) and shifted back into each pixel's lane. The remaining pixels go through the scalar
  /// `mapHSVPixel`.
  @inline(__always)
  static func shiftHuePixels(
    _ src: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<UInt8>, count: Int, shift: Float,
    channels: Int
  ) {
    let s = UnsafeRawPointer(src)
    let d = UnsafeMutableRawPointer(out)
    let shiftLanes = HueLanes(repeating: shift)
    let half = HueLanes(repeating: 0.5)
    let byte = HueBits(repeating: 0xFF)
    let alpha = HueBits(repeating: Int32(bitPattern: 0xFF00_0000))
    let quadsPerGroup = HueLanes.scalarCount / 4
    let quadStep = 4 &* channels
    let groupStep = quadsPerGroup &* quadStep
    /// A group's pixels, one per 32-bit lane: its quads (``loadPixelQuad(_:_:channels:)``) side by side.
    @inline(__always) func group(_ i: Int) -> HueBits {
      #if X86_64_V3
        unsafeBitCast(
          (loadPixelQuad(s, i, channels: channels), loadPixelQuad(s, i &+ quadStep, channels: channels)),
          to: SIMD8<Int32>.self)
      #else
        unsafeBitCast(loadPixelQuad(s, i, channels: channels), to: SIMD4<Int32>.self)
      #endif
    }
    /// Stores a group's result words at sample `i` (``storePixelQuad(_:_:_:channels:)``, in increasing
    /// order).
    @inline(__always) func store(_ pixels: HueBits, _ i: Int) {
      #if X86_64_V3
        let (low, high) = unsafeBitCast(pixels, to: (SIMD16<UInt8>, SIMD16<UInt8>).self)
        storePixelQuad(low, d, i, channels: channels)
        storePixelQuad(high, d, i &+ quadStep, channels: channels)
      #else
        storePixelQuad(unsafeBitCast(pixels, to: SIMD16<UInt8>.self), d, i, channels: channels)
      #endif
    }
    /// A group's samples in planar lanes: masks and shifts separate the channels without shuffles.
    @inline(__always) func planar(_ pixels: HueBits) -> (HueLanes, HueLanes, HueLanes) {
      (exactFloats(pixels & byte), exactFloats((pixels &>> 8) & byte), exactFloats((pixels &>> 16) & byte))
    }
    /// `⌊x + 0.5⌋` per lane for `0 ≤ x ≤ 255`: `cvttps2dq` on x86-64, elsewhere ``floorBytes(_:)``'s
    /// method, kept in 32-bit lanes.
    @inline(__always) func rounded(_ x: HueLanes) -> HueBits {
      let z = x + half
      #if arch(x86_64) && !PORTABLE_LANES
        return floors(z)
      #else
        let magic = HueLanes(repeating: 8_388_608)
        let shifted = z + magic
        // −1 where adding 2²³ rounded up.
        let roundedUp = lessMask(z, shifted - magic)
        return (unsafeBitCast(shifted, to: HueBits.self) &+ roundedUp) & byte
      #endif
    }
    /// Planar results as ``clampToUInt8(_:)`` bytes (they lie in `0...255`) merged back into one
    /// 32-bit lane per pixel, alpha from `pixels`.
    @inline(__always) func merged(_ planar: (HueLanes, HueLanes, HueLanes), _ pixels: HueBits) -> HueBits {
      let (r, g, b) = planar
      var words = rounded(r) | (rounded(g) &<< 8) | (rounded(b) &<< 16)
      if channels == 4 { words |= pixels & alpha }
      return words
    }
    var i = 0
    // Two groups per step; the second group's last 16-byte load ends by `i + 2 · groupStep − quadStep
    // + 16`.
    while i &+ 2 &* groupStep &- quadStep &+ 16 <= count {
      let first = group(i)
      let second = group(i &+ groupStep)
      let (a, b) = shiftedHuePair(planar(first), planar(second), shift: shiftLanes)
      store(merged(a, first), i)
      store(merged(b, second), i &+ groupStep)
      i &+= 2 &* groupStep
    }
    while i < count {
      (out[i], out[i &+ 1], out[i &+ 2]) = mapHSVPixel(
        src[i], src[i &+ 1], src[i &+ 2], scale: 255, saturationFactor: 1, hueShift: shift)
      if channels == 4 { out[i &+ 3] = src[i &+ 3] }
      i &+= channels
    }
  }
}
