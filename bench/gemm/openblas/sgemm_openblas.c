// OpenBLAS cblas_sgemm GFLOP/s for the shapes of bench/gemm, measured the
// same way as the Go side (and as ../shared/anchors/sgemm_openblas.c).
// Build: gcc -O2 -o sgemm_openblas sgemm_openblas.c -lopenblas
// Usage: OPENBLAS_NUM_THREADS=1 ./sgemm_openblas REPS SHAPE...
// A SHAPE is MxNxK with an optional suffix :TN, :NT or :TT giving the
// transposes of A and B (row-major, C = op(A)·op(B), op(A) m×k, op(B) k×n).
// Prints a header line (corename, threads) and one JSON line per shape:
// median/min/max wall-clock GFLOP/s over REPS, each rep at least ~0.15 s
// of back-to-back calls.
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cblas.h>

extern char *openblas_get_corename(void);
extern int openblas_get_num_threads(void);

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmpd(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s REPS MxNxK[:TN|:NT|:TT]...\n", argv[0]);
        return 2;
    }
    int reps = atoi(argv[1]);
    if (reps < 1) reps = 1;
    printf("# corename=%s threads=%d\n", openblas_get_corename(), openblas_get_num_threads());
    for (int si = 2; si < argc; si++) {
        int m, n, k;
        char ta = 'N', tb = 'N';
        if (sscanf(argv[si], "%dx%dx%d:%c%c", &m, &n, &k, &ta, &tb) < 3 || m < 1 || n < 1 || k < 1) {
            fprintf(stderr, "bad shape %s\n", argv[si]);
            return 2;
        }
        int transA = ta == 'T', transB = tb == 'T';
        int lda = transA ? m : k, ldb = transB ? k : n;
        size_t sa = (size_t)m * k, sb = (size_t)k * n, sc = (size_t)m * n;
        float *A = aligned_alloc(64, (sa * 4 + 63) / 64 * 64);
        float *B = aligned_alloc(64, (sb * 4 + 63) / 64 * 64);
        float *C = aligned_alloc(64, (sc * 4 + 63) / 64 * 64);
        srand(1);
        for (size_t i = 0; i < sa; i++) A[i] = rand() / (float)RAND_MAX - 0.5f;
        for (size_t i = 0; i < sb; i++) B[i] = rand() / (float)RAND_MAX - 0.5f;
        memset(C, 0, sc * 4);
        enum CBLAS_TRANSPOSE oa = transA ? CblasTrans : CblasNoTrans, ob = transB ? CblasTrans : CblasNoTrans;
#define CALL() cblas_sgemm(CblasRowMajor, oa, ob, m, n, k, 1.0f, A, lda, B, ldb, 0.0f, C, n)
        double flop = 2.0 * m * n * (double)k;
        CALL();
        double t0 = now();
        int cal = 0;
        while (now() - t0 < 0.05) { CALL(); cal++; }
        double per = (now() - t0) / cal;
        int iters = (int)(0.15 / per);
        if (iters < 1) iters = 1;
        double *g = malloc(sizeof(double) * reps);
        for (int r = 0; r < reps; r++) {
            double s = now();
            for (int it = 0; it < iters; it++) CALL();
            g[r] = flop * iters / (now() - s) / 1e9;
        }
        qsort(g, reps, sizeof(double), cmpd);
        printf("{\"shape\": \"%s\", \"median\": %.2f, \"min\": %.2f, \"max\": %.2f, \"iters\": %d, \"reps\": %d}\n",
               argv[si], g[reps / 2], g[0], g[reps - 1], iters, reps);
        fflush(stdout);
        free(g); free(A); free(B); free(C);
    }
    return 0;
}
