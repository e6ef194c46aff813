import Foundation
import RegistryFormat
import RegistryStore

/// A TensorFlow Serving model base path (`BASE/1`, `BASE/2`, …) that versions are published
/// into. Each version is exported whole into a hidden sibling (`.N.registry-HOST-PID-…`, a
/// name TF Serving ignores), with its marker, fsynced, and renamed to `BASE/N` only when
/// complete, so that the server never sees a partial version; a folder leaves by being renamed
/// to a hidden name first, then deleted.
package struct ServingBaseFolder {
    package let path: String

    /// A child of the base path that TF Serving reads as a version.
    package struct Entry: Sendable {
        package var name: String
        package var number: Int64
        /// The registry's marker inside, when there is one.
        package var marker: PublishedVersionMarker?

        /// True when the registry wrote this folder for version `number` of `model`.
        package func isPublished(model: String) -> Bool {
            marker?.model == model && marker?.version == number && name == ServingVersionName.folder(number)
        }
    }

    /// Opens `path`, creating it (and its parents) when missing, and removes what killed
    /// syncs on this machine left there.
    package init(_ path: String) throws {
        self.path = path
        var info = stat()
        if stat(path, &info) != 0 {
            guard errno == ENOENT else { throw FormatError.io(file: path, operation: "stat", reason: String(cString: strerror(errno))) }
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw FormatError.io(file: path, operation: "create folder", reason: (error as NSError).localizedDescription)
            }
        } else if info.st_mode & S_IFMT != S_IFDIR {
            throw FormatError.unsupported(file: path, detail: "a file, not a folder; give the folder TensorFlow Serving watches (its base_path)")
        }
        removeAbandoned()
    }

    /// The children TF Serving reads as versions, by number.
    package func entries() throws -> [Entry] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw FormatError.io(file: path, operation: "list", reason: "\(error)")
        }
        return names.compactMap { name in
            ServingVersionName.number(name).map { Entry(name: name, number: $0, marker: PublishedVersionMarker.read(path + "/" + name)) }
        }.sorted { ($0.number, $0.name) < ($1.number, $1.name) }
    }

    /// Writes `version` as `BASE/N` (whole, as pushed, plus its marker); `replace` swaps out a
    /// folder already there. Returns the bytes written.
    package func publish(_ version: VersionRecord, model: String, digest: String, session: StoreSession, replace: Bool,
                         progress: ((Int64) -> Void)? = nil) throws -> Int64 {
        let target = path + "/" + ServingVersionName.folder(version.number)
        return try StagedFolder.write(to: target, force: replace) { staging in
            try FileSystem.createDirectory(staging)
            var exporter = FolderExporter(session: session, version: version)
            exporter.progress = progress
            let written = try exporter.write(into: staging, layout: .savedModel(tagSets: nil))
            try PublishedVersionMarker.describe(staging, model: model, version: version.number, digest: digest).write(into: staging)
            return written
        }
    }

    /// Removes the child `name`: renamed to a hidden name first (TF Serving sees it leave at
    /// once, and a kill leaves only a leftover the next sync deletes), then deleted.
    package func remove(_ name: String) throws {
        let hidden = path + "/" + Self.leftoverPrefix(name) + "\(getpid())-removed"
        guard rename(path + "/" + name, hidden) == 0 else {
            throw FormatError.io(file: path + "/" + name, operation: "move aside", reason: String(cString: strerror(errno)))
        }
        try FileSystem.syncFolder(path)
        try? FileManager.default.removeItem(atPath: hidden)
    }

    /// The prefix of the hidden names this machine's staged and removed copies of `name` take
    /// (the one `StagedFolder` uses).
    static func leftoverPrefix(_ name: String) -> String { ".\(name).registry-\(FileSystem.host)-" }

    /// Deletes the hidden staged or removed folders whose process is gone.
    private func removeAbandoned() {
        let marker = ".registry-\(FileSystem.host)-"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] where name.hasPrefix(".") {
            guard let range = name.range(of: marker) else { continue }
            FileSystem.removeAbandoned(in: path, prefix: String(name[..<range.upperBound]))
        }
    }
}
