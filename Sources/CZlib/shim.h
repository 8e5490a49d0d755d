#ifndef AUGSTORE_CZLIB_SHIM_H
#define AUGSTORE_CZLIB_SHIM_H

// zlib for the PNG decoder's own 16-bit Adam7 path (inflate and crc32).
#include <zlib.h>

/// `inflateInit` is a macro (it passes ZLIB_VERSION and sizeof(z_stream)); Swift cannot call it.
static inline int augstore_inflate_init(z_streamp stream) {
  return inflateInit(stream);
}

#endif
