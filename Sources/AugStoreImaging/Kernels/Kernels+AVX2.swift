#if X86_64_V3
  import _Builtin_intrinsics.intel

  // The host-level build's lane operations that the standard library's SIMD types do not lower to a
  // single instruction: Clang's Intel intrinsics, inlined into the callers (the build targets the
  // instruction set they need). Each helper states the lane values it is exact for.

  extension Kernels {
    /// The two halves of a vector (`vextracti128`), as a tuple: the standard library's generic
    /// `lowHalf`/`highHalf` are sometimes left as out-of-line calls in these loops.
    @inline(__always)
    static func halves(_ x: SIMD32<UInt8>) -> (SIMD16<UInt8>, SIMD16<UInt8>) {
      unsafeBitCast(x, to: (SIMD16<UInt8>, SIMD16<UInt8>).self)
    }

    /// The two halves of a vector, as a tuple.
    @inline(__always)
    static func halves(_ x: SIMD16<Float>) -> (SIMD8<Float>, SIMD8<Float>) {
      unsafeBitCast(x, to: (SIMD8<Float>, SIMD8<Float>).self)
    }

    /// `x` converted exactly to floats (`vcvtdq2ps`), for lanes of magnitude below 2²⁴.
    @inline(__always)
    static func floats(_ x: SIMD8<Int32>) -> SIMD8<Float> {
      _mm256_cvtepi32_ps(unsafeBitCast(x, to: SIMD4<Int64>.self))
    }

    /// Sixteen bytes as exact floats, two vectors of eight (`vpmovzxbd`, `vcvtdq2ps`; the high eight
    /// moved down by `vpunpckhqdq`, so the bytes stay one vector).
    @inline(__always)
    static func floats(_ x: SIMD16<UInt8>) -> (SIMD8<Float>, SIMD8<Float>) {
      let bytes = unsafeBitCast(x, to: SIMD2<Int64>.self)
      let low = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(bytes))
      let high = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_unpackhi_epi64(bytes, bytes)))
      return (low, high)
    }

    /// ``SampleLine``'s `clamp(⌊(a·x + b) / 2¹⁴⌋, 0, 255)` for 16 samples, given the lines' pieces per
    /// lane: the bytes widened to 16-bit lanes (`vpmovzxbw`), `aₕ·x + ⌊(aₗ·x + bₗ) / 2⁸⌋` with wrapping
    /// 16-bit arithmetic (exact: both stay below 2¹⁶), then `bₕ` added and subtracted with unsigned
    /// saturation (`vpaddusw`, `vpsubusw`), shifted down by 6 and narrowed with saturation at 255
    /// (`vpackuswb`; the values are at most 1023, positive as signed words).
    @inline(__always)
    static func lineLanes(
      _ bytes: SIMD16<UInt8>, _ slopeLow: SIMD16<UInt16>, _ slopeHigh: SIMD16<UInt16>,
      _ interceptLow: SIMD16<UInt16>, _ interceptAdded: SIMD16<UInt16>, _ interceptSubtracted: SIMD16<UInt16>
    ) -> SIMD16<UInt8> {
      let x = unsafeBitCast(
        _mm256_cvtepu8_epi16(unsafeBitCast(bytes, to: SIMD2<Int64>.self)), to: SIMD16<UInt16>.self)
      let q = (x &* slopeLow &+ interceptLow) &>> 8
      let t = unsafeBitCast(x &* slopeHigh &+ q, to: SIMD4<Int64>.self)
      let up = _mm256_adds_epu16(t, unsafeBitCast(interceptAdded, to: SIMD4<Int64>.self))
      let down = _mm256_subs_epu16(up, unsafeBitCast(interceptSubtracted, to: SIMD4<Int64>.self))
      let shifted = _mm256_srli_epi16(down, 6)
      // Bytes per half: its eight words, twice; dwords 0, 1, 4, 5 are the sixteen in order.
      let packed = _mm256_packus_epi16(shifted, shifted)
      let order = SIMD8<Int32>(0, 1, 4, 5, 0, 1, 4, 5)
      let ordered = _mm256_permutevar8x32_epi32(packed, unsafeBitCast(order, to: SIMD4<Int64>.self))
      return halves(unsafeBitCast(ordered, to: SIMD32<UInt8>.self)).0
    }

    /// Sixteen 32-bit lanes (`a` then `b`) as bytes, each saturated to `0...255` (`vpackusdw`,
    /// `vpackuswb`, then `vpermd` to undo the packs' per-half order).
    @inline(__always)
    static func saturatedBytes(_ a: SIMD8<Int32>, _ b: SIMD8<Int32>) -> SIMD16<UInt8> {
      // Words: a0…a3 b0…b3 | a4…a7 b4…b7; bytes per half: those eight, twice.
      let words = _mm256_packus_epi32(
        unsafeBitCast(a, to: SIMD4<Int64>.self), unsafeBitCast(b, to: SIMD4<Int64>.self))
      let bytes = _mm256_packus_epi16(words, words)
      // Dwords 0, 4, 1, 5: a0…a3, a4…a7, b0…b3, b4…b7.
      let order = SIMD8<Int32>(0, 4, 1, 5, 0, 4, 1, 5)
      let ordered = _mm256_permutevar8x32_epi32(bytes, unsafeBitCast(order, to: SIMD4<Int64>.self))
      return halves(unsafeBitCast(ordered, to: SIMD32<UInt8>.self)).0
    }

    /// `⌊z⌋` per lane (`vcvttps2dq`, which truncates), for lanes in `0 ..< 2³¹`; lanes in `(−1, 0)`
    /// give 0, lower lanes a negative integer (−2³¹ below −2³¹).
    @inline(__always)
    static func floors(_ z: SIMD8<Float>) -> SIMD8<Int32> {
      unsafeBitCast(_mm256_cvttps_epi32(z), to: SIMD8<Int32>.self)
    }

    /// ``clampToUInt8(_:)`` per lane: `⌊min(max(x, 0) + 0.5, 255.5)⌋`, which equals
    /// `⌊min(max(x, 0), 255) + 0.5⌋` as `max(x, 0) + 0.5` is exact up to 255 and at least 255.5
    /// above. `vmaxps(x, 0)` is `x > 0 ? x : 0`, as ``selectMax(_:_:)``: +0 for −0, negatives and NaN
    /// (so this is also ``toUInt8(_:)``, which maps NaN to 0).
    @inline(__always)
    static func clampedBytes(_ x: SIMD8<Float>) -> SIMD8<Int32> {
      let raised = _mm256_max_ps(x, SIMD8<Float>(repeating: 0))
      let z = _mm256_min_ps(SIMD8<Float>(repeating: 255.5), raised + SIMD8<Float>(repeating: 0.5))
      return floors(z)
    }

    /// ``toUInt8(_:)`` of sixteen lanes (`low`, then `high`) as bytes: ``clampedBytes(_:)`` per lane,
    /// then ``saturatedBytes(_:_:)``.
    @inline(__always)
    static func toBytes16(_ low: SIMD8<Float>, _ high: SIMD8<Float>) -> SIMD16<UInt8> {
      saturatedBytes(clampedBytes(low), clampedBytes(high))
    }

    /// Eight RGB pixels given as planes (one pixel per lane, each value in `0...255`) stored at `d` as
    /// exactly 24 interleaved bytes.
    ///
    /// Two saturating packs put each 128-bit half's four pixels as `r0 r1 r2 r3 g0 … b3 b0 … b3`
    /// (pixels 0–3 in the low half, 4–7 in the high half); one byte shuffle per half interleaves them
    /// into 12 bytes in front; then 16 bytes of the low half, and 8 + 4 of the high half over the low
    /// half's 4 spare bytes.
    @inline(__always)
    static func storeRGB(
      red: SIMD8<Int32>, green: SIMD8<Int32>, blue: SIMD8<Int32>, _ d: UnsafeMutablePointer<UInt8>
    ) {
      let rg = _mm256_packus_epi32(
        unsafeBitCast(red, to: SIMD4<Int64>.self), unsafeBitCast(green, to: SIMD4<Int64>.self))
      let bb = _mm256_packus_epi32(
        unsafeBitCast(blue, to: SIMD4<Int64>.self), unsafeBitCast(blue, to: SIMD4<Int64>.self))
      let planes = _mm256_packus_epi16(rg, bb)
      let order = SIMD32<UInt8>(
        0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11, 12, 13, 14, 15,
        0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11, 12, 13, 14, 15)
      storeFrontBytes(_mm256_shuffle_epi8(planes, unsafeBitCast(order, to: SIMD4<Int64>.self)), d)
    }

    /// Eight RGB pixels, one per 32-bit word (red in the low byte, the fourth byte ignored), stored at
    /// `d` as exactly 24 bytes: one byte shuffle puts each half's four pixels as 12 bytes in front,
    /// then ``storeFrontBytes(_:_:)``.
    @inline(__always)
    static func storeRGBWords(_ words: SIMD8<UInt32>, _ d: UnsafeMutablePointer<UInt8>) {
      let order = SIMD32<UInt8>(
        0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 3, 7, 11, 15,
        0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 3, 7, 11, 15)
      storeFrontBytes(
        _mm256_shuffle_epi8(
          unsafeBitCast(words, to: SIMD4<Int64>.self), unsafeBitCast(order, to: SIMD4<Int64>.self)),
        d)
    }

    /// The first 12 bytes of each 128-bit half of `x`, stored at `d` as exactly 24 bytes: 16 bytes of
    /// the low half, then 8 + 4 of the high half over the low half's 4 spare bytes.
    @inline(__always)
    static func storeFrontBytes(_ x: SIMD4<Int64>, _ d: UnsafeMutablePointer<UInt8>) {
      let (low, highBytes) = halves(unsafeBitCast(x, to: SIMD32<UInt8>.self))
      let high = unsafeBitCast(highBytes, to: SIMD4<UInt32>.self)
      let out = UnsafeMutableRawPointer(d)
      out.storeBytes(of: low, as: SIMD16<UInt8>.self)
      out.storeBytes(of: SIMD2(high[0], high[1]), toByteOffset: 12, as: SIMD2<UInt32>.self)
      out.storeBytes(of: high[2], toByteOffset: 20, as: UInt32.self)
    }
  }
#endif
