import ArgumentParser
import Foundation
import Registry

/// `registry alias NAME@ALIAS N`: points an alias at a version; `--delete` removes it.
struct AliasCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "alias", abstract: "Point an alias (NAME@ALIAS) at a version, or delete it.")

    @OptionGroup var options: RegistryOptions
    @Argument(help: "NAME@ALIAS, e.g. classifier@prod.") var alias: String
    @Argument(help: "The version number the alias should point at.") var version: Int64?
    @Flag(help: "Delete the alias instead.") var delete = false

    func validate() throws {
        if delete == (version != nil) { throw ValidationError("give a version number, or --delete") }
    }

    func run() throws {
        let ref = try VersionReference(parsing: alias)
        guard case .alias(let name) = ref.selector else { throw ValidationError("'\(alias)' is not NAME@ALIAS") }
        let registry = try options.open()
        if delete {
            try registry.removeAlias(model: ref.model, alias: name)
            print("deleted \(alias)")
        } else {
            try registry.setAlias(model: ref.model, alias: name, version: version!)
            print("\(alias) -> \(ref.model):\(version!)")
        }
    }
}

/// `registry rm REF`: deletes a version (or with `--all`, a whole model); `gc` frees the bytes.
struct RemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Delete a version (NAME:N or NAME@ALIAS), or a model with --all.")

    @OptionGroup var options: RegistryOptions
    @Argument(help: "NAME:N or NAME@ALIAS; with --all, NAME.") var reference: String
    @Flag(help: "Delete the model and every version of it.") var all = false

    func run() throws {
        let registry = try options.open()
        if all {
            try VersionReference.validate(modelName: reference)
            let count = try registry.removeModel(reference)
            print("deleted model \(reference) (\(count) versions); run `registry gc` to free their bytes")
            return
        }
        let ref = try VersionReference(parsing: reference)
        if case .latest = ref.selector {
            throw ValidationError("name the version to delete: \(reference):N or \(reference)@ALIAS (or --all for the whole model)")
        }
        let number = try registry.remove(ref)
        print("deleted \(ref.model):\(number); run `registry gc` to free its bytes")
    }
}

/// `registry gc`: drops chunks no version refers to any more, and hands their pages back.
struct GCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gc", abstract: "Free the bytes no version refers to.")

    @OptionGroup var options: RegistryOptions
    @Flag(help: "Report what gc would remove, changing nothing.") var dryRun = false
    @Flag(help: "Leave the freed pages in the file for later pushes instead of handing them back to the file system.")
    var keepFree = false
    @OptionGroup var output: JSONOption

    func run() throws {
        let report = try options.open().collectGarbage(dryRun: dryRun, keepFree: keepFree)
        if output.json { print(Output.json(report)); return }
        print(Self.describe(report))
    }

    /// The report in words (`prune` prints it too).
    static func describe(_ report: GCReport) -> String {
        let removed = "\(report.chunksRemoved) chunks and \(report.contentsRemoved) contents"
        if report.dryRun { return "gc would remove \(removed): \(Output.bytes(report.bytesFreed)) (dry run, nothing changed)" }
        var text = "removed \(removed): \(Output.bytes(report.bytesFreed)) freed, \(Output.bytes(report.bytesReturned)) handed back "
            + "to the file system (registry file \(Output.bytes(report.fileBytesBefore)) -> \(Output.bytes(report.fileBytesAfter)))"
        if report.bytesReusable > 0 { text += "; \(Output.bytes(report.bytesReusable)) free in the file for later pushes" }
        if !report.incrementalVacuum && report.bytesReusable > 0 {
            text += "\nthis registry predates incremental vacuum: `registry compact` once hands its free space back and converts it"
        }
        return text
    }
}

/// `registry verify [REF]`: re-reads every stored byte; exit 1 when anything is damaged.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "verify", abstract: "Check every chunk hash and tensor crc32c; exit 1 on damage.")

    @OptionGroup var options: RegistryOptions
    @Argument(help: "One version to check (default: all).") var reference: String?
    @OptionGroup var output: JSONOption

    func run() throws {
        let bar = ProgressBar("verify")
        let report = try options.open().verify(reference.map(VersionReference.init(parsing:)), progress: bar.callback)
        bar.finish()
        if output.json {
            print(Output.json(report))
        } else {
            print("checked \(report.versions) versions, \(report.tensors) tensors, \(report.files) files, \(Output.bytes(report.bytes)): "
                  + (report.problems.isEmpty ? "all intact" : "\(report.problems.count) damaged"))
            for problem in report.problems { print("DAMAGED \(problem.model):\(problem.version) \(problem.item): \(problem.detail)") }
        }
        if !report.problems.isEmpty { throw ExitCode.failure }
    }
}
