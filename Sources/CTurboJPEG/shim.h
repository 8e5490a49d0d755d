#ifndef AUGSTORE_CTURBOJPEG_SHIM_H
#define AUGSTORE_CTURBOJPEG_SHIM_H

// libjpeg-turbo's TurboJPEG API (tj*): errors are reported through return codes and
// tjGetErrorStr2/tjGetErrorCode, never through longjmp out of the library, so it is safe to call
// from Swift.
#include <stddef.h>
#include <turbojpeg.h>

#endif
