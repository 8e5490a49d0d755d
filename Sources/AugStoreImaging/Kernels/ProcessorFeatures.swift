import CKernels

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Instruction set extensions the processor offers beyond what the build was compiled for, which a
/// few kernels use through copies compiled for them (the `CKernels` target).
///
/// Only the baseline x86-64 build looks: the host-level build (`X86_64_V3`) compiles those kernels for
/// AVX2 itself, and the portable build (`PORTABLE_LANES`, what other architectures run) never leaves
/// its own lane code. Every kernel gives the same bytes whichever code runs
/// (`Tools/cpu-level-identity`).
///
/// Setting the environment variable `AUGSTORE_CPU_DISPATCH=off` makes the baseline build keep to its
/// SSE2 code, for comparisons and for testing that code on a processor that has more.
package struct ProcessorFeatures: Sendable, Equatable {
  /// `pshufb`: the RGB flip.
  package var ssse3: Bool
  /// 256-bit float lanes: the hue shift, the colour degeneration and the colour jitter's saturation
  /// and hue steps.
  package var avx2: Bool

  /// No extensions: every kernel runs the build's own code.
  package static let none = ProcessorFeatures(ssse3: false, avx2: false)

  /// What this build's kernels use on this processor (read once).
  package static let current: ProcessorFeatures = {
    #if arch(x86_64) && !X86_64_V3 && !PORTABLE_LANES
      if let setting = getenv("AUGSTORE_CPU_DISPATCH"), String(cString: setting) == "off" { return .none }
      let bits = augstore_cpu_features()
      return ProcessorFeatures(
        ssse3: bits & UInt32(AUGSTORE_CPU_SSSE3) != 0, avx2: bits & UInt32(AUGSTORE_CPU_AVX2) != 0)
    #else
      return .none
    #endif
  }()
}
