import ArgumentParser
import Foundation
import Registry

/// Options every verb that touches a registry shares.
struct RegistryOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The registry database file (default: $REGISTRY_PATH, else ./.registry/registry.db).", valueName: "path"))
    var registry: String?

    var path: String {
        registry ?? ProcessInfo.processInfo.environment["REGISTRY_PATH"] ?? ".registry/registry.db"
    }

    /// Opens the registry, creating it on first use.
    func open() throws -> ModelRegistry {
        try ModelRegistry(path: path)
    }
}

/// `--json` as every read verb spells it.
struct JSONOption: ParsableArguments {
    @Flag(name: .long, help: "Print JSON (stable field names, documented in the README) instead of text.")
    var json = false
}
