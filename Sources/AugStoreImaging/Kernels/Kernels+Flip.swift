extension Kernels {
  /// Writes the pixels of one row in reverse order: `dst` pixel `x` = `src` pixel `width − 1 − x`, for
  /// 1-, 2- and 4-sample pixels (16 bytes hold whole pixels, so each vector reverses its bytes, words
  /// or dwords); `src` and `dst` hold `width · channels` bytes and do not overlap.
  static func reverseRow(
    _ src: UnsafePointer<UInt8>, _ dst: UnsafeMutablePointer<UInt8>, width: Int, channels: Int
  ) {
    let length = width &* channels
    let s = UnsafeRawPointer(src)
    let d = UnsafeMutableRawPointer(dst)
    var j = 0
    while j &+ 16 <= length {
      let x = s.loadUnaligned(fromByteOffset: length &- 16 &- j, as: SIMD16<UInt8>.self)
      let y: SIMD16<UInt8>
      switch channels {
      case 1: y = reversedBytes(x)
      case 2: y = reversedWords(x)
      default: y = reversedDwords(x)
      }
      d.storeBytes(of: y, toByteOffset: j, as: SIMD16<UInt8>.self)
      j &+= 16
    }
    // `j` is a multiple of 16, hence of `channels`: whole pixels remain.
    while j < length {
      for c in 0..<channels { dst[j &+ c] = src[length &- channels &- j &+ c] }
      j &+= channels
    }
  }

  /// Reverses the pixels of one 3-sample-per-pixel row (`dst` pixel `x` = `src` pixel `width − 1 − x`)
  /// with byte shuffles: every 48 output bytes (16 pixels) are the 48 source bytes at the mirrored
  /// position with their pixels in reverse order, each 16-byte output vector a two-source shuffle of
  /// the source vectors (`pshufb` + `por` on CPUs with SSSE3). Used by the host-level build
  /// (`X86_64_V3`, see Tools/build-release). The baseline build runs the same shuffles compiled for
  /// SSSE3 (`augstore_reverse_rgb_row_ssse3`) when the processor has them, and otherwise, SSE2 having
  /// no byte shuffle, ``reverseRGBRows(height:width:scratch:masks:rowSource:rowDestination:)``.
  static func reverseRGBRowShuffled(
    _ src: UnsafePointer<UInt8>, _ dst: UnsafeMutablePointer<UInt8>, width: Int
  ) {
    let length = 3 &* width
    let s = UnsafeRawPointer(src)
    let d = UnsafeMutableRawPointer(dst)
    var q = 0
    while q &+ 48 <= length {
      let base = length &- q &- 48
      let s0 = s.loadUnaligned(fromByteOffset: base, as: SIMD16<UInt8>.self)
      let s1 = s.loadUnaligned(fromByteOffset: base &+ 16, as: SIMD16<UInt8>.self)
      let s2 = s.loadUnaligned(fromByteOffset: base &+ 32, as: SIMD16<UInt8>.self)
      let o0 = SIMD16<UInt8>(
        s2[13], s2[14], s2[15], s2[10], s2[11], s2[12], s2[7], s2[8],
        s2[9], s2[4], s2[5], s2[6], s2[1], s2[2], s2[3], s1[14])
      let o1 = SIMD16<UInt8>(
        s1[15], s2[0], s1[11], s1[12], s1[13], s1[8], s1[9], s1[10],
        s1[5], s1[6], s1[7], s1[2], s1[3], s1[4], s0[15], s1[0])
      let o2 = SIMD16<UInt8>(
        s1[1], s0[12], s0[13], s0[14], s0[9], s0[10], s0[11], s0[6],
        s0[7], s0[8], s0[3], s0[4], s0[5], s0[0], s0[1], s0[2])
      d.storeBytes(of: o0, toByteOffset: q, as: SIMD16<UInt8>.self)
      d.storeBytes(of: o1, toByteOffset: q &+ 16, as: SIMD16<UInt8>.self)
      d.storeBytes(of: o2, toByteOffset: q &+ 32, as: SIMD16<UInt8>.self)
      q &+= 48
    }
    // `q` is a multiple of 48, hence of 3: whole pixels remain.
    while q < length {
      let r = length &- 3 &- q
      dst[q] = src[r]
      dst[q &+ 1] = src[r &+ 1]
      dst[q &+ 2] = src[r &+ 2]
      q &+= 3
    }
  }

  /// The 16 lanes in reverse order.
  @inline(__always)
  static func reversedBytes(_ x: SIMD16<UInt8>) -> SIMD16<UInt8> {
    SIMD16(
      x[15], x[14], x[13], x[12], x[11], x[10], x[9], x[8], x[7], x[6], x[5], x[4], x[3], x[2], x[1], x[0])
  }

  /// The eight 16-bit words in reverse order, each word's two bytes kept in order (`pshuflw`,
  /// `pshufhw`, `pshufd`): byte `t` of the result is byte `(15 − t) ^ 1` of `x`.
  @inline(__always)
  static func reversedWords(_ x: SIMD16<UInt8>) -> SIMD16<UInt8> {
    let w = unsafeBitCast(x, to: SIMD8<UInt16>.self)
    return unsafeBitCast(SIMD8(w[7], w[6], w[5], w[4], w[3], w[2], w[1], w[0]), to: SIMD16<UInt8>.self)
  }

  /// The four 32-bit dwords in reverse order (`pshufd`).
  @inline(__always)
  static func reversedDwords(_ x: SIMD16<UInt8>) -> SIMD16<UInt8> {
    let w = unsafeBitCast(x, to: SIMD4<UInt32>.self)
    return unsafeBitCast(SIMD4(w[3], w[2], w[1], w[0]), to: SIMD16<UInt8>.self)
  }

  /// Byte masks for ``mergeRGBRow(_:_:length:masks:)``: for each of the three 16-byte phases of a
  /// 48-byte block, three masks selecting the bytes `u` with `w[u] = z[u + 2]`, `z[u]` and `z[u − 2]`
  /// (9 vectors, phase-major; see ``rgbMergeOffset(_:)``).
  static func rgbReverseMasks() -> [SIMD16<UInt8>] {
    var masks = [SIMD16<UInt8>](repeating: SIMD16(), count: 9)
    for u in 0..<48 {
      masks[(u / 16) * 3 + (2 - rgbMergeOffset(u)) / 2][u % 16] = 0xFF
    }
    return masks
  }

  /// The offset `k` with `w[u] = z[u + k]` in ``mergeRGBRow(_:_:length:masks:)``: output byte `q` is
  /// reversed byte `q + 2`, `q` or `q − 2` for `q mod 3` = 0, 1, 2 (swapping the first and last sample
  /// of each pixel); reversed byte `r` sits at `z[r ^ 1]`, and `w[u]` is output byte `u ^ 1`, so
  /// `k` is that offset for `q = u ^ 1`.
  @inline(__always)
  static func rgbMergeOffset(_ u: Int) -> Int {
    let q = u ^ 1
    return q % 3 == 0 ? 2 : (q % 3 == 1 ? 0 : -2)
  }

  /// Reverses the pixels of 3-sample-per-pixel rows (`dst` pixel `x` = `src` pixel `width − 1 − x`) in
  /// two vector passes per row, without byte shuffles (baseline SSE2 has no `pshufb`):
  ///
  /// 1. ``wordReversedRow(_:into:length:)``: `z[p] = src[L − 1 − (p ^ 1)]` for `L = 3 · width`.
  /// 2. ``mergeRGBRow(_:_:length:masks:)``: output byte `q` is `z[(q + e) ^ 1]` with `e` one of 0, ±2.
  ///
  /// Pass 1 of row `y + 1` runs before pass 2 of row `y`, alternating two scratch rows, so pass 2's
  /// unaligned loads never wait for the stores of the row just written.
  ///
  /// `rowSource(y)` and `rowDestination(y)` give the rows; `scratch` holds at least `2 · (L + 6)`
  /// bytes; `masks` are ``rgbReverseMasks()``.
  static func reverseRGBRows(
    height: Int, width: Int, scratch: UnsafeMutablePointer<UInt8>, masks: UnsafePointer<SIMD16<UInt8>>,
    rowSource: (Int) -> UnsafePointer<UInt8>, rowDestination: (Int) -> UnsafeMutablePointer<UInt8>
  ) {
    let length = 3 &* width
    // Each scratch row has three bytes of padding either side, read by the unaligned loads but masked.
    let z = (scratch + 3, scratch + length + 9)
    for y in 0...height {
      if y < height { wordReversedRow(rowSource(y), into: y & 1 == 0 ? z.0 : z.1, length: length) }
      if y > 0 { mergeRGBRow(y & 1 == 1 ? z.0 : z.1, rowDestination(y - 1), length: length, masks: masks) }
    }
  }

  /// Pass 1 of ``reverseRGBRows(height:width:scratch:masks:rowSource:rowDestination:)``:
  /// `z[p] = src[length − 1 − (p ^ 1)]` for every `p ≤ length` with `p ^ 1 < length` — the row read from
  /// its end with the 16-bit words of each vector reversed (``reversedWords(_:)``), i.e. the
  /// byte-reversed row with the two bytes of each word swapped.
  @inline(__always)
  static func wordReversedRow(_ src: UnsafePointer<UInt8>, into z: UnsafeMutablePointer<UInt8>, length: Int) {
    let s = UnsafeRawPointer(src)
    let zRaw = UnsafeMutableRawPointer(z)
    var p = 0
    while p &+ 16 <= length {
      let x = s.loadUnaligned(fromByteOffset: length &- 16 &- p, as: SIMD16<UInt8>.self)
      zRaw.storeBytes(of: reversedWords(x), toByteOffset: p, as: SIMD16<UInt8>.self)
      p &+= 16
    }
    // Pass 2 reads `z[p]` up to `p = length` (when `length` is odd, reversed byte `length − 1` is there).
    while p <= length {
      let r = p ^ 1
      if r < length { z[p] = src[length &- 1 &- r] }
      p &+= 1
    }
  }

  /// Pass 2 of ``reverseRGBRows(height:width:scratch:masks:rowSource:rowDestination:)``: with
  /// `w[u] = z[u + rgbMergeOffset(u)]` (three unaligned loads merged by the 48-byte-periodic masks),
  /// `dst[q] = w[q ^ 1]`, i.e. `w` with the two bytes of each 16-bit word swapped.
  @inline(__always)
  static func mergeRGBRow(
    _ z: UnsafePointer<UInt8>, _ dst: UnsafeMutablePointer<UInt8>, length: Int,
    masks: UnsafePointer<SIMD16<UInt8>>
  ) {
    let d = UnsafeMutableRawPointer(dst)
    let zRead = UnsafeRawPointer(z)
    /// The 16 output bytes at `q` (a multiple of 16), whose phase in the 48-byte mask period is `phase`.
    @inline(__always) func merged(_ q: Int, _ phase: Int) -> SIMD16<UInt8> {
      let m = masks + phase &* 3
      let plus2 = zRead.loadUnaligned(fromByteOffset: q &+ 2, as: SIMD16<UInt8>.self)
      let same = zRead.loadUnaligned(fromByteOffset: q, as: SIMD16<UInt8>.self)
      let minus2 = zRead.loadUnaligned(fromByteOffset: q &- 2, as: SIMD16<UInt8>.self)
      let w = unsafeBitCast((plus2 & m[0]) | (same & m[1]) | (minus2 & m[2]), to: SIMD8<UInt16>.self)
      return unsafeBitCast((w &<< 8) | (w &>> 8), to: SIMD16<UInt8>.self)
    }
    var q = 0
    while q &+ 48 <= length {
      d.storeBytes(of: merged(q, 0), toByteOffset: q, as: SIMD16<UInt8>.self)
      d.storeBytes(of: merged(q &+ 16, 1), toByteOffset: q &+ 16, as: SIMD16<UInt8>.self)
      d.storeBytes(of: merged(q &+ 32, 2), toByteOffset: q &+ 32, as: SIMD16<UInt8>.self)
      q &+= 48
    }
    var phase = 0
    while q &+ 16 <= length {
      d.storeBytes(of: merged(q, phase), toByteOffset: q, as: SIMD16<UInt8>.self)
      q &+= 16
      phase &+= 1
    }
    while q < length {
      let u = q ^ 1
      dst[q] = z[u &+ rgbMergeOffset(u)]
      q &+= 1
    }
  }
}
