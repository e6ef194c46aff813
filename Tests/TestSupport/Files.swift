import Foundation

/// The whole contents of a file.
public func fileBytes(_ path: String) throws -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else { throw TestFailure("could not read \(path)") }
    return [UInt8](data)
}

/// A file's size in bytes, or -1 when it cannot be read.
public func fileSize(_ path: String) -> Int64 {
    (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? -1
}
