/* The header's version string for the Swift implementation: include/charnn.h's
 * CHARNN_VERSION_STRING is the one place the version is written (the library, the Python
 * package, pkg-config and the Makefile all read it from there). A string literal, so static
 * storage: charnn_version_string() returns it as is. Inline: no symbol in libcharnn.so. */
#ifndef CCHARNN_VERSION_H
#define CCHARNN_VERSION_H
#include "../../../include/charnn.h"

static inline const char *ccharnn_header_version_string(void) { return CHARNN_VERSION_STRING; }

#endif
