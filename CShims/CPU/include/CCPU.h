// C shim for what Swift cannot say itself: the x86 CPUID/XGETBV instructions (which vector
// extensions the CPU and the operating system support) and OpenBLAS's run-time core selection
// (gotoblas_dynamic_quit/init, looked up with dlsym because they are not in OpenBLAS's headers).
// Imported only by Sources/Kernels (scripts/check-imports.sh).
#ifndef QUARRY_CCPU_H
#define QUARRY_CCPU_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Feature bits returned by quarry_cpu_features (x86-64 only; 0 elsewhere).
enum {
    QUARRY_CPU_SSE3 = 1u << 0,
    QUARRY_CPU_AVX = 1u << 1,      ///< CPUID.1:ECX.AVX, with XCR0 enabling XMM and YMM state
    QUARRY_CPU_FMA = 1u << 2,      ///< CPUID.1:ECX.FMA (only reported with AVX usable)
    QUARRY_CPU_AVX2 = 1u << 3,     ///< CPUID.7.0:EBX.AVX2 (only reported with AVX usable)
    QUARRY_CPU_AVX512F = 1u << 4,  ///< CPUID.7.0:EBX.AVX512F, with XCR0 enabling opmask, ZMM_Hi256 and Hi16_ZMM
    QUARRY_CPU_AVX512DQ = 1u << 5,
    QUARRY_CPU_AVX512BW = 1u << 6,
    QUARRY_CPU_AVX512VL = 1u << 7,
};

/// The vector extensions this CPU has *and* the operating system has enabled (XCR0), as
/// QUARRY_CPU_* bits. Intel SDM vol. 2A, CPUID leaves 1 and 7; vol. 1 §13.3 for XCR0.
uint32_t quarry_cpu_features(void);

/// Writes the CPU's brand string (CPUID leaves 0x80000002–4, leading spaces dropped) into
/// `buffer` as a NUL-terminated string of at most `capacity - 1` bytes; writes "" where CPUID
/// has no brand string (non-x86). Returns the length written.
size_t quarry_cpu_brand(char *buffer, size_t capacity);

/// Whether the loaded OpenBLAS exports gotoblas_dynamic_quit and gotoblas_dynamic_init (a
/// DYNAMIC_ARCH build, as Debian's is), i.e. whether quarry_openblas_reselect_core can work.
int quarry_openblas_can_reselect(void);

/// Re-runs OpenBLAS's core selection in this process: quit, then init, which reads
/// OPENBLAS_CORETYPE again. Call before any BLAS call is in flight. Returns 0 on success, -1
/// where the functions are missing (the caller then restarts the process instead).
int quarry_openblas_reselect_core(void);

#ifdef __cplusplus
}
#endif

#endif
