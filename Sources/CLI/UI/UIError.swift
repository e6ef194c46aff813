import Registry

/// What the web app itself refuses, beside the registry's own errors: a malformed query
/// parameter, a path that names no page, a method other than GET, an address it cannot bind.
public enum UIError: CodedError, Equatable {
    case badParameter(name: String, value: String, reason: String)
    case unknownParameter(name: String, known: [String])
    case pageNotFound(path: String)
    case methodNotAllowed(method: String)
    case cannotListen(address: String, detail: String)

    public var description: String {
        switch self {
        case let .badParameter(name, value, reason):
            return "query parameter \(name)='\(value.prefix(80))' is not valid: \(reason)"
        case let .unknownParameter(name, known):
            return "unknown query parameter '\(name.prefix(80))'; this page takes \(known.isEmpty ? "none" : known.joined(separator: ", "))"
        case let .pageNotFound(path):
            return "no page at \(path.prefix(200)); the models page is at /"
        case let .methodNotAllowed(method):
            return "\(method) is not allowed: the web app only reads (GET or HEAD)"
        case let .cannotListen(address, detail):
            return "cannot listen on \(address): \(detail); pick another --port or --host"
        }
    }

    public var code: String {
        switch self {
        case .badParameter: "bad_parameter"
        case .unknownParameter: "unknown_parameter"
        case .pageNotFound: "page_not_found"
        case .methodNotAllowed: "method_not_allowed"
        case .cannotListen: "cannot_listen"
        }
    }

    public var category: ErrorCategory {
        switch self {
        case .badParameter, .unknownParameter, .methodNotAllowed: .usage
        case .pageNotFound: .notFound
        case .cannotListen: .unavailable
        }
    }
}
