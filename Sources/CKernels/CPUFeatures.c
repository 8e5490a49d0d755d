#include "CKernels.h"

#if defined(__x86_64__)
#include <cpuid.h>

// XGETBV without the `xsave` target feature: the instruction's encoding (0F 01 D0).
static uint64_t read_xcr0(void) {
  uint32_t low, high;
  __asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(low), "=d"(high) : "c"(0));
  return ((uint64_t)high << 32) | low;
}

unsigned augstore_cpu_features(void) {
  unsigned a, b, c, d, features = 0;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
  if (c & bit_SSSE3) features |= AUGSTORE_CPU_SSSE3;
  // AVX2 needs the CPU's AVX and AVX2 bits, and the OS saving XMM and YMM state (XCR0 bits 1 and 2).
  int osxsave = (c & bit_OSXSAVE) != 0, avx = (c & bit_AVX) != 0;
  if (osxsave && avx && (read_xcr0() & 6) == 6 && __get_cpuid_max(0, 0) >= 7) {
    __cpuid_count(7, 0, a, b, c, d);
    if (b & bit_AVX2) features |= AUGSTORE_CPU_AVX2;
  }
  return features;
}
#else
unsigned augstore_cpu_features(void) { return 0; }
#endif
