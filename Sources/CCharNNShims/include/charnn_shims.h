// The few machine instructions the Swift core needs and Swift cannot spell: a spin-wait hint and
// the SSE control register. Static inline, so each call compiles to the one instruction.
#ifndef CHARNN_SHIMS_H
#define CHARNN_SHIMS_H

/// Tells the CPU this thread is spinning: `pause` on x86 (frees the core's resources for its
/// hyper-thread sibling and avoids the memory-order flush when the loop ends), `yield` on Arm;
/// nothing elsewhere.
static inline void charnn_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
    __asm__ __volatile__("yield");
#endif
}

/// The SSE control and status register (flush-to-zero is bit 15, denormals-are-zero bit 6);
/// 0 where there is none.
static inline unsigned int charnn_get_mxcsr(void) {
#if defined(__x86_64__)
    return __builtin_ia32_stmxcsr();
#else
    return 0;
#endif
}

/// Sets the SSE control and status register; does nothing where there is none.
static inline void charnn_set_mxcsr(unsigned int value) {
#if defined(__x86_64__)
    __builtin_ia32_ldmxcsr(value);
#else
    (void)value;
#endif
}

#endif
