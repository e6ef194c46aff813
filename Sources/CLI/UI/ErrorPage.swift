import HTTPTypes
import Registry

/// The page for a failure: the status, the one-line message naming what was not found or
/// what is wrong with the request, and the error's code.
enum ErrorPage {
    static func render(_ error: any CodedError, status: HTTPResponse.Status) -> String {
        HTML.page(title: status.reasonPhrase, body: """
            <h1>\(status.code) \(HTML.escape(status.reasonPhrase))</h1>
            <p class="error" role="alert">\(HTML.escape(error.description))</p>
            <p><small>code <code>\(HTML.escape(error.code))</code></small> · \(HTML.link("/", "Back to the models"))</p>
            """)
    }
}
