#if arch(x86_64) && !X86_64_V3
  import _Builtin_intrinsics.intel

  // The baseline build's lane operations on x86-64 (SSE2, which every x86-64 processor has) that the
  // standard library's SIMD types do not lower to a single instruction: Clang's Intel intrinsics,
  // inlined into the callers. Other architectures keep the portable forms beside each use.

  extension Kernels {
    /// The larger byte of each lane (`pmaxub`; the portable select becomes a compare and a blend).
    @inline(__always)
    static func byteMaximumLanes(_ a: SIMD16<UInt8>, _ b: SIMD16<UInt8>) -> SIMD16<UInt8> {
      unsafeBitCast(
        _mm_max_epu8(unsafeBitCast(a, to: SIMD2<Int64>.self), unsafeBitCast(b, to: SIMD2<Int64>.self)),
        to: SIMD16<UInt8>.self)
    }

    /// `⌊z⌋` per lane (`cvttps2dq`, which truncates), for lanes in `0 ..< 2³¹`; lanes in `(−1, 0)`
    /// give 0, lanes below −1 a negative integer.
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
