import ArgumentParser
import Foundation
import Registry

/// `registry cat REF TENSOR`: one tensor's bytes, or a `.npy`, without exporting the version;
/// several tensors (or `--all`) as one file each in a new folder.
struct CatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cat",
        abstract: "Write one tensor of a version (raw bytes, or a .npy with --npy) to standard output or a file, reading only its chunks; "
            + "several, or --all, into a folder.",
        discussion: """
            Raw: the elements' little-endian bytes in C order, as TensorFlow keeps them; a string tensor as each element's \
            length (uint64, little-endian) followed by its bytes. --npy: a numpy .npy file that numpy.load reads without \
            allow_pickle; strings as fixed-width bytes (|S{n}), or, when an element ends in a NUL byte (which |S drops), as \
            records of length (<u8) and bytes (|V{n}). Types numpy lacks keep their bits: bfloat16 as <u2, the float8 types \
            as |u1 (ml_dtypes views them back). A partitioned tensor is assembled from its slices. With -o the file is \
            written aside and renamed into place once its size and crc32c are checked; on standard output a damaged \
            tensor fails after its bytes were written.
            """)

    @OptionGroup var options: RegistryOptions
    @Argument(help: "NAME (latest), NAME:N or NAME@ALIAS.") var reference: String
    @Argument(help: "The tensor's name, as `registry show` lists it; several go into a folder (-o).") var tensors: [String] = []
    @Flag(help: "Every tensor, as TensorFlow's checkpoint reader lists them (partitioned ones whole), into a folder (-o).") var all = false
    @Flag(help: "Write a numpy .npy file instead of raw bytes.") var npy = false
    @Option(name: [.short, .customLong("output")],
            help: "Write to this file instead of standard output; with several tensors or --all, the folder to create (0.npy, 1.npy… in order).")
    var output: String?
    @Flag(help: "Replace the -o file if it exists.") var force = false
    @OptionGroup var format: OutputOptions

    /// Several tensors (or --all) go into a folder, one file each.
    var several: Bool { all || tensors.count > 1 }

    func validate() throws {
        if all == !tensors.isEmpty {
            throw ValidationError(all ? "give tensor names or --all, not both" : "name the tensor to write (`registry show REF` lists them), or give --all")
        }
        if several && output == nil {
            throw ValidationError("several tensors go into a folder, one file each: -o FOLDER")
        }
        if format.json && output == nil {
            throw ValidationError("--json describes the file written with -o FILE; without -o the tensor itself goes to standard output")
        }
        if output == nil && isatty(STDOUT_FILENO) == 1 {
            throw ValidationError("the tensor is binary; give -o FILE or send standard output to a file or pipe")
        }
    }

    func run() throws {
        let ref = try VersionReference(parsing: reference)
        let registry = try options.open()
        let form: ModelRegistry.TensorForm = npy ? .npy : .raw
        guard let output else {
            let out = FileHandle.standardOutput
            _ = try registry.readTensor(ref, name: tensors[0], form: form) { piece in try out.write(contentsOf: Data(piece)) }
            return
        }
        if several {
            let results = try registry.writeTensors(ref, names: all ? nil : tensors, form: form, toFolder: output, force: force)
            if format.json { print(Output.json(results)); return }
            let total = results.reduce(Int64(0)) { $0 + $1.bytes }
            let version = results.first.map { "\($0.model):\($0.version)" } ?? ref.description
            print("wrote \(results.count) tensors of \(version) to \(output): \(Output.bytes(total))")
            return
        }
        let result = try registry.writeTensor(ref, name: tensors[0], form: form, to: output, force: force)
        if format.json { print(Output.json(result)); return }
        print("wrote \(result.model):\(result.version) \(result.tensor) (\(result.dtype)\(Output.shape(result.shape))) to \(output): "
              + Output.bytes(result.bytes))
    }
}
