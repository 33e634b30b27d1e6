// OpenBLAS sgemm from C at 1024³, for comparing with the Swift benchmark's GEMM figure.
// Build and run: cc -O2 scripts/bench/sgemm_c.c -lopenblas -o /tmp/sgemm_c && /tmp/sgemm_c
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }

int main(void) {
    const int n = 1024, runs = 50;
    float *a = malloc(sizeof(float) * n * n), *b = malloc(sizeof(float) * n * n), *c = malloc(sizeof(float) * n * n);
    for (int i = 0; i < n * n; i++) { a[i] = (float)rand() / RAND_MAX - 0.5f; b[i] = (float)rand() / RAND_MAX - 0.5f; }
    double rates[50];
    for (int w = 0; w < 5; w++) cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, a, n, b, n, 0, c, n);
    for (int r = 0; r < runs; r++) {
        double t = now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, a, n, b, n, 0, c, n);
        rates[r] = 2.0 * n * n * n / (now() - t) / 1e9;
    }
    qsort(rates, runs, sizeof(double), cmp);
    printf("OpenBLAS sgemm 1024^3 from C, %d threads: median %.0f GFLOP/s\n", openblas_get_num_threads(), rates[runs / 2]);
    return 0;
}
