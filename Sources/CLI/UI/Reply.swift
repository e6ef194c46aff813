import Foundation
import HTTPTypes
import Hummingbird
import Registry

/// Responses as the web app sends them: a body already rendered, its content type, and
/// headers that keep the browser to this server (no script, style or image from elsewhere).
enum Reply {
    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        body(text, type: "text/html; charset=utf-8", status: status)
    }

    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        body(text + "\n", type: "application/json; charset=utf-8", status: status)
    }

    /// A page of a listing as JSON: the array, with `X-Total-Count` and, when more follow, a
    /// `Link: <…>; rel="next"` to the next page (as GitHub's API pages).
    static func page<Item: Encodable>(_ items: [Item], total: Int, offset: Int, limit: Int, path: String, query: String?) -> Response {
        var response = json(JSONStyle.encode(items))
        response.headers[HTTPField.Name("X-Total-Count")!] = String(total)
        if offset + items.count < total {
            var kept = (query ?? "").split(separator: "&").filter { !$0.hasPrefix("offset=") && !$0.hasPrefix("limit=") }.map(String.init)
            kept += ["limit=\(limit)", "offset=\(offset + items.count)"]
            response.headers[HTTPField.Name("Link")!] = "<\(path)?\(kept.joined(separator: "&"))>; rel=\"next\""
        }
        return response
    }

    static func body(_ text: String, type: String, status: HTTPResponse.Status = .ok, cache: Bool = false) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = cache ? "public, max-age=3600" : "no-store"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// The HTTP status a coded error answers with.
    static func status(of error: any CodedError) -> HTTPResponse.Status {
        if case UIError.methodNotAllowed? = error as? UIError { return .methodNotAllowed }
        return switch error.category {
        case .usage, .invalidInput: .badRequest
        case .notFound: .notFound
        case .alreadyExists: .conflict
        case .unavailable: .serviceUnavailable
        case .unsupported: .notImplemented
        case .damaged, .environment: .internalServerError
        }
    }
}
