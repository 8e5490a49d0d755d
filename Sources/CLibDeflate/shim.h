#ifndef AUGSTORE_CLIBDEFLATE_SHIM_H
#define AUGSTORE_CLIBDEFLATE_SHIM_H

// libdeflate's whole-buffer zlib decompressor (Debian's libdeflate-dev): the PNG decoder inflates
// an image's IDAT stream in one call into a buffer of exactly the size the image needs. Errors are
// returned as `enum libdeflate_result`, never through longjmp.
#include <libdeflate.h>

#endif
