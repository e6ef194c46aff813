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
        try Self.validate(modelName: model)
    }

    /// Model names: letters, digits and `._-/`, starting with a letter or digit, at most 200.
    public static func validate(modelName name: String) throws {
        guard let first = name.first, first.isLetter || first.isNumber else {
            throw ReferenceError.invalidName(name, reason: "it must start with a letter or digit")
        }
        guard name.count <= 200, name.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || "._-/".contains($0) }) else {
            throw ReferenceError.invalidName(name, reason: "use at most 200 ASCII letters, digits, '.', '_', '-' or '/'")
        }
    }

    public var description: String {
        switch selector {
        case .latest: return model
        case .number(let n): return "\(model):\(n)"
        case .alias(let a): return "\(model)@\(a)"
        }
    }
}
