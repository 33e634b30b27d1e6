// PNG decoding (libpng's classic API) and encoding (its simplified API). See CImageCodecs.h.
//
// Decoding uses the classic API with setjmp/longjmp rather than the simplified png_image_*
// reader because the latter (libpng 1.6.39) (a) composites or gamma-converts where we want raw
// samples with alpha simply dropped, and (b) scrambles the rows of Adam7-interlaced 16-bit
// images with alpha when converting them to 8 bits. Raw samples, no gAMA/iCCP handling, match
// what Pillow and torchvision give to a network.
#include "CImageCodecs.h"

#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

#include "codec_support.h"

// MARK: - Decoding

/// The reader state: the input bytes and the error text for longjmp's landing site.
struct quarry_png_reader {
    const unsigned char *data;
    size_t size;
    size_t offset;
    char message[256];
};

static void quarry_png_read(png_structp png, png_bytep out, size_t length) {
    struct quarry_png_reader *reader = png_get_io_ptr(png);
    if (length > reader->size - reader->offset) {
        png_error(png, "unexpected end of data (truncated file)");
    }
    memcpy(out, reader->data + reader->offset, length);
    reader->offset += length;
}

static void quarry_png_error(png_structp png, png_const_charp text) {
    struct quarry_png_reader *reader = png_get_error_ptr(png);
    snprintf(reader->message, sizeof reader->message, "%s", text);
    png_longjmp(png, 1);
}

static void quarry_png_warning(png_structp png, png_const_charp text) {
    (void)png;  // ancillary-chunk problems: libpng skips the chunk; never print from a library
    (void)text;
}

int quarry_png_decode(const unsigned char *data, size_t size,
                      unsigned char **pixels, int *width, int *height,
                      char *message, size_t message_capacity) {
    *pixels = NULL;
    struct quarry_png_reader reader = { data, size, 0, "" };
    if (size < 8 || png_sig_cmp(data, 0, 8) != 0) {
        quarry_set_message(message, message_capacity, "not a PNG signature");
        return QUARRY_CODEC_CORRUPT;
    }
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &reader,
                                             quarry_png_error, quarry_png_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (png == NULL || info == NULL) {
        png_destroy_read_struct(&png, NULL, NULL);
        quarry_set_message(message, message_capacity, "out of memory");
        return QUARRY_CODEC_TOO_LARGE;
    }
    // An ancillary chunk's buffer is allocated from its declared length before its bytes are
    // read: a 101-byte file declaring a 2 GB zTXt chunk had libpng ask for 2 GB (FuzzPNG). Cap
    // such allocations at 8 MB, the value of libpng's own "safe limits" build; a larger chunk is
    // skipped with a warning (none of them matters to the pixels).
    png_set_chunk_malloc_max(png, 8000000);
    // Locals changed after setjmp and read after longjmp must be volatile.
    unsigned char *volatile buffer = NULL;
    png_bytep *volatile rows = NULL;
    volatile int status = QUARRY_CODEC_CORRUPT;
    if (setjmp(png_jmpbuf(png))) {
        quarry_set_message(message, message_capacity, reader.message);
        png_destroy_read_struct(&png, &info, NULL);
        free(buffer);
        free(rows);
        return status;
    }
    png_set_read_fn(png, &reader, quarry_png_read);
    png_read_info(png, info);
    png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
    if (!quarry_dimensions_ok(w, h)) {
        status = QUARRY_CODEC_TOO_LARGE;
        png_error(png, "image dimensions exceed 2^28 pixels");
    }
    // Deflate compresses at most 1032:1, so the file must hold at least 1/1032 of the image's
    // packed rows (filter bytes left out, which also covers Adam7's rounding). A short file
    // that declares a large image is refused here, before the pixel buffer (up to 768 MiB)
    // is allocated for it.
    size_t packed = (size_t)h * (png_get_rowbytes(png, info) - 1);
    if (packed / 1032 > size) {
        png_error(png, "the file is too short for the image size its header declares (truncated?)");
    }
    int colour = png_get_color_type(png, info);
    int depth = png_get_bit_depth(png, info);
    // Transforms to 8-bit RGB: palette -> RGB (tRNS becomes alpha, stripped below), low-bit
    // grey -> 8 bits (v * 255 / (2^depth - 1)), 16 -> 8 bits rounded ((v * 255 + 32895) >> 16),
    // alpha stripped (not composited), grey -> RGB, Adam7 passes merged.
    if (colour == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (colour == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (depth == 16) png_set_scale_16(png);
    png_set_strip_alpha(png);
    if (colour == PNG_COLOR_TYPE_GRAY || colour == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    size_t stride = (size_t)w * 3;
    if (png_get_rowbytes(png, info) != stride || png_get_channels(png, info) != 3) {
        png_error(png, "unexpected row layout after conversion to 8-bit RGB");
    }
    buffer = malloc(stride * h);
    rows = malloc(sizeof(png_bytep) * h);
    if (buffer == NULL || rows == NULL) {
        status = QUARRY_CODEC_TOO_LARGE;
        png_error(png, "out of memory");
    }
    for (size_t y = 0; y < h; y++) rows[y] = buffer + y * stride;
    png_read_image(png, rows);
    // Reading up to IEND makes a file cut after its image data fail as truncated too.
    png_read_end(png, NULL);
    png_destroy_read_struct(&png, &info, NULL);
    free(rows);
    *pixels = buffer;
    *width = (int)w;
    *height = (int)h;
    return QUARRY_CODEC_OK;
}

// MARK: - Encoding (simplified API: errors come back as a return value and image.message)

int quarry_png_encode_rgb(const unsigned char *pixels, int width, int height,
                          unsigned char **png, size_t *png_size,
                          char *message, size_t message_capacity) {
    *png = NULL;
    *png_size = 0;
    if (width <= 0 || height <= 0 || !quarry_dimensions_ok((size_t)width, (size_t)height)) {
        quarry_set_message(message, message_capacity, "image dimensions out of range");
        return QUARRY_CODEC_TOO_LARGE;
    }
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    image.width = (png_uint_32)width;
    image.height = (png_uint_32)height;
    image.format = PNG_FORMAT_RGB;
    // First pass measures the encoded size, second pass writes it.
    png_alloc_size_t needed = 0;
    if (!png_image_write_to_memory(&image, NULL, &needed, 0, pixels, 0, NULL)) {
        quarry_set_message(message, message_capacity, image.message);
        png_image_free(&image);
        return QUARRY_CODEC_CORRUPT;
    }
    unsigned char *buffer = malloc(needed);
    if (buffer == NULL) {
        quarry_set_message(message, message_capacity, "out of memory");
        return QUARRY_CODEC_TOO_LARGE;
    }
    png_alloc_size_t written = needed;
    if (!png_image_write_to_memory(&image, buffer, &written, 0, pixels, 0, NULL)) {
        quarry_set_message(message, message_capacity, image.message);
        free(buffer);
        png_image_free(&image);
        return QUARRY_CODEC_CORRUPT;
    }
    *png = buffer;
    *png_size = written;
    return QUARRY_CODEC_OK;
}
