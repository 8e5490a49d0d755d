#include "CKernels.h"

#include <string.h>

#if defined(__x86_64__)
typedef uint8_t bytes16 __attribute__((vector_size(16)));

// The three 16-byte output vectors of 16 mirrored pixels from the source vectors s0, s1, s2 (bytes
// 0–47 of the mirrored block): the byte map of Kernels.reverseRGBRowShuffled, as two-source shuffles
// that clang lowers to `pshufb` + `por`.
__attribute__((target("ssse3"))) void augstore_reverse_rgb_row_ssse3(
  const uint8_t *src, uint8_t *dst, size_t width) {
  size_t length = 3 * width, q = 0;
  for (; q + 48 <= length; q += 48) {
    size_t base = length - q - 48;
    bytes16 s0, s1, s2;
    memcpy(&s0, src + base, 16);
    memcpy(&s1, src + base + 16, 16);
    memcpy(&s2, src + base + 32, 16);
    bytes16 o0 = __builtin_shufflevector(
      s1, s2, 29, 30, 31, 26, 27, 28, 23, 24, 25, 20, 21, 22, 17, 18, 19, 14);
    // o1 takes bytes from all three: s1 and s2 first, then s0's last byte into lane 14.
    bytes16 t1 = __builtin_shufflevector(
      s1, s2, 15, 16, 11, 12, 13, 8, 9, 10, 5, 6, 7, 2, 3, 4, 0, 0);
    bytes16 o1 = __builtin_shufflevector(
      t1, s0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 31, 15);
    bytes16 o2 = __builtin_shufflevector(
      s0, s1, 17, 12, 13, 14, 9, 10, 11, 6, 7, 8, 3, 4, 5, 0, 1, 2);
    memcpy(dst + q, &o0, 16);
    memcpy(dst + q + 16, &o1, 16);
    memcpy(dst + q + 32, &o2, 16);
  }
  for (; q < length; q += 3) {
    size_t r = length - 3 - q;
    dst[q] = src[r];
    dst[q + 1] = src[r + 1];
    dst[q + 2] = src[r + 2];
  }
}
#else
void augstore_reverse_rgb_row_ssse3(const uint8_t *src, uint8_t *dst, size_t width) {
  (void)src, (void)dst, (void)width;
}
#endif
