import RegistryFormat

/// Names a version the way users write it: `NAME` (the latest), `NAME:N`, or `NAME@ALIAS`.
public struct VersionReference: Hashable, Sendable, CustomStringConvertible {
    /// Which version of the model: the newest, a number, or the one an alias points at.
    public enum Selector: Hashable, Sendable {
        case latest
        case number(Int64)
        case alias(String)
    }

    public var model: String
    public var selector: Selector

    public init(model: String, selector: Selector = .latest) {
        self.model = model
        self.selector = selector
    }

    public init(parsing text: String) throws {
        if let at = text.lastIndex(of: "@") {
            let alias = String(text[text.index(after: at)...])
            model = String(text[..<at])
            guard !alias.isEmpty, alias.allSatisfy({ $0.isLetter || $0.isNumber || "._-".contains($0) }) else {
                throw ReferenceError.invalidReference(text, reason: "an alias is letters, digits, '.', '_' or '-'")
            }
            selector = alias == "latest" ? .latest : .alias(alias)
        } else if let colon = text.lastIndex(of: ":") {
            model = String(text[..<colon])
            guard let number = Int64(text[text.index(after: colon)...]), number >= 1 else {
                throw ReferenceError.invalidReference(text, reason: "a version number is a whole number from 1")
            }
            selector = .number(number)
        } else {
            model = text
            selector = .latest
        }
        try Self.validate(existingName: model)
    }

    /// The grammar of a new model's name: OCI's repository name grammar, so that a model can be
    /// pushed to a remote under its own name. Parts of lowercase ASCII letters and digits,
    /// joined by `/`; inside a part, single separators `.`, `_`, `__` or a run of `-` between
    /// letters and digits; at most 200 characters. So `team/seed.v2` and `seed-run` are names;
    /// `team/`, `a//b`, `-x`, `Seed` and `a..b` are not.
    public static func validate(modelName name: String) throws {
        if let reason = problem(newName: name) { throw ReferenceError.invalidName(name, reason: reason) }
    }

    /// Names a lookup accepts: the grammar above, and the looser one of earlier releases
    /// (letters of either case, digits and `._-/`, starting with a letter or digit), so that
    /// models pushed then can still be named.
    public static func validate(existingName name: String) throws {
        guard problem(newName: name) != nil else { return }
        let earlier = name.first.map { $0.isASCII && ($0.isLetter || $0.isNumber) } == true && name.count <= 200
            && name.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || "._-/".contains($0) }
        if !earlier { try validate(modelName: name) }
    }

    /// Why `name` breaks the grammar of new names, or nil.
    static func problem(newName name: String) -> String? {
        let grammar = "a name is lowercase letters and digits, with '.', '_', '__' or dashes between them, in parts joined by '/'"
        if name.isEmpty { return "it is empty; " + grammar }
        if name.utf8.count > 200 { return "it is longer than 200 characters" }
        for part in name.split(separator: "/", omittingEmptySubsequences: false) {
            if part.isEmpty {
                return (name.hasPrefix("/") || name.hasSuffix("/") ? "it starts or ends with '/'" : "it has an empty part ('//')") + "; " + grammar
            }
            let bytes = Array(part.utf8)
            func alphanumeric(_ byte: UInt8) -> Bool { (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) }
            if let bad = bytes.first(where: { !alphanumeric($0) && $0 != 0x2E && $0 != 0x5F && $0 != 0x2D }) {
                let character = String(decoding: [bad], as: UTF8.self)
                return (0x41...0x5A).contains(bad) ? "it has uppercase letters; " + grammar
                    : "'\(bad < 0x80 ? character : "non-ASCII")' is not allowed; " + grammar
            }
            guard alphanumeric(bytes.first!), alphanumeric(bytes.last!) else {
                return "a part starts or ends with '\(alphanumeric(bytes.first!) ? String(decoding: [bytes.last!], as: UTF8.self) : String(decoding: [bytes.first!], as: UTF8.self))'; " + grammar
            }
            var index = 0
            while index < bytes.count {
                guard !alphanumeric(bytes[index]) else { index += 1; continue }
                var end = index
                while end < bytes.count && !alphanumeric(bytes[end]) { end += 1 }
                let separator = String(decoding: bytes[index..<end], as: UTF8.self)
                if !(separator == "." || separator == "_" || separator == "__" || separator.allSatisfy { $0 == "-" }) {
                    return "'\(separator)' cannot separate letters and digits; " + grammar
                }
                index = end
            }
        }
        return nil
    }

    public var description: String {
        switch selector {
        case .latest: return model
        case .number(let n): return "\(model):\(n)"
        case .alias(let a): return "\(model)@\(a)"
        }
    }
}
