import Foundation
import Hummingbird
import Registry

/// Every route of the web app: the pages (HTML, rendered on the server so that tables work
/// without JavaScript), the assets, and the JSON API under `/api/`. Each handler parses its
/// query first (a bad one is a 400 before the registry is touched), then reads the registry
/// once through the serial reader.
struct Routes: Sendable {
    let reader: RegistryReader

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: ResponseMiddleware())
        pages(router)
        API(reader: reader).add(to: router)
        Assets.add(to: router)
        return router
    }

    private func pages(_ router: Router<BasicRequestContext>) {
        let reader = reader
        router.get("/") { request, _ -> Response in
            let query = try Query(request.uri.query, known: ModelsPage.names)
            var filter = try query.filter(defaultLimit: ModelsPage.pageSize)
            filter.model = nil
            let page = try await reader.read { [filter] in try $0.models(filter) }
            return Reply.html(ModelsPage.render(page, query: query, filter: filter))
        }
        router.get("/models/**") { request, _ -> Response in
            let path = request.uri.path
            let text = String(path.dropFirst("/models/".count)).removingPercentEncoding ?? ""
            guard !text.isEmpty else { throw UIError.pageNotFound(path: path) }
            if text.contains(":") || text.contains("@") {
                _ = try Query(request.uri.query, known: [])
                let reference = try VersionReference(parsing: text)
                let detail = try await reader.read { try $0.show(reference) }
                return Reply.html(VersionPage.render(detail, registryPath: Self.absolute(reader.path)))
            }
            try VersionReference.validate(modelName: text)
            let query = try Query(request.uri.query, known: ModelPage.names)
            let content = try await reader.read { try ModelPage.load($0, name: text, query: query) }
            return Reply.html(ModelPage.render(content))
        }
        router.get("/diff") { request, _ -> Response in
            let query = try Query(request.uri.query, known: DiffPage.names)
            let from = try query.reference("from"), to = try query.reference("to")
            guard let from, let to else { return Reply.html(DiffPage.render(nil, from: query.string("from"), to: query.string("to"))) }
            let diff = try await reader.read { try $0.diff(from, to) }
            return Reply.html(DiffPage.render(diff, from: from.description, to: to.description))
        }
        router.get("/search") { request, _ -> Response in
            let query = try Query(request.uri.query, known: SearchPage.names)
            guard let text = try query.searchText("q") else { return Reply.html(SearchPage.render(nil)) }
            let result = try await reader.read { try $0.search(text, limit: SearchPage.limit) }
            return Reply.html(SearchPage.render(result))
        }
    }

    /// The registry's path as the `registry pull` command on a version page should name it.
    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }
}
