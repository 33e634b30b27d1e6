// Helpers shared by the PNG and JPEG shims (private to CImageCodecs).
#ifndef QUARRY_CODEC_SUPPORT_H
#define QUARRY_CODEC_SUPPORT_H

#include <limits.h>
#include <stddef.h>
#include <stdio.h>

// Images above this many pixels are refused (2^28 = 16384 x 16384): it keeps every size
// computation far from overflow and a corrupt header from asking for terabytes.
#define QUARRY_MAX_PIXELS ((size_t)1 << 28)

static inline void quarry_set_message(char *message, size_t capacity, const char *text) {
    if (message == NULL || capacity == 0) return;
    snprintf(message, capacity, "%s", text);
}

static inline int quarry_dimensions_ok(size_t width, size_t height) {
    return width > 0 && height > 0 && width <= INT_MAX && height <= INT_MAX
        && width * height <= QUARRY_MAX_PIXELS;
}

#endif
