// OpenBLAS's CBLAS interface (also declares openblas_set_num_threads) and LAPACKE.
// Headers come from Debian's libopenblas-dev and liblapacke-dev; no absolute paths.
// On Linux also glibc's <malloc.h>, for mallopt (Swift's Glibc module does not export it).
#include <cblas.h>
#include <lapacke.h>
#if defined(__linux__)
#include <malloc.h>
#endif
