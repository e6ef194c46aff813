import ArgumentParser
import Foundation
import Registry

/// Shell completion of model names and references (`NAME`, `NAME:N`, `NAME@ALIAS`): the
/// scripts `registry --generate-completion-script` writes call back into `registry`, which
/// reads the registry the command line names (or finds), read-only and never creating it.
/// Folders and files complete as files (`.directory`, `.file`) on their own options.
enum Completions {
    static let modelNames = CompletionKind.custom { words, _, prefix in
        Self.versions(words: words).map(\.model).uniqued().filter { $0.hasPrefix(prefix) }
    }

    static let references = CompletionKind.custom { words, _, prefix in
        let versions = Self.versions(words: words)
        if let at = prefix.lastIndex(of: "@") {
            let model = String(prefix[..<at])
            return versions.filter { $0.model == model }.flatMap { $0.aliases.map { "\(model)@\($0)" } }.uniqued().filter { $0.hasPrefix(prefix) }
        }
        if let colon = prefix.lastIndex(of: ":") {
            let model = String(prefix[..<colon])
            return versions.filter { $0.model == model }.map { "\(model):\($0.version)" }.filter { $0.hasPrefix(prefix) }
        }
        return versions.map(\.model).uniqued().filter { $0.hasPrefix(prefix) }
    }

    /// Every version of the registry `--registry` on the command line (else the usual one)
    /// names; none when there is no registry or it cannot be read.
    static func versions(words: [String]) -> [VersionSummary] {
        let flag = words.firstIndex(of: "--registry")
        let given = flag.flatMap { $0 + 1 < words.count ? words[$0 + 1] : nil }
        guard let registry = try? ModelRegistry(path: RegistryOptions.path(given: given), readOnly: true, create: false) else { return [] }
        return (try? registry.list()) ?? []
    }
}

extension Sequence where Element: Hashable {
    /// The elements in order, each once.
    func uniqued() -> [Element] {
        var seen: Set<Element> = []
        return filter { seen.insert($0).inserted }
    }
}
