import Foundation
import Testing
import TestSupport
@testable import RegistryFormat

/// The operating system's refusals reach the user through one mapping (`FormatError.io` from
/// swift-system's `Errno`): the file, what was tried, and the system's own words, whichever
/// call failed (issue 13, item 5: nine `strerror` copies before).
@Suite struct SystemErrorTests {
    @Test func refusalsCarryTheSystemsWords() throws {
        try withTemporaryDirectory { tmp in
            let folder = tmp.path + "/folder"
            try FileSystem.createDirectory(folder)
            #expect(throws: FormatError.io(file: folder, operation: "create folder", reason: "File exists")) {
                try FileSystem.createDirectory(folder)
            }
            let missing = tmp.path + "/missing"
            #expect(throws: FormatError.io(file: missing, operation: "open folder", reason: "No such file or directory")) {
                try FileSystem.syncFolder(missing)
            }
            #expect(throws: FormatError.io(file: tmp.path + "/elsewhere", operation: "rename", reason: "No such file or directory")) {
                try FileSystem.rename(missing, to: tmp.path + "/elsewhere")
            }
            #expect(throws: FormatError.io(file: folder, operation: "create", reason: "File exists")) {
                _ = try WritableFile(path: folder)
            }
            // A folder opens for reading, but reading it fails in the system's words.
            let directory = try ReadableFile(path: folder)
            #expect(throws: FormatError.io(file: folder, operation: "read", reason: "Is a directory")) {
                _ = try directory.read(at: 0, count: 1)
            }
            #expect(FileSystem.isSymbolicLink(folder) == false && FileSystem.size(of: missing) == nil)
            #expect(SystemCall.processExists(getpid()) && !SystemCall.processExists(Int32.max))
        }
    }
}
