// libpng / libjpeg decoding and PNG encoding for the Data module. See CImageCodecs.h.
//
// Why a C file rather than Swift calling the libraries directly: libjpeg reports errors by
// calling error_exit, which must not return. Recovering needs setjmp/longjmp, which Swift
// cannot express, so the whole decode lives here and returns a status code instead.
#include "CImageCodecs.h"

#include <limits.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>
#include <jpeglib.h>
#include <jerror.h>

// Images above this many pixels are refused (2^28 = 16384 x 16384): it keeps every size
// computation far from overflow and a corrupt header from asking for terabytes.
#define QUARRY_MAX_PIXELS ((size_t)1 << 28)

static void set_message(char *message, size_t capacity, const char *text) {
    if (message == NULL || capacity == 0) return;
    snprintf(message, capacity, "%s", text);
}

static int dimensions_ok(size_t width, size_t height) {
    return width > 0 && height > 0 && width <= INT_MAX && height <= INT_MAX
        && width * height <= QUARRY_MAX_PIXELS;
}

// MARK: - PNG (simplified API: errors come back as a return value and image.message)

int quarry_png_decode(const unsigned char *data, size_t size,
                      unsigned char **pixels, int *width, int *height,
                      char *message, size_t message_capacity) {
    *pixels = NULL;
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&image, data, size)) {
        set_message(message, message_capacity, image.message);
        png_image_free(&image);
        return QUARRY_CODEC_CORRUPT;
    }
    if (!dimensions_ok(image.width, image.height)) {
        set_message(message, message_capacity, "image dimensions exceed 2^28 pixels");
        png_image_free(&image);
        return QUARRY_CODEC_TOO_LARGE;
    }
    // Decode to RGBA so that alpha can be dropped rather than composited onto a background.
    image.format = PNG_FORMAT_RGBA;
    // Without this flag libpng treats 16-bit samples as linear light and gamma-encodes them;
    // PNG files store sRGB-encoded samples, so ask for a plain 16 -> 8 bit scaling.
    image.flags |= PNG_IMAGE_FLAG_16BIT_sRGB;
    size_t count = (size_t)image.width * image.height;
    unsigned char *buffer = malloc(count * 4);
    if (buffer == NULL) {
        set_message(message, message_capacity, "out of memory");
        png_image_free(&image);
        return QUARRY_CODEC_TOO_LARGE;
    }
    if (!png_image_finish_read(&image, NULL, buffer, 0, NULL)) {
        set_message(message, message_capacity, image.message);
        free(buffer);
        png_image_free(&image);
        return QUARRY_CODEC_CORRUPT;
    }
    // RGBA -> RGB in place: the write index never overtakes the read index.
    for (size_t i = 0; i < count; i++) {
        buffer[3 * i + 0] = buffer[4 * i + 0];
        buffer[3 * i + 1] = buffer[4 * i + 1];
        buffer[3 * i + 2] = buffer[4 * i + 2];
    }
    *pixels = buffer;
    *width = (int)image.width;
    *height = (int)image.height;
    png_image_free(&image);
    return QUARRY_CODEC_OK;
}

int quarry_png_encode_rgb(const unsigned char *pixels, int width, int height,
                          unsigned char **png, size_t *png_size,
                          char *message, size_t message_capacity) {
    *png = NULL;
    *png_size = 0;
    if (width <= 0 || height <= 0 || !dimensions_ok((size_t)width, (size_t)height)) {
        set_message(message, message_capacity, "image dimensions out of range");
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
        set_message(message, message_capacity, image.message);
        png_image_free(&image);
        return QUARRY_CODEC_CORRUPT;
    }
    unsigned char *buffer = malloc(needed);
    if (buffer == NULL) {
        set_message(message, message_capacity, "out of memory");
        return QUARRY_CODEC_TOO_LARGE;
    }
    png_alloc_size_t written = needed;
    if (!png_image_write_to_memory(&image, buffer, &written, 0, pixels, 0, NULL)) {
        set_message(message, message_capacity, image.message);
        free(buffer);
        png_image_free(&image);
        return QUARRY_CODEC_CORRUPT;
    }
    *png = buffer;
    *png_size = written;
    return QUARRY_CODEC_OK;
}

// MARK: - JPEG (classic API, errors recovered with setjmp/longjmp)

struct quarry_jpeg_error {
    struct jpeg_error_mgr manager;
    jmp_buf recovery;
    char message[JMSG_LENGTH_MAX];
};

static void quarry_jpeg_error_exit(j_common_ptr cinfo) {
    struct quarry_jpeg_error *error = (struct quarry_jpeg_error *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, error->message);
    longjmp(error->recovery, 1);
}

static void quarry_jpeg_emit_message(j_common_ptr cinfo, int level) {
    // level < 0 is a warning about corrupt data. libjpeg would carry on and fill the missing
    // part with grey; a truncated or damaged file must fail instead, so treat it as an error.
    if (level >= 0 || cinfo->err->msg_code == JWRN_EXTRANEOUS_DATA) return;
    quarry_jpeg_error_exit(cinfo);
}

static void quarry_jpeg_output_message(j_common_ptr cinfo) {
    (void)cinfo;  // never print to stderr from a library
}

int quarry_jpeg_decode(const unsigned char *data, size_t size,
                       unsigned char **pixels, int *width, int *height,
                       char *message, size_t message_capacity) {
    *pixels = NULL;
    struct jpeg_decompress_struct cinfo;
    struct quarry_jpeg_error error;
    // Locals changed after setjmp and read after longjmp must be volatile.
    unsigned char *volatile buffer = NULL;
    unsigned char *volatile row = NULL;
    volatile int status = QUARRY_CODEC_CORRUPT;

    memset(&cinfo, 0, sizeof cinfo);
    cinfo.err = jpeg_std_error(&error.manager);
    error.manager.error_exit = quarry_jpeg_error_exit;
    error.manager.emit_message = quarry_jpeg_emit_message;
    error.manager.output_message = quarry_jpeg_output_message;
    error.message[0] = '\0';
    if (setjmp(error.recovery)) {
        set_message(message, message_capacity, error.message);
        jpeg_destroy_decompress(&cinfo);
        free(buffer);
        free(row);
        return status;
    }
    jpeg_create_decompress(&cinfo);
    if (size > ULONG_MAX) ERREXIT(&cinfo, JERR_INPUT_EMPTY);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    int cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
    cinfo.out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
    if (!dimensions_ok(cinfo.image_width, cinfo.image_height)) {
        status = QUARRY_CODEC_TOO_LARGE;
        snprintf(error.message, sizeof error.message, "image dimensions exceed 2^28 pixels");
        longjmp(error.recovery, 1);
    }
    jpeg_start_decompress(&cinfo);
    size_t w = cinfo.output_width, h = cinfo.output_height;
    int components = cinfo.output_components;
    if (components != (cmyk ? 4 : 3)) {
        snprintf(error.message, sizeof error.message, "unexpected component count %d", components);
        longjmp(error.recovery, 1);
    }
    buffer = malloc(w * h * 3);
    row = malloc(w * (size_t)components);
    if (buffer == NULL || row == NULL) {
        status = QUARRY_CODEC_TOO_LARGE;
        snprintf(error.message, sizeof error.message, "out of memory");
        longjmp(error.recovery, 1);
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        size_t y = cinfo.output_scanline;
        JSAMPROW target = cmyk ? (JSAMPROW)row : (JSAMPROW)(buffer + y * w * 3);
        if (jpeg_read_scanlines(&cinfo, &target, 1) != 1) {
            snprintf(error.message, sizeof error.message, "no scanline read at row %zu", y);
            longjmp(error.recovery, 1);
        }
        if (cmyk) {
            // Adobe writes CMYK inverted (255 = no ink); others store plain ink amounts.
            int inverted = cinfo.saw_Adobe_marker;
            unsigned char *out = buffer + y * w * 3;
            for (size_t x = 0; x < w; x++) {
                unsigned c = row[4 * x], m = row[4 * x + 1], yy = row[4 * x + 2], k = row[4 * x + 3];
                if (!inverted) { c = 255 - c; m = 255 - m; yy = 255 - yy; k = 255 - k; }
                out[3 * x + 0] = (unsigned char)((c * k + 127) / 255);
                out[3 * x + 1] = (unsigned char)((m * k + 127) / 255);
                out[3 * x + 2] = (unsigned char)((yy * k + 127) / 255);
            }
        }
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    free(row);
    *pixels = buffer;
    *width = (int)w;
    *height = (int)h;
    return QUARRY_CODEC_OK;
}

void quarry_codec_free(void *buffer) {
    free(buffer);
}
