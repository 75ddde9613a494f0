// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Jam",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "jam", targets: ["jam"]),
        .library(name: "JamCore", targets: ["JamCore"]),
        .library(name: "JamProtocol", targets: ["JamProtocol"]),
        .library(name: "JamLog", targets: ["JamLog"]),
        .library(name: "JamServer", targets: ["JamServer"]),
        .library(name: "JamClient", targets: ["JamClient"]),
        .library(name: "JamMIDI", targets: ["JamMIDI"]),
        .library(name: "JamBand", targets: ["JamBand"]),
        .library(name: "JamTerminal", targets: ["JamTerminal"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
    ],
    targets: [
        // Layer 1: the document and the OT core. Pure Swift, no I/O.
        .target(
            name: "JamCore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        // Layer 2: messages and line framing.
        .target(
            name: "JamProtocol",
            dependencies: [
                "JamCore",
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // Layer 3: the durable session log.
        .target(
            name: "JamLog",
            dependencies: [
                "JamCore",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Layer 4: the TLS server.
        .target(
            name: "JamServer",
            dependencies: [
                "JamCore", "JamProtocol", "JamLog", "JamClient",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Layer 4: the client: its OT state machine, undo, and the TLS connection.
        .target(
            name: "JamClient",
            dependencies: [
                "JamCore", "JamProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Layer 4: Standard MIDI Files and the built-in synthesizer.
        .target(name: "JamMIDI", dependencies: ["JamCore"]),
        // Layer 4: the AI bandmate: listening, playing, and the agent that joins a session.
        .target(name: "JamBand", dependencies: ["JamCore", "JamProtocol", "JamClient"]),
        // Layer 4: the terminal: raw mode, keys, a virtual screen, the session view.
        .target(name: "JamTerminal", dependencies: ["JamCore", "JamProtocol"]),
        // Layer 5: the command-line tool and the tools.
        .executableTarget(
            name: "jam",
            dependencies: [
                "JamCore", "JamProtocol", "JamLog", "JamServer", "JamClient", "JamMIDI", "JamBand", "JamTerminal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(name: "jam-bench-core", dependencies: ["JamCore"], path: "Tools/BenchCore"),
        .executableTarget(name: "jam-bench-log", dependencies: ["JamLog", "JamCore"], path: "Tools/BenchLog"),
        .executableTarget(name: "jam-bench-band", dependencies: ["JamBand", "JamCore", "JamMIDI"], path: "Tools/BenchBand"),
        .executableTarget(
            name: "jam-load",
            dependencies: [
                "JamClient", "JamCore", "JamProtocol", "JamLog",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            path: "Tools/Load"
        ),
        // Layer 5: the proof tools: the chaos simulator, the fuzz harnesses' bodies, and their executables.
        .target(name: "JamProof", dependencies: ["JamCore", "JamProtocol", "JamLog", "JamServer", "JamClient", "JamBand"]),
        .executableTarget(
            name: "jam-chaos",
            dependencies: ["JamProof", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Tools/Chaos"
        ),
        .executableTarget(name: "jam-fuzz-lines", dependencies: ["JamProof"], path: "Tools/Fuzz/Lines"),
        .executableTarget(name: "jam-fuzz-operations", dependencies: ["JamProof"], path: "Tools/Fuzz/Operations"),
        .testTarget(name: "JamCoreTests", dependencies: ["JamCore"]),
        .testTarget(
            name: "JamProtocolTests",
            dependencies: ["JamProtocol", .product(name: "NIOTestUtils", package: "swift-nio")]
        ),
        .testTarget(name: "JamLogTests", dependencies: ["JamLog"]),
        .testTarget(name: "JamClientTests", dependencies: ["JamClient", "JamCore", "JamProtocol", "JamLog", "JamServer"]),
        .testTarget(name: "JamMIDITests", dependencies: ["JamMIDI", "JamCore"]),
        .testTarget(name: "JamLoadTests", dependencies: ["jam-load", "JamCore", "JamProtocol", "JamLog"]),
        .testTarget(name: "JamBandTests", dependencies: ["JamBand", "JamCore", "JamClient", "JamProtocol", "JamServer", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "JamTerminalTests", dependencies: ["JamTerminal", "JamCore", "JamProtocol"]),
        .testTarget(name: "JamProofTests", dependencies: ["JamProof", "JamCore", "JamProtocol", "JamLog", "JamServer", "JamClient"]),
        .testTarget(
            name: "JamServerTests",
            dependencies: [
                "JamServer", "JamProtocol", "JamCore", "JamClient", "JamLog",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
    ]
)
