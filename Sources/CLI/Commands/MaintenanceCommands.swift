import ArgumentParser
import Foundation
import Registry

/// `registry alias NAME@ALIAS N` (or `NAME:N`): points an alias at a version; `--delete`
/// removes the alias only (the version stays).
struct AliasCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alias", abstract: "Point an alias (NAME@ALIAS) at a version, or delete the alias (the version stays).")

    @OptionGroup var options: RegistryOptions
    @Argument(help: "NAME@ALIAS, e.g. classifier@prod (not @latest, which always names the newest version).",
              completion: Completions.references)
    var alias: String
    @Argument(help: "The version the alias should point at: N, or NAME:N.", completion: Completions.references)
    var version: String?
    @Flag(help: "Delete the alias instead.") var delete = false
    @OptionGroup var output: OutputOptions

    func validate() throws {
        if delete == (version != nil) { throw ValidationError("give a version (N or NAME:N), or --delete") }
    }

    func run() throws {
        let ref = try VersionReference(parsing: alias)
        guard case .alias(let name) = ref.selector else {
            if case .latest = ref.selector, alias.hasSuffix("@latest") { throw RegistryError.reservedAlias("latest") }
            throw ValidationError("'\(alias)' is not NAME@ALIAS")
        }
        let registry = try options.open()
        if delete {
            try registry.removeAlias(model: ref.model, alias: name)
            if !output.quiet { print("deleted the alias \(alias); \(ref.model)'s versions are unchanged") }
            return
        }
        let number = try Self.versionNumber(version!, model: ref.model)
        try registry.setAlias(model: ref.model, alias: name, version: number)
        if !output.quiet { print("\(alias) -> \(ref.model):\(number)") }
    }

    /// `N`, or `NAME:N` of the alias's own model (as every other verb writes a version).
    static func versionNumber(_ text: String, model: String) throws -> Int64 {
        if let number = Int64(text), number >= 1 { return number }
        let ref = try VersionReference(parsing: text)
        guard case .number(let number) = ref.selector else {
            throw ValidationError("'\(text)' is not a version number: give N or \(model):N")
        }
        guard ref.model == model else {
            throw ValidationError("the alias belongs to \(model), so it can only point at a version of \(model), not \(text)")
        }
        return number
    }
}

/// `registry rm REF`: deletes a version (or with `--all`, a whole model); `gc` frees the bytes.
/// A version aliases point at is refused unless `--force`; `--dry-run` only says what would go.
struct RemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm", abstract: "Delete a version (NAME:N or NAME@ALIAS), or a model with --all.",
        discussion: "A version that aliases point at is kept unless --force (`registry alias --delete NAME@ALIAS` removes "
            + "just an alias). The bytes stay in the file until `registry gc`.")

    @OptionGroup var options: RegistryOptions
    @Argument(help: "NAME:N or NAME@ALIAS; with --all, NAME.", completion: Completions.references) var reference: String
    @Flag(help: "Delete the model and every version of it.") var all = false
    @Flag(help: "Delete even when aliases point at it (they go with it).") var force = false
    @Flag(help: "Say what would be deleted; change nothing.") var dryRun = false
    @OptionGroup var output: OutputOptions

    func run() throws {
        let removal: Removal
        if all {
            try VersionReference.validate(existingName: reference)
            removal = try options.open().removeModel(reference, force: force, dryRun: dryRun)
        } else {
            let ref = try VersionReference(parsing: reference)
            if case .latest = ref.selector {
                throw ValidationError("name the version to delete: \(reference):N or \(reference)@ALIAS (or --all for the whole model)")
            }
            removal = try options.open().remove(ref, force: force, dryRun: dryRun)
        }
        if output.json { print(Output.json(removal)); return }
        if output.quiet { return }
        let what = removal.wholeModel ? "model \(removal.model) (\(removal.versions.count) versions)"
            : removal.versions.map { "\(removal.model):\($0)" }.joined(separator: ", ")
        let aliases = removal.aliases.isEmpty ? "" : " and the alias\(removal.aliases.count == 1 ? "" : "es") \(removal.aliases.joined(separator: ", "))"
        if removal.dryRun {
            print("would delete \(what)\(aliases); nothing was changed")
        } else {
            print("deleted \(what)\(aliases); run `registry gc` to free the bytes")
        }
    }
}

/// `registry gc`: drops chunks no version refers to any more.
struct GCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gc", abstract: "Free the bytes no version refers to.")

    @OptionGroup var options: RegistryOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let report = try options.open().collectGarbage()
        if output.json { print(Output.json(report)); return }
        if output.quiet { return }
        print("removed \(report.chunksRemoved) chunks and \(report.contentsRemoved) contents: \(Output.bytes(report.bytesFreed)) freed; "
              + "registry file \(Output.bytes(report.fileBytesBefore)) -> \(Output.bytes(report.fileBytesAfter))")
    }
}

/// `registry verify [REF]`: re-reads every stored byte; exit 1 when anything is damaged.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "verify", abstract: "Check every chunk hash and tensor crc32c; exit 1 on damage.")

    @OptionGroup var options: RegistryOptions
    @Argument(help: "One version to check (default: all).", completion: Completions.references) var reference: String?
    @OptionGroup var output: OutputOptions

    func run() throws {
        let bar = ProgressBar("verify", show: output.progress)
        let report = try options.open().verify(reference.map(VersionReference.init(parsing:)), progress: bar.callback)
        bar.finish()
        if output.json {
            print(Output.json(report))
        } else if output.quiet {
            for problem in report.problems { print("DAMAGED \(problem.model):\(problem.version) \(problem.item): \(problem.detail)") }
        } else {
            print("checked \(report.versions) versions, \(report.tensors) tensors, \(report.files) files, \(Output.bytes(report.bytes)): "
                  + (report.problems.isEmpty ? "all intact" : "\(report.problems.count) damaged"))
            for problem in report.problems { print("DAMAGED \(problem.model):\(problem.version) \(problem.item): \(problem.detail)") }
        }
        if !report.problems.isEmpty { throw ExitCode.failure }
    }
}
