// OpenBLAS's CBLAS interface (also declares openblas_set_num_threads) and LAPACKE.
// Headers come from Debian's libopenblas-dev and liblapacke-dev; no absolute paths.
#include <cblas.h>
#include <lapacke.h>
