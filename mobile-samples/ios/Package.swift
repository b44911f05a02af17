// swift-tools-version:5.9
// OutpostKit: the Outpost core for iOS. `build-xcframework.sh` produces the
// two pieces this package wraps (neither is committed):
//   build/outpostFFI.xcframework   the Rust static library + its C header
//   Sources/OutpostKit/outpost.swift   the uniffi-generated Swift API
import PackageDescription

let package = Package(
    name: "OutpostKit",
    platforms: [.iOS(.v16)],
    products: [
        .library(name: "OutpostKit", targets: ["OutpostKit"]),
    ],
    targets: [
        // the module name must be outpostFFI: the generated Swift imports it
        .binaryTarget(name: "outpostFFI", path: "build/outpostFFI.xcframework"),
        .target(
            name: "OutpostKit",
            dependencies: ["outpostFFI"],
            path: "Sources/OutpostKit"
        ),
    ]
)
