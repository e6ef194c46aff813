import ArgumentParser
import Foundation
import Registry

/// `registry compact`: rewrites the registry file at its smallest, through the disk.
struct CompactCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compact", abstract: "Rewrite the registry file at its smallest (needs free disk space for a copy; other writers wait).")

    @OptionGroup var options: RegistryOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let bar = ProgressBar("compact", show: output.progress)
        let report = try options.open().compact(progress: bar.callback)
        bar.finish()
        if output.json { print(Output.json(report)); return }
        if output.quiet { return }
        print("compacted \(options.path): \(Output.bytes(report.fileBytesBefore)) -> \(Output.bytes(report.fileBytesAfter)) "
              + String(format: "in %.1f s", report.seconds))
    }
}
