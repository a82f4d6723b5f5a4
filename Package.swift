// swift-tools-version:6.2
import PackageDescription

// Release builds of the core favour speed: the kernels check shapes up front and then run over
// unsafe buffers, so the compiler's own exclusivity checks only cost time there.
let coreSettings: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

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
        .testTarget(
            name: "CharNNTests",
            dependencies: ["CharNN"],
            exclude: ["Fixtures"]
        ),
    ]
)
