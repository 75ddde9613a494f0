// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Jam",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "jam", targets: ["jam"]),
        .library(name: "JamCore", targets: ["JamCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    ],
    targets: [
        // Layer 1: the document and the OT core. Pure Swift, no I/O.
        .target(
            name: "JamCore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        // Layer 5: the command-line tool and the tools.
        .executableTarget(
            name: "jam",
            dependencies: [
                "JamCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "jam-bench-core", dependencies: ["JamCore"], path: "Tools/BenchCore"),
        .testTarget(name: "JamCoreTests", dependencies: ["JamCore"]),
    ]
)
