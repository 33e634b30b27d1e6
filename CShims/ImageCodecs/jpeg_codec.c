// JPEG decoding for the Data module through libjpeg. See CImageCodecs.h.
//
// Why a C file rather than Swift calling the libraries directly: libjpeg reports errors by
// calling error_exit, which must not return. Recovering needs setjmp/longjmp, which Swift
// cannot express, so the whole decode lives here and returns a status code instead.
#include "CImageCodecs.h"

#include <limits.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

#include "codec_support.h"

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
        quarry_set_message(message, message_capacity, error.message);
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
    if (!quarry_dimensions_ok(cinfo.image_width, cinfo.image_height)) {
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
