// swift-tools-version:6.2
import PackageDescription

// Release builds of the core favour speed: the kernels check shapes up front and then run over
// unsafe buffers, so the compiler's own exclusivity checks only cost time there.
var coreSettings: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]
#if arch(x86_64)
// The SIMD kernels are written for AVX2 + FMA (x86-64-v3: Haswell, 2013, and later).
coreSettings.append(.unsafeFlags(["-Xcc", "-march=x86-64-v3"]))
#endif

let package = Package(
    name: "charnn",
    products: [
        // libcharnn.so: the stable C ABI of include/charnn.h.
        .library(name: "charnn", type: .dynamic, targets: ["CharNNExports"]),
        .library(name: "CharNN", targets: ["CharNN"]),
    ],
    targets: [
        // The core: data, tensors, autodiff, layers, optimizers, training, checkpoints.
        // Standard library, Glibc and Synchronization only (no Foundation): a small .so.
        .target(name: "CharNN", dependencies: ["CharNNPlatform"], swiftSettings: coreSettings),
        // The platform's C library (Glibc, Musl or Darwin) chosen in one place, re-exported to the
        // core's files, with the spin-wait hint and the SSE control register from CCharNNShims.
        .target(name: "CharNNPlatform", dependencies: ["CCharNNShims"]),
        .target(name: "CCharNNShims"),
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
                .unsafeFlags(["-static-stdlib",
                              "-Xlinker", "--version-script=\(Context.packageDirectory)/Sources/CharNNExports/charnn.map"]),
            ]
        ),
        // Micro-benchmarks of the core, run by hand (`make bench-micro`), never by the tests.
        .executableTarget(name: "charnn-bench", dependencies: ["CharNN"], path: "bench/swift",
                          swiftSettings: coreSettings),
        .testTarget(
            name: "CharNNTests",
            dependencies: ["CharNN"],
            exclude: ["Fixtures"]
        ),
    ]
)
