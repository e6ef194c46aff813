/// Rules for a relative path taken from a file or a database before it is used on disk:
/// no absolute paths, no `..` or `.` parts, no empty parts, no NUL or backslash.
public enum RelativePath {
    public static func validate(_ path: String, file: String) throws(FormatError) {
        let problem: String?
        if path.isEmpty {
            problem = "empty path"
        } else if path.hasPrefix("/") {
            problem = "absolute path '\(SafeText.name(path))'"
        } else if path.utf8.contains(0) {
            problem = "NUL byte in a file name"
        } else if path.contains("\\") {
            problem = "backslash in '\(SafeText.name(path))'"
        } else if path.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) {
            problem = "'\(SafeText.name(path))' has an empty, '.' or '..' component"
        } else {
            problem = nil
        }
        if let problem { throw .unsafePath(file: file, detail: problem) }
    }
}
