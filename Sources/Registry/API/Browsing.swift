import Foundation
import RegistryFormat
import RegistryStore

extension ModelRegistry {
    /// How many versions match `filter` (its limit and offset aside): the length of the
    /// listing a page of `list` is cut from.
    public func count(_ filter: VersionFilter = VersionFilter()) throws -> Int {
        try store.read { try $0.count(filter) }
    }

    /// The models with versions matching `filter`, by name, a page at a time (`filter.limit`
    /// and `offset` count models): each with its number of matching versions, the newest of
    /// them and its aliases.
    public func models(_ filter: VersionFilter = VersionFilter()) throws -> Page<ModelSummary> {
        try store.read { try $0.models(filter) }
    }

    /// One page of a model's history, oldest first, and its length.
    public func history(model: String, limit: Int, offset: Int) throws -> Page<VersionSummary> {
        var filter = VersionFilter()
        filter.model = model
        filter.limit = limit
        filter.offset = offset
        return try store.read { session in
            let total = try session.count(filter)
            if total == 0 { throw ReferenceError.modelNotFound(model) }
            return Page(items: try session.list(filter), total: total, offset: offset)
        }
    }

    /// What `history --plot` draws for `run`: its per-epoch curve and its versions' steps and
    /// metrics, each thinned evenly to at most `maxPoints` when given.
    public func trainingCurve(run: String, maxPoints: Int? = nil) throws -> TrainingCurve {
        try store.read { session in try session.trainingCurve(modelID: try session.existingModelID(run), maxPoints: maxPoints) }
    }

    /// Model names, tensor names (of each model's latest version) and labels containing
    /// `text`, ignoring ASCII case; at most `limit` of each.
    public func search(_ text: String, limit: Int = 50) throws -> SearchResult {
        try store.read { try $0.search(text, limit: limit) }
    }
}
