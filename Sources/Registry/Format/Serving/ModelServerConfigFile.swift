import Foundation
import SwiftProtobuf

/// TensorFlow Serving's `--model_config_file`: a `ModelServerConfig` in protobuf text format.
/// Read whole (a file that does not parse is refused with the line where it goes wrong), one
/// model's entry replaced, the others kept, and written back atomically: a temporary file
/// beside it, fsynced, renamed over it, so that the server never reads half a file.
public struct ModelServerConfigFile: Sendable {
    /// Larger files are refused unread (a config of 10,000 models is about 2 MiB).
    public static let maximumSize: Int64 = 16 << 20

    public let path: String
    public var config: Tensorflow_Serving_ModelServerConfig
    /// When the file was last written; nil when it does not exist yet.
    public let modified: Date?

    /// Reads `path`; a missing file reads as an empty config.
    public static func read(_ path: String) throws(FormatError) -> ModelServerConfigFile {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            guard errno == ENOENT else { throw .io(file: path, operation: "stat", reason: String(cString: strerror(errno))) }
            return ModelServerConfigFile(path: path, config: Tensorflow_Serving_ModelServerConfig(), modified: nil)
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw .unsafePath(file: path, detail: "not a regular file (a symbolic link or a folder); give the config file itself")
        }
        let file = try ReadableFile(path: path)
        guard file.size <= maximumSize else {
            throw .unsupported(file: path, detail: "\(file.size) bytes, more than the \(maximumSize >> 20) MiB a model config may have")
        }
        let bytes = try file.readAll()
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .invalidText(file: path, line: Self.line(ofFirstInvalidUTF8In: bytes), detail: "not UTF-8 text")
        }
        return ModelServerConfigFile(path: path, config: try parse(text, file: path), modified: modified(info))
    }

    /// `text` as a `ModelServerConfig`, or `FormatError.invalidText` naming the line that fails.
    public static func parse(_ text: String, file: String) throws(FormatError) -> Tensorflow_Serving_ModelServerConfig {
        do {
            return try Tensorflow_Serving_ModelServerConfig(textFormatString: text)
        } catch {
            let fault = TextFormatLocator.locate(text) { (try? Tensorflow_Serving_ModelServerConfig(textFormatString: $0)) != nil }
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let shown = fault.line <= lines.count ? lines[fault.line - 1].trimmingCharacters(in: .whitespaces) : ""
            let quoted = shown.isEmpty ? "" : " in `\(shown.count > 80 ? shown.prefix(77) + "..." : shown)`"
            let problem = fault.lexical ?? Self.words(error)
            throw .invalidText(file: file, line: fault.line, detail: "not a ModelServerConfig: \(problem)\(quoted)")
        }
    }

    /// The `model_config_list` entry named `name`, or nil. A file holding a
    /// `custom_model_config`, or listing the model twice, is refused.
    public func entry(named name: String) throws(FormatError) -> Tensorflow_Serving_ModelConfig? {
        if case .customModelConfig? = config.config {
            throw .unsupported(file: path, detail: "holds a custom_model_config, not a model_config_list this tool can update")
        }
        let matches = config.modelConfigList.config.filter { $0.name == name }
        guard matches.count <= 1 else {
            throw .corrupt(file: path, entry: name, detail: "the model is listed \(matches.count) times (TensorFlow Serving refuses that too)")
        }
        return matches.first
    }

    /// Replaces the entry with `entry`'s name, or appends it; the other entries stay as they are.
    public mutating func setEntry(_ entry: Tensorflow_Serving_ModelConfig) {
        if let index = config.modelConfigList.config.firstIndex(where: { $0.name == entry.name }) {
            config.modelConfigList.config[index] = entry
        } else {
            config.modelConfigList.config.append(entry)
        }
    }

    /// The file's new text.
    public var text: String { config.textFormatString() }

    /// Writes `text` in place of the file: a hidden temporary file beside it (keeping the old
    /// file's permissions), fsynced, renamed over it, and the folder fsynced. Returns the new
    /// file's modification time.
    @discardableResult
    public func write() throws(FormatError) -> Date {
        let folder = FileSystem.parentFolder(of: path)
        let prefix = ".\((path as NSString).lastPathComponent).registry-\(FileSystem.host)-"
        FileSystem.removeAbandoned(in: folder, prefix: prefix)
        let temporary = folder + "/" + prefix + "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do throws(FormatError) {
            try FileSystem.write(Array(text.utf8), to: temporary, sync: true)
            var info = stat()
            if stat(path, &info) == 0 { _ = chmod(temporary, info.st_mode & 0o7777) }
            guard rename(temporary, path) == 0 else {
                throw FormatError.io(file: path, operation: "rename into place", reason: String(cString: strerror(errno)))
            }
            try FileSystem.syncFolder(folder)
        } catch {
            unlink(temporary)
            throw error
        }
        var info = stat()
        guard stat(path, &info) == 0 else { throw .io(file: path, operation: "stat", reason: String(cString: strerror(errno))) }
        return Self.modified(info)
    }

    private static func modified(_ info: stat) -> Date {
        Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
    }

    /// swift-protobuf's decoding error in words.
    static func words(_ error: Error) -> String {
        guard let error = error as? TextFormatDecodingError else { return "\(error)" }
        switch error {
        case .unknownField, .missingFieldNames: return "unknown field"
        case .malformedNumber: return "malformed number"
        case .unrecognizedEnumValue: return "unknown enum value"
        case .conflictingOneOf: return "a second choice of a oneof (model_config_list and custom_model_config, or two version policies)"
        case .trailingGarbage: return "unexpected text after the end"
        case .truncated: return "the text ends inside a field"
        case .invalidUTF8: return "not UTF-8"
        case .messageDepthLimit: return "blocks nested too deeply"
        default: return "malformed text"
        }
    }

    /// The line holding the first bytes that are not UTF-8.
    static func line(ofFirstInvalidUTF8In bytes: [UInt8]) -> Int {
        let lines = bytes.split(separator: 0x0a, omittingEmptySubsequences: false)
        return (lines.firstIndex { String(validating: $0, as: UTF8.self) == nil } ?? 0) + 1
    }
}
