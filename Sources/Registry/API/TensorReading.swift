import Foundation
import RegistryFormat
import RegistryInterchange
import RegistryStore

/// What `registry cat` wrote; `--json` prints exactly these fields.
public struct TensorReadResult: Codable, Sendable {
    public var model: String
    public var version: Int64
    /// The tensor's name as `show` prints it.
    public var tensor: String
    /// TensorFlow's name of its dtype (`float32`, `bfloat16`, `string`).
    public var dtype: String
    public var shape: [Int64]
    /// `npy` or `raw`.
    public var format: String
    /// The `.npy`'s numpy type: `<f4`, `|S12`, or a record type's list for strings ending in NUL.
    public var npyDescr: String?
    public var bytes: Int64
    /// The file written (`-o`); nil for standard output.
    public var path: String?

    init(_ model: String, _ version: Int64, _ written: TensorExporter.Written, form: ModelRegistry.TensorForm, path: String?) {
        self.model = model
        self.version = version
        tensor = written.name
        dtype = written.entry.dtype.name
        shape = written.entry.shape
        format = form.rawValue
        npyDescr = written.descr
        bytes = written.bytes
        self.path = path
    }
}

extension ModelRegistry {
    /// How `readTensor` writes a tensor.
    public enum TensorForm: String, Sendable {
        /// Fixed-size dtypes: the little-endian elements in C order; strings: each element as a
        /// little-endian uint64 length and its bytes.
        case raw
        /// A numpy `.npy` file; strings as fixed-width bytes (`|S{n}`), or when an element ends
        /// in a NUL byte, records of `length` and raw `bytes`.
        case npy
    }

    /// Streams one tensor of a version to `sink` without exporting the version: only its chunks
    /// are read (a partitioned tensor's slices, assembled). A fixed-size tensor's size and
    /// crc32c are checked once its last chunk has gone to `sink`; a mismatch then throws
    /// `StoreError.damaged`, and what `sink` got must be discarded.
    public func readTensor(_ reference: VersionReference, name: String, form: TensorForm,
                           to sink: (UnsafeRawBufferPointer) throws -> Void) throws -> TensorReadResult {
        try store.read { session in
            let version = try session.resolve(reference)
            let label = "\(reference.model):\(version.number)"
            let exporter = TensorExporter(session: session, version: version, label: label)
            let written = try exporter.write(tensor: name, form: form == .npy ? .npy : .raw, to: sink)
            return TensorReadResult(reference.model, version.number, written, form: form, path: nil)
        }
    }

    /// `readTensor` into a file, written beside `path` and renamed into place once checked
    /// complete; an existing file is replaced only with `force`.
    public func writeTensor(_ reference: VersionReference, name: String, form: TensorForm, to path: String,
                            force: Bool = false) throws -> TensorReadResult {
        var result: TensorReadResult?
        try StagedFolder.writeFile(to: path, force: force) { file in
            result = try readTensor(reference, name: name, form: form) { piece in try file.write(piece, at: file.length) }
        }
        result!.path = path
        return result!
    }

    /// Several tensors of a version in one read, each as a file of a new folder (`0.npy`,
    /// `1.npy`…, or `.raw`, in the order of `names`), written aside and renamed into place.
    /// Without `names`, every tensor as TensorFlow's checkpoint reader lists them: partitioned
    /// tensors whole, not their slices.
    public func writeTensors(_ reference: VersionReference, names: [String]?, form: TensorForm, toFolder path: String,
                             force: Bool = false) throws -> [TensorReadResult] {
        var results: [TensorReadResult] = []
        _ = try StagedFolder.write(to: path, force: force) { staging in
            try FileSystem.createDirectory(staging)
            return try store.read { session in
                let version = try session.resolve(reference)
                let label = "\(reference.model):\(version.number)"
                let exporter = TensorExporter(session: session, version: version, label: label)
                let chosen = try names ?? session.tensors(versionID: version.id!).filter { $0.key.first != 0 }.map(\.name)
                var total: Int64 = 0
                for (index, name) in chosen.enumerated() {
                    let file = "\(index).\(form == .npy ? "npy" : "raw")"
                    let output = try WritableFile(path: staging + "/" + file)
                    let written = try exporter.write(tensor: name, form: form == .npy ? .npy : .raw) { piece in
                        try output.write(piece, at: output.length)
                    }
                    try output.sync()
                    try output.close()
                    total += written.bytes
                    results.append(TensorReadResult(reference.model, version.number, written, form: form, path: path + "/" + file))
                }
                return total
            }
        }
        return results
    }
}
