#if arch(x86_64) && !PORTABLE_LANES
  import _Builtin_intrinsics.intel

  // Lane operations on x86-64 that the standard library's SIMD types do not lower to a single
  // instruction, through Clang's Intel intrinsics (inlined into the callers): first the SSE2 ones both
  // builds use, then the baseline build's (SSE2 is what every x86-64 processor has; the host-level
  // build's AVX2 forms are in Kernels+AVX2.swift). Other architectures keep the portable forms beside
  // each use; the compilation condition PORTABLE_LANES selects those on x86-64 too, for
  // Tools/cpu-level-identity to check them (`Tools/build-release --portable`).

  extension Kernels {
    /// The larger byte of each lane (`pmaxub`; the portable select becomes a compare and a blend).
    @inline(__always)
    static func byteMaximumLanes(_ a: SIMD16<UInt8>, _ b: SIMD16<UInt8>) -> SIMD16<UInt8> {
      unsafeBitCast(
        _mm_max_epu8(unsafeBitCast(a, to: SIMD2<Int64>.self), unsafeBitCast(b, to: SIMD2<Int64>.self)),
        to: SIMD16<UInt8>.self)
    }
  }
#endif

#if arch(x86_64) && !PORTABLE_LANES && !X86_64_V3
  import _Builtin_intrinsics.intel

  extension Kernels {
    /// `⌊z⌋` per lane (`cvttps2dq`, which truncates), for lanes in `0 ..< 2³¹`; lanes in `(−1, 0)`
    /// give 0, lower lanes a negative integer (−2³¹ below −2³¹).
    @inline(__always)
    static func floors(_ z: SIMD4<Float>) -> SIMD4<Int32> {
      unsafeBitCast(_mm_cvttps_epi32(z), to: SIMD4<Int32>.self)
    }

    /// `x` converted exactly to floats (`cvtdq2ps`), for lanes of magnitude below 2²⁴.
    @inline(__always)
    static func floats(_ x: SIMD4<Int32>) -> SIMD4<Float> {
      _mm_cvtepi32_ps(unsafeBitCast(x, to: SIMD2<Int64>.self))
    }

    /// ``clampToUInt8(_:)`` per lane: `⌊min(max(x, 0) + 0.5, 255.5)⌋` (`maxps`, `addps`, `minps`,
    /// `cvttps2dq`), which equals `⌊min(max(x, 0), 255) + 0.5⌋` as `max(x, 0) + 0.5` is exact up to
    /// 255 and at least 255.5 above. `maxps(x, 0)` is `x > 0 ? x : 0`: +0 for −0, negatives and NaN.
    @inline(__always)
    static func clampedBytes(_ x: SIMD4<Float>) -> SIMD4<Int32> {
      let raised = _mm_max_ps(x, SIMD4<Float>(repeating: 0))
      return floors(_mm_min_ps(SIMD4<Float>(repeating: 255.5), raised + SIMD4<Float>(repeating: 0.5)))
    }

    /// `⌊z⌋` per lane of an eight-lane vector (two SSE registers), lane for lane as the four-lane `floors`.
    @inline(__always)
    static func floors(_ z: SIMD8<Float>) -> SIMD8<Int32> {
      let (low, high) = unsafeBitCast(z, to: (SIMD4<Float>, SIMD4<Float>).self)
      return unsafeBitCast((floors(low), floors(high)), to: SIMD8<Int32>.self)
    }

    /// An eight-lane vector (two SSE registers) converted exactly to floats, as
    /// the four-lane `floats`.
    @inline(__always)
    static func floats(_ x: SIMD8<Int32>) -> SIMD8<Float> {
      let (low, high) = unsafeBitCast(x, to: (SIMD4<Int32>, SIMD4<Int32>).self)
      return unsafeBitCast((floats(low), floats(high)), to: SIMD8<Float>.self)
    }

    /// ``SampleLine``'s `clamp(⌊(a·x + b) / 2¹⁴⌋, 0, 255)` for 16 samples, given the lines' pieces per
    /// lane: each half of the bytes widened to 16-bit lanes (`punpcklbw`/`punpckhbw` with zero),
    /// `aₕ·x + ⌊(aₗ·x + bₗ) / 2⁸⌋` with wrapping 16-bit arithmetic (exact: both stay below 2¹⁶), then
    /// `bₕ` added and subtracted with unsigned saturation (`paddusw`, `psubusw`), shifted down by 6 and
    /// narrowed with saturation at 255 (`packuswb`; the values are at most 1023, positive as signed
    /// words).
    @inline(__always)
    static func lineLanes(
      _ bytes: SIMD16<UInt8>, _ slopeLow: SIMD16<UInt16>, _ slopeHigh: SIMD16<UInt16>,
      _ interceptLow: SIMD16<UInt16>, _ interceptAdded: SIMD16<UInt16>, _ interceptSubtracted: SIMD16<UInt16>
    ) -> SIMD16<UInt8> {
      typealias Words = (SIMD8<UInt16>, SIMD8<UInt16>)
      let packed = unsafeBitCast(bytes, to: SIMD2<Int64>.self)
      let zero = SIMD2<Int64>()
      let x = (
        unsafeBitCast(_mm_unpacklo_epi8(packed, zero), to: SIMD8<UInt16>.self),
        unsafeBitCast(_mm_unpackhi_epi8(packed, zero), to: SIMD8<UInt16>.self)
      )
      let low = unsafeBitCast(slopeLow, to: Words.self)
      let high = unsafeBitCast(slopeHigh, to: Words.self)
      let interceptLows = unsafeBitCast(interceptLow, to: Words.self)
      let added = unsafeBitCast(interceptAdded, to: (SIMD2<Int64>, SIMD2<Int64>).self)
      let subtracted = unsafeBitCast(interceptSubtracted, to: (SIMD2<Int64>, SIMD2<Int64>).self)
      @inline(__always) func half(
        _ x: SIMD8<UInt16>, _ low: SIMD8<UInt16>, _ high: SIMD8<UInt16>, _ interceptLow: SIMD8<UInt16>,
        _ added: SIMD2<Int64>, _ subtracted: SIMD2<Int64>
      ) -> SIMD2<Int64> {
        let q = (x &* low &+ interceptLow) &>> 8
        let t = unsafeBitCast(x &* high &+ q, to: SIMD2<Int64>.self)
        return _mm_srli_epi16(_mm_subs_epu16(_mm_adds_epu16(t, added), subtracted), 6)
      }
      let first = half(x.0, low.0, high.0, interceptLows.0, added.0, subtracted.0)
      let second = half(x.1, low.1, high.1, interceptLows.1, added.1, subtracted.1)
      return unsafeBitCast(_mm_packus_epi16(first, second), to: SIMD16<UInt8>.self)
    }

    /// ``toUInt8(_:)`` of sixteen lanes (`low`, then `high`, two SSE registers each) as bytes:
    /// ``clampedBytes(_:)`` per lane, then ``saturatedBytes(_:_:_:_:)``.
    @inline(__always)
    static func toBytes16(_ low: SIMD8<Float>, _ high: SIMD8<Float>) -> SIMD16<UInt8> {
      let a = unsafeBitCast(low, to: (SIMD4<Float>, SIMD4<Float>).self)
      let b = unsafeBitCast(high, to: (SIMD4<Float>, SIMD4<Float>).self)
      return saturatedBytes(clampedBytes(a.0), clampedBytes(a.1), clampedBytes(b.0), clampedBytes(b.1))
    }

    /// Sixteen 32-bit lanes (`a` to `d`, in order) as bytes, each saturated to `0...255` (`packssdw`
    /// twice, then `packuswb`; the lanes are integers of magnitude below 2³¹, and a signed 16-bit
    /// saturation keeps each side of `0...255`).
    @inline(__always)
    static func saturatedBytes(
      _ a: SIMD4<Int32>, _ b: SIMD4<Int32>, _ c: SIMD4<Int32>, _ d: SIMD4<Int32>
    ) -> SIMD16<UInt8> {
      let low = _mm_packs_epi32(
        unsafeBitCast(a, to: SIMD2<Int64>.self), unsafeBitCast(b, to: SIMD2<Int64>.self))
      let high = _mm_packs_epi32(
        unsafeBitCast(c, to: SIMD2<Int64>.self), unsafeBitCast(d, to: SIMD2<Int64>.self))
      return unsafeBitCast(_mm_packus_epi16(low, high), to: SIMD16<UInt8>.self)
    }
  }
#endif
