import Foundation
import HTTPTypes
import Hummingbird
import Registry

/// Answers HEAD as GET without the body: the router picks a route by method, so the request
/// is turned into a GET before it reaches the router.
struct HeadAsGet<Inner: HTTPResponder>: HTTPResponder {
    let inner: Inner

    func respond(to request: Request, context: Inner.Context) async throws -> Response {
        guard request.method == .head else { return try await inner.respond(to: request, context: context) }
        var head = request.head
        head.method = .get
        return try await inner.respond(to: Request(head: head, body: request.body), context: context).createHeadResponse()
    }
}

/// Wraps every route: only GET is served (HEAD arrives as GET; 405 otherwise: nothing here writes); every
/// failure becomes a page (HTML) or, under `/api/`, `{"error": {"code", "category", "message"}}`
/// with the CLI's codes; and each response says in `Server-Timing` how long the server took
/// (`app`, wall time) and how much CPU the process spent meanwhile (`cpu`).
struct ResponseMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now, cpu = Self.processCPU()
        var response: Response
        do {
            guard request.method == .get else { throw UIError.methodNotAllowed(method: request.method.rawValue) }
            response = try await next(request, context)
        } catch {
            response = Self.failure(error, path: request.uri.path)
            if case UIError.methodNotAllowed = error { response.headers[.allow] = "GET, HEAD" }
        }
        let elapsed = ContinuousClock.now - start
        let milliseconds = Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) / 1e15
        response.headers[HTTPField.Name("Server-Timing")!] = String(format: "app;dur=%.2f, cpu;dur=%.2f", milliseconds, Self.processCPU() - cpu)
        return response
    }

    /// The process's CPU time in milliseconds, all threads: over one request at a time (as the
    /// bench sends them) it is what the request cost, however loaded the machine is.
    static func processCPU() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) * 1e3 + Double(time.tv_nsec) / 1e6
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
