// CPUID/XGETBV feature detection and OpenBLAS core re-selection (see include/CCPU.h).
#define _GNU_SOURCE
#include "CCPU.h"

#include <dlfcn.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static uint64_t read_xcr0(void) {
    uint32_t eax, edx;
    // XGETBV with ECX = 0, spelt as bytes so no -mxsave flag is needed.
    __asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((uint64_t)edx << 32) | eax;
}

uint32_t quarry_cpu_features(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    uint32_t features = 0;
    if (ecx & bit_SSE3) features |= QUARRY_CPU_SSE3;
    int osxsave = (ecx & bit_OSXSAVE) != 0;
    uint64_t xcr0 = osxsave ? read_xcr0() : 0;
    int ymm_enabled = (xcr0 & 0x6) == 0x6;            // XMM and YMM state
    int zmm_enabled = ymm_enabled && (xcr0 & 0xe0) == 0xe0;  // opmask, ZMM_Hi256, Hi16_ZMM
    if (!((ecx & bit_AVX) && ymm_enabled)) return features;
    features |= QUARRY_CPU_AVX;
    if (ecx & bit_FMA) features |= QUARRY_CPU_FMA;
    unsigned int max_leaf = __get_cpuid_max(0, NULL);
    if (max_leaf < 7) return features;
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    if (ebx & bit_AVX2) features |= QUARRY_CPU_AVX2;
    if (zmm_enabled && (ebx & bit_AVX512F)) {
        features |= QUARRY_CPU_AVX512F;
        if (ebx & bit_AVX512DQ) features |= QUARRY_CPU_AVX512DQ;
        if (ebx & bit_AVX512BW) features |= QUARRY_CPU_AVX512BW;
        if (ebx & bit_AVX512VL) features |= QUARRY_CPU_AVX512VL;
    }
    return features;
}

size_t quarry_cpu_brand(char *buffer, size_t capacity) {
    if (capacity == 0) return 0;
    buffer[0] = 0;
    unsigned int regs[12];
    if (__get_cpuid_max(0x80000000, NULL) < 0x80000004) return 0;
    for (unsigned int i = 0; i < 3; i++)
        __get_cpuid(0x80000002 + i, &regs[4 * i], &regs[4 * i + 1], &regs[4 * i + 2], &regs[4 * i + 3]);
    char brand[49];
    memcpy(brand, regs, 48);
    brand[48] = 0;
    const char *start = brand;
    while (*start == ' ') start++;
    size_t length = strlen(start);
    while (length > 0 && start[length - 1] == ' ') length--;
    if (length > capacity - 1) length = capacity - 1;
    memcpy(buffer, start, length);
    buffer[length] = 0;
    return length;
}
#else
uint32_t quarry_cpu_features(void) { return 0; }
size_t quarry_cpu_brand(char *buffer, size_t capacity) {
    if (capacity > 0) buffer[0] = 0;
    return 0;
}
#endif

typedef void (*openblas_hook)(void);

static openblas_hook lookup(const char *name) {
    return (openblas_hook)dlsym(RTLD_DEFAULT, name);
}

int quarry_openblas_can_reselect(void) {
    return lookup("gotoblas_dynamic_quit") != NULL && lookup("gotoblas_dynamic_init") != NULL;
}

int quarry_openblas_reselect_core(void) {
    openblas_hook quit = lookup("gotoblas_dynamic_quit"), init = lookup("gotoblas_dynamic_init");
    if (quit == NULL || init == NULL) return -1;
    quit();
    init();
    return 0;
}
