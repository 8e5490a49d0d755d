#ifndef AUGSTORE_CKERNELS_H
#define AUGSTORE_CKERNELS_H

// Kernels compiled for instruction set extensions beyond the x86-64 baseline (SSSE3, AVX2) through
// function target attributes, so the package needs no compiler flags. Callers check
// augstore_cpu_features() first and call a kernel only when the processor has what it needs; on other
// architectures the features are 0 and the kernels are never called.
//
// Each kernel runs the same IEEE float32 operations, in the same order, as the Swift lanes it stands
// in for (AugStoreImaging's Kernels+PixelQuads.swift and Kernels+Tone.swift): no fused multiply-add
// (the functions are not compiled for FMA, and contraction is off), so the bytes are identical.

#include <stddef.h>
#include <stdint.h>

/// The processor has SSSE3 (`pshufb`).
#define AUGSTORE_CPU_SSSE3 1u
/// The processor has AVX2 and the operating system saves the 256-bit registers.
#define AUGSTORE_CPU_AVX2 2u

/// The `AUGSTORE_CPU_*` bits this processor supports (0 off x86-64).
unsigned augstore_cpu_features(void);

/// Writes the `width` RGB pixels of `src` to `dst` in reverse order (`dst` pixel x = `src` pixel
/// `width − 1 − x`). Needs SSSE3. `src` and `dst` do not overlap.
void augstore_reverse_rgb_row_ssse3(const uint8_t *src, uint8_t *dst, size_t width);

/// Keras' hue shift (RGB → HSV, hue + `shift` wrapped, HSV → RGB, clipped, rounded) over the leading
/// pixels of an RGB (`channels` 3) or RGBA (4) buffer of `count` samples, eight pixels per vector;
/// alpha is copied. Returns the number of samples done (a multiple of `channels`); the caller does the
/// rest, and for RGB also rewrites the four samples from that index (written with zeros).
/// `shift` is finite. Needs AVX2.
size_t augstore_shift_hue_bytes_avx2(
  const uint8_t *src, uint8_t *dst, size_t count, size_t channels, float shift);

/// Keras' colour degeneration (`c + factor · (grey − c)`, clipped, rounded) over the leading pixels of
/// an RGB (`channels` 3) or RGBA (4) buffer of `count` samples, eight pixels per vector; alpha is
/// copied. Returns the number of samples done, as augstore_shift_hue_bytes_avx2. `factor` is finite.
/// Needs AVX2.
size_t augstore_degenerate_bytes_avx2(
  const uint8_t *src, uint8_t *dst, size_t count, size_t channels, float factor);

/// The colour jitter's saturation step over the leading `count` pixels of three float planes (values
/// on the 0–255 scale, finite, not −0), in place: RGB → HSV, saturation · `factor` clipped to
/// [`low`, `high`], HSV → RGB. Returns the number of pixels done. Needs AVX2.
size_t augstore_saturate_planes_avx2(
  float *red, float *green, float *blue, size_t count, float factor, float low, float high);

/// The colour jitter's hue step over the leading `count` pixels of three float planes (values on the
/// 0–255 scale, finite, not −0), in place: `/ 255`, RGB → HSV, hue + `shift` wrapped, HSV → RGB,
/// clipped to [0, 1], `· 255`. Returns the number of pixels done. `shift` is finite. Needs AVX2.
size_t augstore_shift_hue_planes_avx2(float *red, float *green, float *blue, size_t count, float shift);

#endif
