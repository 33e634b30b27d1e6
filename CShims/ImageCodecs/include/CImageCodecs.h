// C shim over libpng and libjpeg (with setjmp/longjmp error recovery).
// Imported only by the Data module. Every function reports failure through a status code and a
// NUL-terminated message; none of them exits, prints or longjmps past its own frame.
#ifndef QUARRY_CIMAGECODECS_H
#define QUARRY_CIMAGECODECS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Status codes returned by the quarry_* codec functions.
enum {
    QUARRY_CODEC_OK = 0,
    /// The data is not a valid image of the format (corrupt, truncated, unsupported variant).
    QUARRY_CODEC_CORRUPT = 1,
    /// The image is larger than the shim accepts (width * height > 2^28 pixels) or memory ran out.
    QUARRY_CODEC_TOO_LARGE = 2,
};

/// Decodes a PNG held in memory (libpng classic API) into 8-bit RGB, [height, width, 3], rows top-down.
/// Gray, gray+alpha, RGBA and palette images are converted to RGB; alpha is dropped (not
/// composited); 16-bit samples are scaled to 8 bits with rounding; interlaced images are
/// de-interlaced; gAMA/iCCP are ignored (raw samples). The file must be complete up to IEND.
/// On success `*pixels` holds width*height*3 bytes to release with quarry_codec_free.
int quarry_png_decode(const unsigned char *data, size_t size,
                      unsigned char **pixels, int *width, int *height,
                      char *message, size_t message_capacity);

/// Decodes a baseline or progressive JPEG held in memory into 8-bit RGB, [height, width, 3].
/// Grayscale is replicated to RGB; CMYK/YCCK (Adobe) is converted to RGB. A libjpeg error or
/// warning (e.g. "Premature end of JPEG file") is reported as QUARRY_CODEC_CORRUPT, except
/// the harmless "extraneous bytes before marker" warning. EXIF orientation is NOT applied here.
int quarry_jpeg_decode(const unsigned char *data, size_t size,
                       unsigned char **pixels, int *width, int *height,
                       char *message, size_t message_capacity);

/// Encodes 8-bit RGB pixels, [height, width, 3] interleaved, as a PNG in memory.
/// On success `*png` holds `*png_size` bytes to release with quarry_codec_free.
int quarry_png_encode_rgb(const unsigned char *pixels, int width, int height,
                          unsigned char **png, size_t *png_size,
                          char *message, size_t message_capacity);

/// Releases a buffer returned by one of the functions above.
void quarry_codec_free(void *buffer);

#ifdef __cplusplus
}
#endif

#endif
