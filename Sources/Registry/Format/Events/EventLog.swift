/// A TensorBoard log folder (`LOGDIR`): every `*.tfevents.*` file in it and its subfolders.
/// TensorBoard shows each subfolder as a run of its own (Keras writes `train/` and
/// `validation/`), so a scalar logged in a subfolder is named `SUBFOLDER/TAG`, one at the top
/// `TAG`. Files are read in name order (their names begin with the time they were opened), and
/// a later value of a tag at a step replaces an earlier one.
public enum EventLog {
    /// The scalars of every event file under `folder`, one per name and step, by name then step.
    public static func scalars(folder: String) throws(FormatError) -> [ScalarEvent] {
        let files = try DirectoryListing.scan(folder).files.filter(isEventFile)
        guard !files.isEmpty else {
            throw .missing(file: folder, detail: "no TensorBoard event file (events.out.tfevents.*) in this folder or below it")
        }
        var latest: [String: [Int64: ScalarEvent]] = [:]
        for file in files {
            let run = FileSystem.parentFolder(of: file)
            for var scalar in try EventFile.scalars(path: folder + "/" + file) {
                if run != "." { scalar.tag = run + "/" + scalar.tag }
                latest[scalar.tag, default: [:]][scalar.step] = scalar
            }
        }
        return latest.keys.sorted().flatMap { tag in latest[tag]!.values.sorted { $0.step < $1.step } }
    }

    /// Whether a file's name is an event file's: `events.out.tfevents.…` (TensorFlow's writers).
    static func isEventFile(_ path: String) -> Bool {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return name.contains("tfevents")
    }
}
