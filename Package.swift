// swift-tools-version:6.2
import PackageDescription

// Release builds of the core favour speed: the kernels check shapes up front and then run over
// unsafe buffers, so the compiler's own exclusivity checks only cost time there.
var coreSettings: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))
]
// The C kernels (CCharNNKernels) follow the same CPU choice; with nothing added they build for
// the baseline (SSE2 on x86-64), where their portable path runs.
var kernelSettings: [CSetting] = []

// The CPU the core is compiled for, from CHARNN_CPU at build time:
//   unset, "", "portable", "auto"  the architecture's baseline (x86-64: SSE2; arm64: NEON), which
//                                  runs on every CPU of the architecture: what a Swift package
//                                  depending on CharNN gets by default ("auto", the library's
//                                  run-time default, means the baseline for a build).
//   "x86-64-v3"                    AVX2 + FMA (+ BMI1/2, F16C, LZCNT, MOVBE: Haswell, 2013, and
//                                  later); the kernels then use 256-bit intrinsics. Dies with
//                                  SIGILL on an older CPU: for apps that know their machines.
// libcharnn.so ships both (tools/build_lib.sh): libcharnn-portable.so and libcharnn-x86-64-v3.so,
// behind a small C dispatcher that picks one when the process first calls it.
let cpu = Context.environment["CHARNN_CPU"] ?? ""
switch cpu {
case "", "portable", "auto":
    break
case "x86-64-v3":
    #if arch(x86_64)
        coreSettings.append(.unsafeFlags(["-Xcc", "-march=x86-64-v3"]))
        coreSettings.append(.define("CHARNN_X86_64_V3"))
        // __AVX2__ then selects the int8 kernels' AVX2 path (qgemm.c).
        kernelSettings.append(.unsafeFlags(["-march=x86-64-v3"]))
    #else
        fatalError("CHARNN_CPU=x86-64-v3 is for x86-64 hosts; this one builds the portable variant only")
    #endif
default:
    fatalError("CHARNN_CPU=\(cpu): the build knows \"portable\" (or unset, or \"auto\") and \"x86-64-v3\"")
}

let package = Package(
    name: "charnn",
    products: [
        // libcharnn.so: the stable C ABI of include/charnn.h (for one CPU: see CHARNN_CPU above).
        .library(name: "charnn", type: .dynamic, targets: ["CharNNExports"]),
        .library(name: "CharNN", targets: ["CharNN"]),
    ],
    targets: [
        // The core: data, tensors, autodiff, layers, optimizers, training, checkpoints.
        // Standard library, Glibc and Synchronization only (no Foundation): a small .so.
        .target(name: "CharNN", dependencies: ["CharNNPlatform", "CCharNNKernels"], swiftSettings: coreSettings),
        // The platform's C library (Glibc, Musl or Darwin) chosen in one place, re-exported to the
        // core's files, with the spin-wait hint and the SSE control register from CCharNNShims.
        .target(name: "CharNNPlatform", dependencies: ["CCharNNShims"]),
        .target(name: "CCharNNShims"),
        // The int8 kernels for quantized inference (include/charnn_kernels.h): C with AVX2
        // intrinsics in the x86-64-v3 build, SSE2 or plain C in the portable one.
        .target(name: "CCharNNKernels", cSettings: kernelSettings),
        // Shows include/charnn.h to Swift (its module map points at the header).
        .target(name: "CCharNN"),
        // The exported C functions. The Swift runtime is linked in statically and a version
        // script keeps every symbol but charnn_* local, so the .so loads where Swift is absent.
        .target(
            name: "CharNNExports",
            dependencies: ["CharNN", "CharNNPlatform", "CCharNN"],
            exclude: ["charnn.map"],
            swiftSettings: coreSettings,
            linkerSettings: [
                // -Bsymbolic: the library's own calls to charnn_* bind inside it, never to the
                // dispatcher's same-named functions that loaded it. lld, not gold (Swift's default
                // on Linux): gold leaves symbols the version script made local in .dynsym (Swift
                // type metadata and witness tables, listed by `nm -D`); lld keeps charnn_* alone.
                .unsafeFlags([
                    "-use-ld=lld", "-static-stdlib", "-Xlinker", "-Bsymbolic",
                    "-Xlinker", "--version-script=\(Context.packageDirectory)/Sources/CharNNExports/charnn.map",
                ])
            ]
        ),
        // Micro-benchmarks of the core, run by hand (`make bench-micro`), never by the tests.
        .executableTarget(
            name: "charnn-bench", dependencies: ["CharNN", "CCharNNKernels"], path: "bench/swift",
            swiftSettings: coreSettings),
        .testTarget(
            name: "CharNNTests",
            dependencies: ["CharNN", "CCharNNKernels"],
            exclude: ["Fixtures"]
        ),
    ]
)
