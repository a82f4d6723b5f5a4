// swift-tools-version:6.2
import PackageDescription

// The names example as a Swift app: depends on this repository's `CharNN` library by path.
// In your own package, depend on it by URL and version instead:
//     .package(url: "https://example.com/charnn.git", from: "0.4.0")
// A path dependency's identity is its directory's name, so read it rather than assume "charnn".
let charnnPath = "../.."
let charnnIdentity = Context.packageDirectory.split(separator: "/").dropLast(2).last.map(String.init) ?? "charnn"

let package = Package(
    name: "charnn-swift-example",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: charnnPath)],
    targets: [
        .executableTarget(
            name: "charnn-names",
            dependencies: [.product(name: "CharNN", package: charnnIdentity)]
        )
    ]
)
