/// Text that came from a file, a database or a server, made safe to print: on a terminal a
/// control character can move the cursor, clear the screen or fake a line of output, and a
/// bidirectional override can reorder what is shown. The one escaping function; the CLI's text
/// output and every message that names such a thing go through it (`--json` stays exact).
public enum SafeText {
    /// `text` with every control character (C0, DEL, C1) written as `\xHH` and every
    /// bidirectional control as `\u{HHHH}`; `text` itself when it has none (the common case,
    /// checked byte by byte).
    public static func escaped(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            if needsEscape(scalar) {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += scalar.value <= 0xFF ? "\\x" + String(repeating: "0", count: 2 - hex.count) + hex : "\\u{\(hex)}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A name (a model, a label, a file, a tensor key) as a message quotes it: escaped, and
    /// cut to `limit` characters with the count of the rest, so that a 100,000-character name
    /// makes a one-line message.
    public static func name(_ text: String, limit: Int = 200) -> String {
        let safe = escaped(text)
        guard safe.utf8.count > limit else { return safe }
        let count = safe.count
        guard count > limit else { return safe }
        return String(safe.prefix(limit)) + "… (\(count - limit) more characters)"
    }

    /// C0 and C1 controls, DEL, and the bidirectional formatting characters (Unicode's
    /// Bidi_Control set).
    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
