// Everything is static inline in include/charnn_shims.h; SwiftPM needs one source file per C target.
#include "charnn_shims.h"
