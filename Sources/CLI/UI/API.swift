import Foundation
import Hummingbird
import Registry

/// `/api/`: the CLI's verbs as JSON, in the shapes their `--json` prints (the same result
/// types, the same encoder): `ls`, `history`, `show`, `diff`, plus `models`, `curve` and
/// `search`, which the pages show. Listings come a page at a time (`limit`, `offset`), with
/// `X-Total-Count` and a `Link` to the next page.
struct API: Sendable {
    let reader: RegistryReader
    /// Versions or models per page unless `limit` says otherwise (at most 1,000).
    static let pageSize = 100

    func add(to router: Router<BasicRequestContext>) {
        let reader = reader
        router.get("/api/ls") { request, _ -> Response in
            let query = try Query(request.uri.query, known: Query.filterNames)
            let filter = try query.filter(defaultLimit: Self.pageSize)
            let (items, total) = try await reader.read { [filter] in (try $0.list(filter), try $0.count(filter)) }
            return Reply.page(items, total: total, offset: filter.offset, limit: filter.limit!, path: "/api/ls", query: request.uri.query)
        }
        router.get("/api/models") { request, _ -> Response in
            let query = try Query(request.uri.query, known: ModelsPage.names)
            let filter = try query.filter(defaultLimit: Self.pageSize)
            let page = try await reader.read { [filter] in try $0.models(filter) }
            return Reply.page(page.items, total: page.total, offset: page.offset, limit: filter.limit!, path: "/api/models", query: request.uri.query)
        }
        router.get("/api/history") { request, _ -> Response in
            let query = try Query(request.uri.query, known: ["model", "limit", "offset"])
            let model = try query.required("model")
            let limit = try query.integer("limit", in: 1...1000, default: Self.pageSize)
            let offset = try query.integer("offset", in: 0...1_000_000_000, default: 0)
            let page = try await reader.read { try $0.history(model: model, limit: limit, offset: offset) }
            return Reply.page(page.items, total: page.total, offset: offset, limit: limit, path: "/api/history", query: request.uri.query)
        }
        router.get("/api/show") { request, _ -> Response in
            let query = try Query(request.uri.query, known: ["ref"])
            _ = try query.required("ref")
            let reference = try query.reference("ref")!
            return Reply.json(JSONStyle.encode(try await reader.read { try $0.show(reference) }))
        }
        router.get("/api/diff") { request, _ -> Response in
            let query = try Query(request.uri.query, known: DiffPage.names)
            _ = try query.required("from")
            _ = try query.required("to")
            let from = try query.reference("from")!, to = try query.reference("to")!
            return Reply.json(JSONStyle.encode(try await reader.read { try $0.diff(from, to) }))
        }
        router.get("/api/curve") { request, _ -> Response in
            let query = try Query(request.uri.query, known: ["model", "points"])
            let model = try query.required("model")
            let points = try query.integer("points", in: 2...10_000, default: ModelPage.curvePoints)
            return Reply.json(JSONStyle.encode(try await reader.read { try $0.trainingCurve(run: model, maxPoints: points) }))
        }
        router.get("/api/search") { request, _ -> Response in
            let query = try Query(request.uri.query, known: ["q", "limit"])
            let limit = try query.integer("limit", in: 1...200, default: SearchPage.limit)
            guard let text = try query.searchText("q") else { throw UIError.badParameter(name: "q", value: "", reason: "it is required") }
            return Reply.json(JSONStyle.encode(try await reader.read { try $0.search(text, limit: limit) }))
        }
    }
}
