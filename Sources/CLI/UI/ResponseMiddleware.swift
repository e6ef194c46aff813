import Foundation
import HTTPTypes
import Hummingbird
import Registry

/// Wraps every route: only GET and HEAD are served (405 otherwise: nothing here writes); every
/// failure becomes a page (HTML) or, under `/api/`, `{"error": {"code", "category", "message"}}`
/// with the CLI's codes; and each response says in `Server-Timing` how long the server took.
struct ResponseMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response: Response
        let isHead = request.method == .head
        do {
            guard request.method == .get || isHead else { throw UIError.methodNotAllowed(method: request.method.rawValue) }
            response = try await next(request, context)
        } catch {
            response = Self.failure(error, path: request.uri.path)
            if case UIError.methodNotAllowed = error { response.headers[.allow] = "GET, HEAD" }
        }
        let elapsed = ContinuousClock.now - start
        let milliseconds = Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) / 1e15
        response.headers[HTTPField.Name("Server-Timing")!] = String(format: "app;dur=%.2f", milliseconds)
        return isHead ? response.createHeadResponse() : response
    }

    /// The response for a failure: JSON under `/api/`, a page elsewhere.
    static func failure(_ error: any Error, path: String) -> Response {
        let coded: any CodedError
        if let known = error as? any CodedError {
            coded = known
        } else if let http = error as? HTTPError, http.status == .notFound {
            coded = UIError.pageNotFound(path: path)
        } else {
            coded = InternalError(detail: "\(error)")
        }
        let status = Reply.status(of: coded)
        if path == "/api" || path.hasPrefix("/api/") { return Reply.json(JSONStyle.error(coded), status: status) }
        return Reply.html(ErrorPage.render(coded, status: status), status: status)
    }

    /// An error that is none of the registry's (a bug): said as it is, status 500.
    struct InternalError: CodedError {
        var detail: String
        var description: String { "the web app failed: \(detail.prefix(300))" }
        var code: String { "internal_error" }
        var category: ErrorCategory { .environment }
    }
}
