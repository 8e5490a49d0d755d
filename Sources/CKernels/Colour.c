// The colour kernels' AVX2 copies: the hue shift, the colour jitter's saturation and hue steps, and
// the colour degeneration, eight pixels per vector, one per 32-bit lane, as the host-level build's
// Swift lanes (Kernels+PixelQuads.swift, Kernels+Tone.swift) compute them.
#include "CKernels.h"

#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>

// The Swift lanes never fuse a multiply and an add; neither does this file.
#pragma STDC FP_CONTRACT OFF

typedef float lanes __attribute__((ext_vector_type(8)));
typedef int32_t bits __attribute__((ext_vector_type(8)));

/// Eight planar pixels.
typedef struct {
  lanes red, green, blue;
} pixels;

#define LANE_FUNCTION static inline __attribute__((always_inline, target("avx2")))

LANE_FUNCTION lanes splat(float x) { return (lanes){x, x, x, x, x, x, x, x}; }
LANE_FUNCTION bits pattern(lanes x) { return (bits)x; }

// The helpers of Kernels+PixelQuads.swift, one for one (see there for their preconditions).

/// All ones where `a < b`: the sign of `a − b`.
LANE_FUNCTION bits less_mask(lanes a, lanes b) { return pattern(a - b) >> 31; }
/// All ones where `x` is +0, for `x ≥ 0`.
LANE_FUNCTION bits zero_mask(lanes x) { return (pattern(x) - 1) >> 31; }
/// `mask ? a : b` per lane.
LANE_FUNCTION lanes choose(bits mask, lanes a, lanes b) {
  return (lanes)((pattern(a) & mask) | (pattern(b) & ~mask));
}
LANE_FUNCTION lanes lane_max(lanes x, lanes y) { return choose(less_mask(y, x), x, y); }
LANE_FUNCTION lanes lane_min(lanes x, lanes y) { return choose(less_mask(y, x), y, x); }
LANE_FUNCTION lanes clamped_to_unit(lanes x) { return lane_min(lane_max(x, splat(0)), splat(1)); }
LANE_FUNCTION lanes lane_abs(lanes x) { return (lanes)(pattern(x) & 0x7FFFFFFF); }

/// rgbToHSV's hue (not yet shifted), saturation and value of `r`, `g`, `b`.
LANE_FUNCTION pixels to_hsv(lanes r, lanes g, lanes b) {
  const lanes zero = splat(0), one = splat(1);
  lanes value = lane_max(r, lane_max(g, b));
  lanes minimum = lane_min(r, lane_min(g, b));
  lanes range = value - minimum;
  lanes saturation = choose(less_mask(zero, value), range / value, zero);
  lanes norm = one / (splat(6) * range);
  lanes from_red = norm * (g - b);
  lanes from_green = norm * (b - r) + splat(2.0f / 6.0f);
  lanes from_blue = norm * (r - g) + splat(4.0f / 6.0f);
  lanes hue = choose(zero_mask(value - r), from_red, choose(zero_mask(value - g), from_green, from_blue));
  hue = choose(less_mask(zero, range), hue, zero);
  hue = choose(less_mask(hue, zero), hue + one, hue);
  return (pixels){hue, saturation, value};
}

/// hsvToRGB of hue, saturation, value (in the `red`, `green`, `blue` slots), before any clipping.
LANE_FUNCTION pixels to_rgb(lanes hue, lanes saturation, lanes value) {
  const lanes one = splat(1);
  lanes dh = hue * splat(6);
  lanes dr = clamped_to_unit(lane_abs(dh - splat(3)) - one);
  lanes dg = clamped_to_unit(splat(2) - lane_abs(dh - splat(2)));
  lanes db = clamped_to_unit(splat(2) - lane_abs(dh - splat(4)));
  lanes one_minus_s = one - saturation;
  return (pixels){
    (one_minus_s + saturation * dr) * value, (one_minus_s + saturation * dg) * value,
    (one_minus_s + saturation * db) * value};
}

/// Kernels.shiftedHue: samples on the 0–255 scale in and out.
LANE_FUNCTION pixels shifted_hue(pixels p, lanes shift) {
  const lanes scale = splat(255), zero = splat(0), one = splat(1);
  pixels hsv = to_hsv(p.red / scale, p.green / scale, p.blue / scale);
  lanes hue = hsv.red + shift;
  hue = choose(less_mask(one, hue), hue - one, hue);
  hue = choose(less_mask(hue, zero), hue + one, hue);
  pixels rgb = to_rgb(hue, hsv.green, hsv.blue);
  return (pixels){
    clamped_to_unit(rgb.red) * scale, clamped_to_unit(rgb.green) * scale, clamped_to_unit(rgb.blue) * scale};
}

/// Kernels.saturated: the saturation scaled and clipped, samples on the 0–255 scale.
LANE_FUNCTION pixels saturated(pixels p, lanes factor, lanes low, lanes high) {
  pixels hsv = to_hsv(p.red, p.green, p.blue);
  lanes saturation = lane_min(lane_max(hsv.green * factor, low), high);
  return to_rgb(hsv.red, saturation, hsv.blue);
}

LANE_FUNCTION lanes load_lanes(const float *p) {
  lanes x;
  memcpy(&x, p, sizeof x);
  return x;
}

LANE_FUNCTION void store_lanes(float *p, lanes x) { memcpy(p, &x, sizeof x); }

LANE_FUNCTION pixels load_planes(const float *r, const float *g, const float *b, size_t p) {
  return (pixels){load_lanes(r + p), load_lanes(g + p), load_lanes(b + p)};
}

LANE_FUNCTION void store_planes(float *r, float *g, float *b, size_t p, pixels x) {
  store_lanes(r + p, x.red);
  store_lanes(g + p, x.green);
  store_lanes(b + p, x.blue);
}

/// Eight pixels from sample `i`, one per 32-bit lane (RGB: each pixel's three bytes and a zero byte;
/// RGBA: as stored), from one 32-byte load.
LANE_FUNCTION bits load_pixels(const uint8_t *s, size_t i, size_t channels) {
  __m256i v = _mm256_loadu_si256((const __m256i *)(s + i));
  if (channels == 3) {
    // Bytes 0–11 (pixels 0–3) to the low half, bytes 12–23 (pixels 4–7) to the high half, then each
    // pixel's three bytes into its own 32-bit lane.
    v = _mm256_permutevar8x32_epi32(v, _mm256_setr_epi32(0, 1, 2, 2, 3, 4, 5, 5));
    v = _mm256_shuffle_epi8(
      v, _mm256_setr_epi8(
           0, 1, 2, -1, 3, 4, 5, -1, 6, 7, 8, -1, 9, 10, 11, -1, 0, 1, 2, -1, 3, 4, 5, -1, 6, 7, 8, -1, 9, 10,
           11, -1));
  }
  return (bits)v;
}

/// Stores eight pixel words at sample `i`. RGB: each half's four pixels packed into 12 bytes and
/// stored as 16 (at `i` and `i + 12`), so the four bytes after the last pixel are written too, with
/// zeros.
LANE_FUNCTION void store_pixels(uint8_t *d, size_t i, size_t channels, bits words) {
  __m256i v = (__m256i)words;
  if (channels == 4) {
    _mm256_storeu_si256((__m256i *)(d + i), v);
    return;
  }
  v = _mm256_shuffle_epi8(
    v, _mm256_setr_epi8(
         0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1, 0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1,
         -1, -1, -1));
  _mm_storeu_si128((__m128i *)(d + i), _mm256_castsi256_si128(v));
  _mm_storeu_si128((__m128i *)(d + i + 12), _mm256_extracti128_si256(v, 1));
}

LANE_FUNCTION lanes channel(bits p, int shift) {
  return __builtin_convertvector((p >> shift) & 0xFF, lanes);
}

/// `⌊x + 0.5⌋` per lane for `0 ≤ x ≤ 255` (`cvttps2dq`).
LANE_FUNCTION bits rounded(lanes x) { return (bits)_mm256_cvttps_epi32((__m256)(x + splat(0.5f))); }

LANE_FUNCTION bits merged(pixels p, bits original, size_t channels) {
  bits words = rounded(p.red) | (rounded(p.green) << 8) | (rounded(p.blue) << 16);
  if (channels == 4) words |= original & (int32_t)0xFF000000;
  return words;
}

LANE_FUNCTION size_t shift_hue_bytes(
  const uint8_t *src, uint8_t *dst, size_t count, size_t channels, float shift) {
  const lanes shift_lanes = splat(shift);
  const size_t group = 8 * channels;
  size_t i = 0;
  // Two groups per step, as Kernels.shiftHuePixels; the second group's 32-byte load ends at
  // `i + group + 32`, past its RGB stores.
  while (i + group + 32 <= count) {
    bits first = load_pixels(src, i, channels);
    bits second = load_pixels(src, i + group, channels);
    pixels a = shifted_hue((pixels){channel(first, 0), channel(first, 8), channel(first, 16)}, shift_lanes);
    pixels b =
      shifted_hue((pixels){channel(second, 0), channel(second, 8), channel(second, 16)}, shift_lanes);
    store_pixels(dst, i, channels, merged(a, first, channels));
    store_pixels(dst, i + group, channels, merged(b, second, channels));
    i += 2 * group;
  }
  return i;
}

__attribute__((target("avx2"))) size_t augstore_shift_hue_bytes_avx2(
  const uint8_t *src, uint8_t *dst, size_t count, size_t channels, float shift) {
  // Separate instantiations, so each loop knows its channel count.
  return channels == 4 ? shift_hue_bytes(src, dst, count, 4, shift)
                       : shift_hue_bytes(src, dst, count, 3, shift);
}

/// `clampToUInt8(x)` per lane for finite `x`: `⌊min(max(x, 0) + 0.5, 255.5)⌋` (Kernels.clampedBytes).
LANE_FUNCTION bits clamped_bytes(lanes x) {
  __m256 raised = _mm256_max_ps((__m256)x, _mm256_setzero_ps());
  __m256 z = _mm256_min_ps(_mm256_set1_ps(255.5f), _mm256_add_ps(raised, _mm256_set1_ps(0.5f)));
  return (bits)_mm256_cvttps_epi32(z);
}

LANE_FUNCTION size_t degenerate_bytes(
  const uint8_t *src, uint8_t *dst, size_t count, size_t channels, float factor) {
  const lanes f = splat(factor);
  const size_t group = 8 * channels;
  size_t i = 0;
  while (i + 32 <= count) {
    bits p = load_pixels(src, i, channels);
    lanes r = channel(p, 0), g = channel(p, 8), b = channel(p, 16);
    lanes grey = r * splat(0.2989f) + g * splat(0.5870f) + b * splat(0.1140f);
    bits words = clamped_bytes(r + f * (grey - r)) | (clamped_bytes(g + f * (grey - g)) << 8)
                 | (clamped_bytes(b + f * (grey - b)) << 16);
    if (channels == 4) words |= p & (int32_t)0xFF000000;
    store_pixels(dst, i, channels, words);
    i += group;
  }
  return i;
}

__attribute__((target("avx2"))) size_t augstore_degenerate_bytes_avx2(
  const uint8_t *src, uint8_t *dst, size_t count, size_t channels, float factor) {
  return channels == 4 ? degenerate_bytes(src, dst, count, 4, factor)
                       : degenerate_bytes(src, dst, count, 3, factor);
}

__attribute__((target("avx2"))) size_t augstore_saturate_planes_avx2(
  float *red, float *green, float *blue, size_t count, float factor, float low, float high) {
  const lanes f = splat(factor), l = splat(low), h = splat(high);
  size_t p = 0;
  for (; p + 16 <= count; p += 16) {
    pixels a = saturated(load_planes(red, green, blue, p), f, l, h);
    pixels b = saturated(load_planes(red, green, blue, p + 8), f, l, h);
    store_planes(red, green, blue, p, a);
    store_planes(red, green, blue, p + 8, b);
  }
  return p;
}

__attribute__((target("avx2"))) size_t augstore_shift_hue_planes_avx2(
  float *red, float *green, float *blue, size_t count, float shift) {
  const lanes s = splat(shift);
  size_t p = 0;
  for (; p + 16 <= count; p += 16) {
    pixels a = shifted_hue(load_planes(red, green, blue, p), s);
    pixels b = shifted_hue(load_planes(red, green, blue, p + 8), s);
    store_planes(red, green, blue, p, a);
    store_planes(red, green, blue, p + 8, b);
  }
  return p;
}
#else
size_t augstore_shift_hue_bytes_avx2(
  const uint8_t *src, uint8_t *dst, size_t count, size_t channels, float shift) {
  (void)src, (void)dst, (void)count, (void)channels, (void)shift;
  return 0;
}
size_t augstore_degenerate_bytes_avx2(
  const uint8_t *src, uint8_t *dst, size_t count, size_t channels, float factor) {
  (void)src, (void)dst, (void)count, (void)channels, (void)factor;
  return 0;
}
size_t augstore_saturate_planes_avx2(
  float *red, float *green, float *blue, size_t count, float factor, float low, float high) {
  (void)red, (void)green, (void)blue, (void)count, (void)factor, (void)low, (void)high;
  return 0;
}
size_t augstore_shift_hue_planes_avx2(float *red, float *green, float *blue, size_t count, float shift) {
  (void)red, (void)green, (void)blue, (void)count, (void)shift;
  return 0;
}
#endif
