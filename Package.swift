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
        .library(name: "CharNN", targets: ["CharNN"]),
        .executable(name: "charnn-demo", targets: ["charnn-demo"]),
    ],
    targets: [
        // The core: data, tensors, autodiff, layers, optimizers, training, checkpoints.
        // Standard library and Glibc only, so the shared library stays small.
        .target(name: "CharNN", swiftSettings: coreSettings),
        .executableTarget(name: "charnn-demo", dependencies: ["CharNN"]),
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
