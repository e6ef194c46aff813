// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "registry",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "Registry", targets: ["Registry"]),
        .library(name: "Train", targets: ["Train"]),
        .executable(name: "registry", targets: ["CLI"]),
        .executable(name: "registry-bench", targets: ["RegistryBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf", exact: "1.39.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/apple/swift-system", exact: "1.8.1"),
        // The web app's HTTP server (`registry ui`); its traits (swift-configuration, full
        // Foundation in its form coding) are not needed. First debug build: see docs/PERFORMANCE.md.
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types", exact: "1.8.0"),
    ],
    targets: [
        // Thin wrappers over system C libraries: module map + shim header, nothing else.
        .systemLibrary(
            name: "CLZ4", path: "Sources/CLZ4", pkgConfig: "liblz4",
            providers: [.apt(["liblz4-dev"])]),
        // glibc's mallopt, for the CLI's allocator settings (malloc.h is not in the Glibc module).
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
        // crc32c with the SSE4.2 instruction where the CPU has it (C, because Swift cannot reach the intrinsic).
        .target(name: "CCRC32C", path: "Sources/CCRC32C"),
        // Byte shuffle and XOR for chunk filters (C loops the compiler vectorises).
        .target(name: "CShuffle", path: "Sources/CShuffle"),
        // OpenBLAS's cblas_sgemm, loaded with dlopen on first use (libopenblas-dev): linked, its
        // threads start and spin in every command, not only in `train`.
        .target(name: "COpenBLAS", path: "Sources/COpenBLAS", linkerSettings: [.linkedLibrary("dl")]),
        // libcurl's easy interface with typed wrappers for its variadic calls (Remote's HTTP:
        // streaming bodies, timeouts, no redirects followed); libcurl4-openssl-dev.
        .target(name: "CCurl", path: "Sources/CCurl"),  // libcurl is opened with dlopen (ccurl.c)
        // The seed network's epoch in C over the same OpenBLAS, for registry-bench only: the floor
        // the Swift epoch is measured against (docs/PERFORMANCE.md).
        .target(name: "CBenchSeedLoop", dependencies: ["COpenBLAS"], path: "Sources/CBenchSeedLoop"),
        // Starts writeback of a file's dirty pages early (sync_file_range is not in the Glibc module).
        .target(name: "CWriteback", path: "Sources/CWriteback"),
        // Embeds Migrations/*.sql into the Registry module at build time.
        .executableTarget(name: "EmbedMigrationsTool", path: "Sources/EmbedMigrationsTool"),
        .plugin(
            name: "EmbedMigrations", capability: .buildTool(),
            dependencies: ["EmbedMigrationsTool"], path: "Sources/MigrationsPlugin"),
        // Records the commit the CLI is built from (`registry --version`), read from .git's files.
        .executableTarget(name: "BuildInfoTool", path: "Sources/BuildInfoTool"),
        .plugin(
            name: "BuildInfo", capability: .buildTool(),
            dependencies: ["BuildInfoTool"], path: "Sources/BuildInfoPlugin"),
        // The layers of the registry, one target each; a target imports only the layers below
        // it (ARCHITECTURE.md). `make build` checks that every import is a declared dependency.
        // Format: TensorFlow's files (protobuf subset, tensor bundle, SavedModel and checkpoint
        // folders) and the file handles that read and write them. No SQLite.
        .target(
            name: "RegistryFormat",
            dependencies: [
                "CCRC32C", "CWriteback",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            path: "Sources/Registry/Format",
            exclude: ["Proto"]),
        // Store: the SQLite database (every SQL statement), records, and the chunk store.
        .target(
            name: "RegistryStore",
            dependencies: [
                "RegistryFormat", "CLZ4", "CShuffle",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            path: "Sources/Registry/Store",
            plugins: ["EmbedMigrations"]),
        // Interchange: folders on disk <-> the store (SavedModel and Saver-folder importers, the exporter).
        .target(
            name: "RegistryInterchange",
            dependencies: ["RegistryFormat", "RegistryStore"],
            path: "Sources/Registry/Interchange"),
        // Remote: OCI distribution registries <-> the store.
        .target(
            name: "RegistryRemote",
            dependencies: [
                "RegistryFormat", "RegistryStore", "CCurl",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Sources/Registry/Remote"),
        // The API: `ModelRegistry`, the one public surface the CLI and Train use.
        .target(
            name: "Registry",
            dependencies: ["RegistryFormat", "RegistryStore", "RegistryInterchange", "RegistryRemote"],
            path: "Sources/Registry/API"),
        .target(
            name: "Train",
            dependencies: ["Registry", "COpenBLAS"],
            path: "Sources/Train"),
        // The web app (`registry ui`): a consumer of the API like the CLI, read-only, its pages
        // and assets served from the binary.
        .target(
            name: "RegistryUI",
            dependencies: [
                "Registry",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            path: "Sources/CLI/UI"),
        .executableTarget(
            name: "CLI",
            dependencies: [
                "Registry", "RegistryUI", "Train", .target(name: "CMalloc", condition: .when(platforms: [.linux])),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/CLI",
            exclude: ["UI"],
            plugins: ["BuildInfo"]),
        .executableTarget(
            name: "RegistryBench",
            dependencies: [
                "Registry", "RegistryFormat", "RegistryRemote", "Train", "CBenchSeedLoop",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Sources/RegistryBench"),
        // What the three test targets share: fixtures, temporary folders, child processes,
        // the TensorFlow oracle, seeded generators, .npy/.npz files.
        .target(
            name: "TestSupport",
            dependencies: ["Registry", .product(name: "Crypto", package: "swift-crypto")],
            path: "Tests/TestSupport"),
        .testTarget(
            name: "TrainTests",
            dependencies: ["Train", "Registry", "RegistryFormat", "TestSupport"],
            path: "Tests/TrainTests"),
        .testTarget(
            name: "RegistryTests",
            dependencies: [
                "Registry", "RegistryFormat", "RegistryStore", "RegistryInterchange", "RegistryRemote", "TestSupport",
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Tests/RegistryTests"),
        .testTarget(
            name: "CLITests",
            dependencies: [
                "CLI", "Registry", "RegistryFormat", "RegistryStore", "RegistryInterchange", "RegistryRemote", "TestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Tests/CLITests"),
    ]
)
