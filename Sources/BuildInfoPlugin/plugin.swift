import Foundation
import PackagePlugin

/// Writes the commit the CLI is built from into a generated Swift file (`BuildInfo.commit`,
/// printed by `registry --version`), read from the checkout's git files without a network and
/// without running git. The command re-runs when HEAD or the branch it names moves; a copy
/// without `.git` (a tarball) says "unknown".
@main
struct BuildInfoPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "BuildInfo.swift")
        let git = GitFiles(package: context.package.directoryURL)
        return [
            .buildCommand(
                displayName: "Recording the commit for --version",
                executable: try context.tool(named: "BuildInfoTool").url,
                arguments: [output.path, git.gitDirectory?.path ?? "", git.commonDirectory?.path ?? ""],
                inputFiles: git.inputs,
                outputFiles: [output]),
        ]
    }
}

/// Where a checkout keeps HEAD and its refs: `.git/` itself, or for a worktree the folder its
/// `.git` file names and the common folder that one names.
struct GitFiles {
    var gitDirectory: URL?
    var commonDirectory: URL?

    init(package: URL) {
        let dotGit = package.appending(path: ".git")
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dotGit.path, isDirectory: &isFolder) else { return }
        if isFolder.boolValue {
            gitDirectory = dotGit
        } else if let text = try? String(contentsOf: dotGit, encoding: .utf8), text.hasPrefix("gitdir:") {
            let path = text.dropFirst("gitdir:".count).trimmingCharacters(in: .whitespacesAndNewlines)
            gitDirectory = path.hasPrefix("/") ? URL(fileURLWithPath: path) : package.appending(path: path)
        }
        commonDirectory = gitDirectory
        if let gitDirectory, let common = try? String(contentsOf: gitDirectory.appending(path: "commondir"), encoding: .utf8) {
            let path = common.trimmingCharacters(in: .whitespacesAndNewlines)
            commonDirectory = path.hasPrefix("/") ? URL(fileURLWithPath: path) : gitDirectory.appending(path: path).standardizedFileURL
        }
    }

    /// HEAD, the branch file it points at and packed-refs: the files whose change means a new commit.
    var inputs: [URL] {
        guard let gitDirectory, let commonDirectory else { return [] }
        var files = [gitDirectory.appending(path: "HEAD"), commonDirectory.appending(path: "packed-refs")]
        if let head = try? String(contentsOf: gitDirectory.appending(path: "HEAD"), encoding: .utf8), head.hasPrefix("ref:") {
            files.append(commonDirectory.appending(path: head.dropFirst(4).trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        return files.filter { FileManager.default.fileExists(atPath: $0.path) }
    }
}
