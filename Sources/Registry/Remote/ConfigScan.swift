import Foundation

/// A pass over a config's JSON before it is decoded, in constant memory: decoding builds a map
/// of every value (a 200 MB config of one unknown array took 4.25 GB), so a config whose top
/// level holds a key no format knows, or that holds more values than rows need (one per 4
/// bytes at most: a number and its comma), is refused first.
enum ConfigScan {
    static func check(_ data: Data, what: String) throws {
        var depth = 0
        var inString = false
        var escaped = false
        var expectingKey = false
        var key: [UInt8] = []
        var values = 0
        let limit = data.count / 4 + 64
        func fail(_ detail: String) -> RemoteError { .notAVersion(what: what, detail: detail) }
        for byte in data {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                    if expectingKey {
                        expectingKey = false
                        let name = String(decoding: key, as: UTF8.self)
                        guard VersionConfig.topLevelKeys.contains(name) else {
                            throw fail("its config has an unknown top-level key '\(RemoteImport.printable(name))'")
                        }
                    }
                } else if expectingKey {
                    guard key.count < 64 else { throw fail("its config has an unknown top-level key") }
                    key.append(byte)
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
                if depth == 1 && expectingKey { key.removeAll(keepingCapacity: true) }
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                values += 1
                guard depth <= 32 else { throw fail("its config nests deeper than 32 levels") }
                expectingKey = depth == 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
            case UInt8(ascii: ","):
                values += 1
                expectingKey = depth == 1
            default:
                break
            }
            guard values <= limit else { throw fail("its config holds more values than its rows can need") }
        }
    }
}
