/* A C target needs a source file; this one also proves the header compiles as C on its own. */
#include "../../include/charnn.h"
