// swift-tools-version:5.9
// OutpostKit: the Outpost core for iOS. `build-xcframework.sh` produces the
// two pieces this package wraps (neither is committed):
//   build/OutpostFFI.xcframework   the Rust static library + the C module outpostFFI
//   Sources/OutpostKit/outpost.swift   the uniffi-generated Swift API
import PackageDescription

let package = Package(
    name: "OutpostKit",
    platforms: [.iOS(.v16)],
    products: [
        .library(name: "OutpostKit", targets: ["OutpostKit"]),
    ],
    targets: [
        // its module map defines outpostFFI, which the generated Swift imports
        .binaryTarget(name: "OutpostFFI", path: "build/OutpostFFI.xcframework"),
        .target(
            name: "OutpostKit",
            dependencies: ["OutpostFFI"],
            path: "Sources/OutpostKit"
        ),
    ]
)
