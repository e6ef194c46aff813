import SwiftProtobuf

/// Removes from protobuf text format the fields our subset keeps as opaque bytes (they are
/// nested messages in text, which a bytes field cannot parse) and `Any` expansions
/// (`[type.googleapis.com/…] { … }`), so that the rest parses. The original text is what gets
/// written back; the scrubbed parse only feeds the registry's indexes. An expanded
/// `tensorflow.AssetFileDef` is not dropped but packed (`type_url: … value: "…"`), as a binary
/// graph holds it, so that its file name is checked like any other declared asset.
enum TextFormatScrubber {
    /// Field names declared as opaque `bytes` in `Proto/*.proto` whose text form is a message.
    static let opaqueFields: Set<String> = [
        "stripped_op_list", "library", "debug_info", "experimental_type", "object_graph_def", "type_spec", "registered_saver",
    ]

    /// `packAssets`: false inside an `AssetFileDef`'s own body (which holds no `Any`), so that
    /// nesting cannot recurse.
    static func scrub(_ text: String, file: String, packAssets: Bool = true) throws(FormatError) -> String {
        let chars = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(chars.count)
        var i = 0
        func isIdentifier(_ c: UInt8) -> Bool { c == 0x5f || (c >= 0x30 && c <= 0x39) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x7a) }
        func skipSpace(_ j: Int) -> Int {
            var j = j
            while j < chars.count, chars[j] == 0x20 || chars[j] == 0x0a || chars[j] == 0x09 || chars[j] == 0x0d { j += 1 }
            return j
        }
        /// Index just past the block opened at `open` ('{' or '<'), skipping strings and comments.
        func skipBlock(_ open: Int) -> Int {
            var depth = 0
            var j = open
            while j < chars.count {
                let c = chars[j]
                if c == 0x22 || c == 0x27 {  // quoted string: skip to its closing quote, honouring escapes
                    j += 1
                    while j < chars.count && chars[j] != c { j += chars[j] == 0x5c ? 2 : 1 }
                } else if c == 0x23 {  // comment to end of line
                    while j < chars.count && chars[j] != 0x0a { j += 1 }
                } else if c == 0x7b || c == 0x3c {
                    depth += 1
                } else if c == 0x7d || c == 0x3e {
                    depth -= 1
                    if depth == 0 { return j + 1 }
                }
                j += 1
            }
            return chars.count
        }
        while i < chars.count {
            let c = chars[i]
            if c == 0x22 || c == 0x27 {
                let start = i
                i += 1
                while i < chars.count && chars[i] != c { i += chars[i] == 0x5c ? 2 : 1 }
                i = min(i + 1, chars.count)
                out += chars[start..<i]
            } else if c == 0x23 {
                while i < chars.count && chars[i] != 0x0a { i += 1 }
            } else if c == 0x5b {  // [type.googleapis.com/...] { ... }
                var close = i
                while close < chars.count && chars[close] != 0x5d { close += 1 }
                let after = skipSpace(close + 1)
                if after < chars.count && (chars[after] == 0x7b || chars[after] == 0x3c) {
                    let end = skipBlock(after)
                    let typeURL = String(decoding: chars[min(i + 1, close)..<close].filter { $0 > 0x20 }, as: UTF8.self)
                    if packAssets, typeURL.split(separator: "/").last == "tensorflow.AssetFileDef" {
                        let body = String(decoding: chars[(after + 1)..<max(after + 1, end - 1)], as: UTF8.self)
                        out += try packedAsset(typeURL: typeURL, body: body, file: file).utf8
                    }
                    i = end
                } else {
                    out.append(c)
                    i += 1
                }
            } else if isIdentifier(c) && (i == 0 || !isIdentifier(chars[i - 1])) {
                var end = i
                while end < chars.count && isIdentifier(chars[end]) { end += 1 }
                let name = String(decoding: chars[i..<end], as: UTF8.self)
                var after = skipSpace(end)
                if after < chars.count && chars[after] == 0x3a { after = skipSpace(after + 1) }
                if opaqueFields.contains(name), after < chars.count, chars[after] == 0x7b || chars[after] == 0x3c {
                    i = skipBlock(after)
                } else {
                    out += chars[i..<end]
                    i = end
                }
            } else {
                out.append(c)
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// An expanded `AssetFileDef` as the fields of a packed `Any`. One that does not parse is
    /// refused: its file name could not be checked.
    static func packedAsset(typeURL: String, body: String, file: String) throws(FormatError) -> String {
        let bytes: [UInt8]
        do {
            var options = TextFormatDecodingOptions()
            options.ignoreUnknownFields = true
            bytes = try Tensorflow_AssetFileDef(textFormatString: try scrub(body, file: file, packAssets: false), options: options).serializedBytes()
        } catch let error as FormatError {
            throw error
        } catch {
            throw .corrupt(file: file, entry: nil, detail: "an expanded \(typeURL) does not parse (\(error)), so the asset it declares cannot be checked")
        }
        let escaped = bytes.map { byte in "\\" + String(byte, radix: 8).leftPadded(to: 3) }.joined()
        return "type_url: \"\(typeURL)\" value: \"\(escaped)\""
    }
}
