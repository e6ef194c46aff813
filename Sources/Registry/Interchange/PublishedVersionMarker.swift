import Foundation
import RegistryFormat

/// The small file the registry leaves inside each version folder it publishes into a TensorFlow
/// Serving base path (`BASE/N/.registry-version.json`): which model and version it holds, the
/// version's content digest, and every file with its size and modification time. It tells the
/// registry's folders from foreign ones, and lets a sync see that a folder still holds what it
/// wrote with a few `stat`s instead of reading the files. TensorFlow's loader reads only the
/// names it knows (`saved_model.pb`, `variables/`, `assets/`, `fingerprint.pb`), so the file
/// does not disturb it.
package struct PublishedVersionMarker: Codable, Equatable, Sendable {
    package static let fileName = ".registry-version.json"
    /// A marker larger than this is not the registry's (one of 100,000 files is about 10 MiB).
    static let maximumSize: Int64 = 16 << 20

    /// A file of the folder: its path below it, size and modification time (ns since 1970).
    package struct File: Codable, Equatable, Sendable {
        var path: String
        var size: Int64
        var modified: Int64
    }

    package var model: String
    package var version: Int64
    package var digest: String
    var folders: [String]
    var files: [File]

    /// The marker describing `folder` as it is now.
    static func describe(_ folder: String, model: String, version: Int64, digest: String) throws -> PublishedVersionMarker {
        let listing = try DirectoryListing.scan(folder)
        let files = try listing.files.filter { $0 != fileName }.map { path in
            let info = try status(folder + "/" + path)
            return File(path: path, size: Int64(info.st_size), modified: modified(info))
        }
        return PublishedVersionMarker(model: model, version: version, digest: digest, folders: listing.directories, files: files)
    }

    /// Writes the marker into `folder`, fsynced.
    func write(into folder: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try FileSystem.write(Array(try encoder.encode(self)), to: folder + "/" + Self.fileName, sync: true)
    }

    /// The marker in `folder`; nil when there is none or it is not one the registry wrote.
    package static func read(_ folder: String) -> PublishedVersionMarker? {
        guard let file = try? ReadableFile(path: folder + "/" + fileName), file.size <= maximumSize,
              let bytes = try? file.readAll() else { return nil }
        return try? JSONDecoder().decode(PublishedVersionMarker.self, from: Data(bytes))
    }

    /// True when `folder` holds exactly the files and folders listed, each with its recorded
    /// size and modification time.
    package func matches(_ folder: String) -> Bool {
        guard let now = try? Self.describe(folder, model: model, version: version, digest: digest) else { return false }
        return now == self
    }

    private static func status(_ path: String) throws -> stat {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            throw FormatError.io(file: path, operation: "stat", reason: String(cString: strerror(errno)))
        }
        return info
    }

    private static func modified(_ info: stat) -> Int64 {
        Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
    }
}
