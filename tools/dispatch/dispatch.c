/*
 * libcharnn.so: the dispatcher in front of the two builds of the core.
 *
 * Swift has no per-function target attributes, so the fast kernels are a whole build of the
 * library: libcharnn-x86-64-v3.so (AVX2 + FMA) next to libcharnn-portable.so (the architecture's
 * baseline), both exporting every function of charnn.h. This small C library exports the same
 * functions; on the first call (pthread_once) it checks the CPU, loads one build from its own
 * folder with dlopen(RTLD_NOW | RTLD_LOCAL), looks up every function with dlsym into a table, and
 * from then on each function is a call through that table.
 *
 * The choice:
 *   CHARNN_CPU unset, "" or "auto"  x86-64-v3 when the CPU has all it implies (AVX, AVX2, FMA,
 *                                   BMI1, BMI2, F16C, LZCNT, MOVBE and x86-64-v2's SSE3..SSE4.2,
 *                                   POPCNT, CMPXCHG16B, LAHF) and the OS saves the AVX registers
 *                                   (XGETBV); else, or when that build does not load, portable.
 *   CHARNN_CPU=portable             the portable build.
 *   CHARNN_CPU=x86-64-v3            the fast build, refused (not run) on a CPU without it.
 * A build is accepted only if it has every function and says it is this version and variant.
 * When none is, no call crashes: each returns CHARNN_INTERNAL_ERROR (void ones do nothing) and
 * charnn_last_error() says what failed to load; charnn_cpu_variant() says "none".
 *
 * The forwarders and the table are generated from charnn.h (tools/dispatch/gen_dispatch.py);
 * tools/build_lib.sh builds all three libraries.
 */
#define _GNU_SOURCE /* dladdr */
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "charnn.h"

#if defined(__x86_64__)
#include <cpuid.h>
#endif

#include "dispatch_table.inc"

static struct dispatch_functions dispatch_table;
static const struct dispatch_functions *dispatch_loaded; /* NULL until loaded; stays NULL on failure */
static pthread_once_t dispatch_once = PTHREAD_ONCE_INIT;
static char dispatch_error[2048];           /* why nothing was loaded */
static char dispatch_directory[PATH_MAX];   /* this library's folder, where the builds are */

/* charnn_status_string's answers, for a process where no build could be loaded. */
static const char *dispatch_status_string(charnn_status status) {
    static const char *const strings[] = {
        "ok", "invalid argument", "invalid handle", "shape mismatch", "I/O error", "invalid data",
        "invalid checkpoint", "training diverged", "cancelled", "busy", "buffer too small", "internal error",
    };
    unsigned index = (unsigned)status;
    return index < sizeof strings / sizeof strings[0] ? strings[index] : "unknown status";
}

/* The folder this library was loaded from, found when it is loaded (a relative path given to
 * dlopen is relative to the working directory of that moment). The address of a static function
 * names this library for dladdr: a charnn_* one might resolve to the program's PLT entry. */
__attribute__((constructor)) static void dispatch_find_directory(void) {
    Dl_info info;
    char resolved[PATH_MAX];
    const char *path = NULL;
    if (dladdr((void *)&dispatch_find_directory, &info) && info.dli_fname && info.dli_fname[0])
        path = realpath(info.dli_fname, resolved) ? resolved : info.dli_fname;
    const char *slash = path ? strrchr(path, '/') : NULL;
    if (!slash) {
        snprintf(dispatch_directory, sizeof dispatch_directory, ".");
    } else {
        size_t length = (size_t)(slash - path);
        if (length == 0) length = 1; /* "/libcharnn.so" */
        if (length >= sizeof dispatch_directory) length = sizeof dispatch_directory - 1;
        memcpy(dispatch_directory, path, length);
        dispatch_directory[length] = '\0';
    }
}

#if defined(__x86_64__)
/* Whether the CPU and OS support x86-64-v3; if not, `missing` lists what is not there. The
 * compiler may use any of these instructions in a -march=x86-64-v3 build, not just AVX2 and FMA. */
static int dispatch_cpu_x86_64_v3(char *missing, size_t capacity) {
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    unsigned ecx1 = 0, ebx7 = 0, ecx81 = 0, avx_state = 0;
    if (__get_cpuid(1, &eax, &ebx, &ecx, &edx)) ecx1 = ecx;
    if (__get_cpuid_max(0, NULL) >= 7) {
        __cpuid_count(7, 0, eax, ebx, ecx, edx);
        ebx7 = ebx;
    }
    if (__get_cpuid(0x80000001u, &eax, &ebx, &ecx, &edx)) ecx81 = ecx;
    if (ecx1 & (1u << 27)) { /* OSXSAVE: XGETBV may run; XCR0 bits 1, 2: the OS saves SSE and AVX state */
        unsigned low, high;
        __asm__ volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
        (void)high;
        avx_state = (low & 6u) == 6u;
    }
    const struct { const char *name; unsigned present; } need[] = {
        {"SSE3", ecx1 & (1u << 0)},       {"SSSE3", ecx1 & (1u << 9)},
        {"SSE4.1", ecx1 & (1u << 19)},    {"SSE4.2", ecx1 & (1u << 20)},
        {"POPCNT", ecx1 & (1u << 23)},    {"CMPXCHG16B", ecx1 & (1u << 13)},
        {"LAHF-SAHF", ecx81 & (1u << 0)}, {"AVX", ecx1 & (1u << 28)},
        {"AVX2", ebx7 & (1u << 5)},       {"FMA", ecx1 & (1u << 12)},
        {"BMI1", ebx7 & (1u << 3)},       {"BMI2", ebx7 & (1u << 8)},
        {"F16C", ecx1 & (1u << 29)},      {"LZCNT", ecx81 & (1u << 5)},
        {"MOVBE", ecx1 & (1u << 22)},     {"OS support for the AVX registers (XSAVE)", avx_state},
    };
    size_t used = 0;
    missing[0] = '\0';
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++) {
        if (need[i].present) continue;
        int n = snprintf(missing + used, capacity - used, "%s%s", used ? ", " : "", need[i].name);
        if (n < 0 || (size_t)n >= capacity - used) break;
        used += (size_t)n;
    }
    return missing[0] == '\0';
}
#endif

/* Loads libcharnn-<variant>.so from this library's folder into dispatch_table; 0 and `why` if
 * it cannot be loaded or is not the build it should be. A refused build stays loaded (unloading a
 * library with a Swift runtime inside is not safe), unused. */
static int dispatch_open(const char *variant, char *why, size_t capacity) {
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/libcharnn-%s.so", dispatch_directory, variant);
    void *library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        const char *reason = dlerror();
        snprintf(why, capacity, "cannot load %s (%s)", path, reason ? reason : "dlopen failed");
        return 0;
    }
    struct dispatch_functions table;
    for (size_t i = 0; i < sizeof dispatch_symbols / sizeof dispatch_symbols[0]; i++) {
        void *function = dlsym(library, dispatch_symbols[i].name);
        if (!function) {
            snprintf(why, capacity, "%s has no function %s: it is not this version's library", path,
                     dispatch_symbols[i].name);
            return 0;
        }
        memcpy((char *)&table + dispatch_symbols[i].offset, &function, sizeof function);
    }
    const char *version = table.charnn_version_string();
    int32_t abi = table.charnn_abi_version();
    if (!version || strcmp(version, CHARNN_VERSION_STRING) != 0 || abi != CHARNN_ABI_VERSION) {
        snprintf(why, capacity, "%s is charnn %s (ABI %d), but its dispatcher libcharnn.so is %s (ABI %d): "
                 "install the three files of one build together", path, version ? version : "?", (int)abi,
                 CHARNN_VERSION_STRING, CHARNN_ABI_VERSION);
        return 0;
    }
    const char *built = table.charnn_cpu_variant();
    if (!built || strcmp(built, variant) != 0) {
        snprintf(why, capacity, "%s is the %s build, not %s", path, built ? built : "?", variant);
        return 0;
    }
    dispatch_table = table;
    __atomic_store_n(&dispatch_loaded, &dispatch_table, __ATOMIC_RELEASE); /* the table, then the flag */
    return 1;
}

static void dispatch_choose(void) {
    const char *forced = getenv("CHARNN_CPU");
    char why[PATH_MAX + 512] = "";
    if (!forced || !forced[0] || !strcmp(forced, "auto")) {
        char fast[PATH_MAX + 512] = "";
#if defined(__x86_64__)
        char missing[256];
        if (dispatch_cpu_x86_64_v3(missing, sizeof missing)) {
            if (dispatch_open("x86-64-v3", fast, sizeof fast)) return;
        }
#endif
        if (dispatch_open("portable", why, sizeof why)) return;
        snprintf(dispatch_error, sizeof dispatch_error, "libcharnn.so: no build of charnn's core could be loaded: %s%s%s",
                 why, fast[0] ? "; and " : "", fast);
    } else if (!strcmp(forced, "portable")) {
        if (dispatch_open("portable", why, sizeof why)) return;
        snprintf(dispatch_error, sizeof dispatch_error, "libcharnn.so (CHARNN_CPU=portable): %s", why);
    } else if (!strcmp(forced, "x86-64-v3")) {
#if defined(__x86_64__)
        char missing[256];
        if (!dispatch_cpu_x86_64_v3(missing, sizeof missing)) {
            snprintf(dispatch_error, sizeof dispatch_error,
                     "libcharnn.so: CHARNN_CPU=x86-64-v3, but this CPU lacks %s, so that build would die "
                     "on an illegal instruction; unset CHARNN_CPU (or set it to portable) to run the portable build",
                     missing);
            return;
        }
        if (dispatch_open("x86-64-v3", why, sizeof why)) return;
        snprintf(dispatch_error, sizeof dispatch_error, "libcharnn.so (CHARNN_CPU=x86-64-v3): %s", why);
#else
        snprintf(dispatch_error, sizeof dispatch_error,
                 "libcharnn.so: CHARNN_CPU=x86-64-v3 is for x86-64 CPUs; this one runs the portable build only");
#endif
    } else {
        snprintf(dispatch_error, sizeof dispatch_error,
                 "libcharnn.so: CHARNN_CPU=%.100s is not a choice: unset (or auto) to choose by the CPU, "
                 "portable, or x86-64-v3", forced);
    }
}

/* The table of the loaded build, or NULL (dispatch_error says why). Once loaded, one load of
 * a pointer: the forwarder then jumps through the table. */
static inline const struct dispatch_functions *dispatch_load(void) {
    const struct dispatch_functions *loaded = __atomic_load_n(&dispatch_loaded, __ATOMIC_ACQUIRE);
    if (__builtin_expect(loaded != NULL, 1)) return loaded;
    pthread_once(&dispatch_once, dispatch_choose);
    return __atomic_load_n(&dispatch_loaded, __ATOMIC_ACQUIRE);
}

#include "dispatch_forwarders.inc"
