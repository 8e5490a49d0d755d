#ifndef AUGSTORE_CLIBPNG_SHIM_H
#define AUGSTORE_CLIBPNG_SHIM_H

// libpng's simplified API (png_image_*): errors are reported through the return value and
// png_image.message, never through longjmp, so it is safe to call from Swift.
#include <png.h>
#include <stddef.h>

/// Bytes needed for the decoded image in `image`'s current format with a tight row stride.
static inline size_t augstore_png_image_size(const png_image *image) {
  return PNG_IMAGE_SIZE(*image);
}

/// Channels per pixel of a simplified-API format (1 to 4).
static inline unsigned augstore_png_image_channels(png_uint_32 format) {
  return PNG_IMAGE_SAMPLE_CHANNELS(format);
}

/// Upper bound for the encoded size of `image` written with a tight row stride.
static inline size_t augstore_png_image_png_size_max(const png_image *image) {
  return PNG_IMAGE_PNG_SIZE_MAX(*image);
}

/// Nonzero when the last simplified-API call on `image` failed (an error, not just a warning).
static inline int augstore_png_image_failed(const png_image *image) {
  return PNG_IMAGE_FAILED(*image);
}

#endif
