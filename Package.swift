// swift-tools-version: 6.1
import PackageDescription

// Module dependencies run one way (Sources/README.md; every module's README has an `Imports:`
// line that a test checks against this file and the sources):
//   Common                                  shared by all: seeded generator, stable hash, lock,
//                                           parallel map, atomic write, the `Oracle` protocol
//   CLinearAlgebra <- LinearAlgebra <- AttributionCore   posterior, EIG, selection, stopping, scheduler
//   LanguageModels, Corpora                 pure: tokenizers and n-gram models; real text corpora
//   LanguageModels, Corpora <- Simulation   model zoo, fine-tunes, in-process oracle
//   AttributionCore, LanguageModels <- Engine   evidence scoring, drift-aware sampling, tensors, run loop
//   Storage                                 SQLite via GRDB: query journal, response-distribution store
//   CCurl <- CCurlShim <- Transport         HTTP over libcurl, the one retry loop, APIError, API tokens
//   Transport, Storage <- Oracles           MLMAC and OpenAI-compatible clients, journaled oracle, replay logs
//   LanguageModels, Transport <- ServerModels  language models on inference servers (llama.cpp), replicas
//   SimulatorServer                         Hummingbird: MLMAC-compatible API on loopback
//   all of the above <- Workflow            the one attribution pipeline (AttributionJob), demo, calibration
//   Workflow <- AttribCLI <- attrib         thin command line
let package = Package(
    name: "attrib",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "attrib", targets: ["attrib"]),
        .library(name: "AttributionCore", targets: ["AttributionCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // C libraries: system modules and the curl shim. No Swift API; see their READMEs.
        .systemLibrary(name: "CLinearAlgebra", path: "Sources/CLinearAlgebra"),
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),
        .target(name: "CCurlShim", dependencies: ["CCurl"], path: "Sources/CCurlShim"),

        // Pure modules.
        .target(name: "Common", exclude: ["README.md"]),
        .target(name: "LinearAlgebra", dependencies: ["CLinearAlgebra"], exclude: ["README.md"]),
        .target(name: "AttributionCore", dependencies: ["Common", "LinearAlgebra"], exclude: ["README.md"]),
        .target(name: "LanguageModels", dependencies: ["Common"], exclude: ["README.md"]),
        .target(name: "Corpora", dependencies: ["Common"], exclude: ["README.md"]),
        .target(name: "Simulation", dependencies: ["Common", "LanguageModels", "Corpora"], exclude: ["README.md"]),
        .target(name: "Engine", dependencies: ["Common", "AttributionCore", "LanguageModels"], exclude: ["README.md"]),
        // Candidate prompt pools composed from generators (pool specifications).
        .target(name: "Pools", dependencies: ["Common", "Corpora", "Engine"], exclude: ["README.md"]),

        // I/O modules.
        .target(name: "Transport", dependencies: ["CCurlShim", "Common"], exclude: ["README.md"]),
        .target(name: "Oracles", dependencies: ["Common", "Storage", "Transport"], exclude: ["README.md"]),
        .target(name: "ServerModels", dependencies: ["Common", "LanguageModels", "Transport"], exclude: ["README.md"]),
        .target(name: "Storage", dependencies: [.product(name: "GRDB", package: "GRDB.swift")], exclude: ["README.md"]),
        .target(name: "SimulatorServer", dependencies: [
            "Common",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
        ], exclude: ["README.md"]),

        // Models built here from text: calibration models and their fit, the None references,
        // drift models; the corpora loaded once per cache.
        .target(name: "Calibration", dependencies: [
            "AttributionCore", "Common", "Corpora", "Engine", "LanguageModels", "LinearAlgebra",
        ], exclude: ["README.md"]),
        // The one pipeline: bases files, pools, calibrate -> precompute -> run -> report, oracle sources, replay.
        .target(name: "Workflow", dependencies: [
            "AttributionCore", "Calibration", "Common", "Corpora", "Engine", "LanguageModels", "Oracles", "ServerModels", "Simulation", "SimulatorServer", "Storage", "Transport",
        ], exclude: ["README.md"]),
        // Simulated worlds and grids of runs over them: the demo, experiments, zoo logs.
        .target(name: "Experiments", dependencies: [
            "AttributionCore", "Calibration", "Common", "Corpora", "Engine", "LanguageModels", "Oracles", "Pools", "Simulation", "SimulatorServer", "Workflow",
        ], exclude: ["README.md"]),
        // Diagnostics of a built zoo: one fine-tune's answers explained, accuracy ceilings.
        .target(name: "Diagnostics", dependencies: [
            "AttributionCore", "Calibration", "Common", "Corpora", "Engine", "Experiments", "LanguageModels", "ServerModels", "Simulation", "Workflow",
        ], exclude: ["README.md"]),

        // Command line.
        .target(name: "AttribCLI", dependencies: [
            "AttributionCore", "Calibration", "Common", "Corpora", "Diagnostics", "Engine", "Experiments", "Oracles", "ServerModels", "Simulation", "SimulatorServer", "Transport", "Workflow",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], exclude: ["README.md"]),
        .executableTarget(name: "attrib", dependencies: ["AttribCLI"]),

        // One test target per module.
        .testTarget(name: "CommonTests", dependencies: ["Common"]),
        // Checks on the repository itself (module READMEs against Package.swift and the sources).
        .testTarget(name: "RepositoryTests"),
        .testTarget(name: "LinearAlgebraTests", dependencies: ["LinearAlgebra"]),
        .testTarget(name: "AttributionCoreTests", dependencies: [
            "Common", "AttributionCore",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "CCurlShimTests", dependencies: ["CCurlShim"]),
        .testTarget(name: "LanguageModelsTests", dependencies: [
            "Common", "LanguageModels",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "CorporaTests", dependencies: ["Common", "Corpora"]),
        .testTarget(name: "PoolsTests", dependencies: ["Common", "Corpora", "Pools"]),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation", "Common", "Corpora", "LanguageModels"]),
        .testTarget(name: "EngineTests", dependencies: ["AttributionCore", "Common", "Engine", "LanguageModels"]),
        .testTarget(name: "WorkflowTests", dependencies: [
            "Calibration", "Common", "Diagnostics", "Experiments", "Workflow", "Engine", "Storage", "LanguageModels", "LinearAlgebra", "AttributionCore", "Oracles", "Pools", "SimulatorServer", "Simulation", "Corpora", "ServerModels", "Transport",
        ]),
        .testTarget(name: "OraclesTests", dependencies: ["Common", "Oracles", "SimulatorServer", "Storage", "Transport"]),
        .testTarget(name: "StorageTests", dependencies: ["Storage"]),
        .testTarget(name: "ServerModelsTests", dependencies: [
            "AttributionCore", "Calibration", "Common", "Engine", "LanguageModels", "Oracles", "ServerModels", "Storage", "Transport", "Workflow",
        ]),
        .testTarget(name: "SimulatorServerTests", dependencies: ["Common", "SimulatorServer"]),
        .testTarget(name: "AttribCLITests", dependencies: [
            "Common", "AttribCLI", "AttributionCore", "Calibration", "Corpora", "Engine", "Experiments", "LanguageModels", "SimulatorServer", "Storage", "Workflow",
        ], exclude: ["Golden"]),
    ]
)
