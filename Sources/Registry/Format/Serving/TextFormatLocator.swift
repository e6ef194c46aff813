/// Finds the line where protobuf text that does not parse goes wrong, since swift-protobuf's
/// `TextFormatDecodingError` carries no position. The text is cut after each complete field
/// (a scalar value, a list of values, a closed block) and after each opening bracket (an empty
/// block is complete too), the blocks still open there are closed,
/// and the longest cut that parses is found by bisection: the fault lies in the field after
/// it. Lexical faults (an unterminated string, a bracket that closes nothing) are found directly.
enum TextFormatLocator {
    /// A fault: its line (1-based) and, when the lexer can say, what is wrong there.
    struct Fault: Equatable {
        var line: Int
        var lexical: String?
    }

    /// Where `text` stops being valid; `parses` says whether a piece of text parses.
    static func locate(_ text: String, parses: (String) -> Bool) -> Fault {
        let bytes = Array(text.utf8)
        var lexer = Lexer(bytes)
        lexer.scan()
        if let fault = lexer.fault { return fault }
        var good = -1, bad = lexer.cuts.count  // cuts[good] parses (-1: the empty text), cuts[bad] does not
        while bad - good > 1 {
            let middle = (good + bad) / 2
            let cut = lexer.cuts[middle]
            if parses(String(decoding: bytes[..<cut.end], as: UTF8.self) + cut.closers) { good = middle } else { bad = middle }
        }
        let next = good < 0 ? 0 : lexer.cuts[good].token + 1
        if next < lexer.tokens.count { return Fault(line: lexer.tokens[next].line, lexical: nil) }
        if let open = lexer.open.last { return Fault(line: open.line, lexical: "the block opened here is never closed") }
        return Fault(line: lexer.tokens.last?.line ?? 1, lexical: nil)
    }

    struct Token {
        enum Kind: Equatable { case word, string, punctuation(UInt8) }
        var kind: Kind
        var end: Int
        var line: Int
    }

    /// A place the text may be cut: after token `token` (ending at byte `end`), with the
    /// brackets that close what is open there.
    struct Cut {
        var token: Int
        var end: Int
        var closers: String
    }

    /// Splits the text into tokens with their lines, and records the cuts.
    struct Lexer {
        let bytes: [UInt8]
        var tokens: [Token] = []
        var cuts: [Cut] = []
        var fault: Fault?
        /// Open brackets ({, <, [) with their lines; `values` marks a `[` that opens a list of values.
        var open: [(bracket: UInt8, line: Int, values: Bool)] = []
        /// The value just read, cut once the next token shows it does not continue (adjacent strings join).
        private var pending: Cut?

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        mutating func scan() {
            var i = 0, line = 1
            while i < bytes.count, fault == nil {
                let c = bytes[i]
                switch c {
                case 0x0a: line += 1; i += 1
                case 0x20, 0x09, 0x0d, 0x0b, 0x0c: i += 1
                case 0x23: while i < bytes.count && bytes[i] != 0x0a { i += 1 }  // a # comment
                case 0x22, 0x27:  // a quoted string, on one line
                    i += 1
                    while i < bytes.count && bytes[i] != c && bytes[i] != 0x0a { i += bytes[i] == 0x5c ? 2 : 1 }
                    guard i < bytes.count, bytes[i] == c else { fault = Fault(line: line, lexical: "this string is never closed"); return }
                    i += 1
                    add(Token(kind: .string, end: i, line: line))
                case _ where Self.isWordByte(c):
                    while i < bytes.count && Self.isWordByte(bytes[i]) { i += 1 }
                    add(Token(kind: .word, end: i, line: line))
                default:
                    i += 1
                    add(Token(kind: .punctuation(c), end: i, line: line))
                }
            }
            if let pending { cuts.append(pending) }
        }

        /// Letters, digits, and what numbers and dotted names contain.
        static func isWordByte(_ c: UInt8) -> Bool {
            (c >= 0x30 && c <= 0x39) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x7a) || c == 0x5f || c == 0x2e || c == 0x2d
                || c == 0x2b || c >= 0x80
        }

        private mutating func add(_ token: Token) {
            let previous = tokens.last
            tokens.append(token)
            let index = tokens.count - 1
            if let value = pending {
                pending = nil
                if token.kind == .string && tokens[value.token].kind == .string {  // "a" "b" is one value
                    pending = Cut(token: index, end: token.end, closers: value.closers)
                    return
                }
                cuts.append(value)
            }
            let inValues = open.last?.values == true
            switch token.kind {
            case .punctuation(let c) where c == 0x7b || c == 0x3c || c == 0x5b:  // { < [
                // `[` after `:` or a field name opens a list; elsewhere it names an extension or an Any's type.
                let list = c == 0x5b && (previous?.kind == .punctuation(0x3a) || previous?.kind == .word || inValues)
                open.append((c, token.line, list))
                // An empty block or list is complete: a fault inside it is then found inside it.
                if c != 0x5b || list { cuts.append(Cut(token: index, end: token.end, closers: closers)) }
            case .punctuation(let c) where c == 0x7d || c == 0x3e || c == 0x5d:  // } > ]
                guard let last = open.popLast(), Self.closer(of: last.bracket) == c else {
                    fault = Fault(line: token.line, lexical: "'\(Character(Unicode.Scalar(c)))' closes nothing that is open")
                    return
                }
                if c != 0x5d || last.values { cuts.append(Cut(token: index, end: token.end, closers: closers)) }
            case .word, .string:
                let afterColon = previous?.kind == .punctuation(0x3a)
                let listItem = inValues && (previous?.kind == .punctuation(0x5b) || previous?.kind == .punctuation(0x2c))
                if afterColon || listItem { pending = Cut(token: index, end: token.end, closers: closers) }
            default:
                break
            }
        }

        /// The closing brackets for everything open, innermost first.
        private var closers: String {
            " " + String(open.reversed().map { Character(Unicode.Scalar(Self.closer(of: $0.bracket))) })
        }

        static func closer(of bracket: UInt8) -> UInt8 {
            switch bracket {
            case 0x7b: 0x7d
            case 0x3c: 0x3e
            default: 0x5d
            }
        }
    }
}
