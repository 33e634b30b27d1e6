#ifndef QUARRY_CIMAGECODECS_H
#define QUARRY_CIMAGECODECS_H
#include <stdio.h>
#include <png.h>
#include <jpeglib.h>
#endif
