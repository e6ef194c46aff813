import RegistryFormat

/// What the web app's search box finds for a text: model names, tensor names and labels that
/// contain it, ignoring ASCII case.
public struct SearchResult: Codable, Sendable, Equatable {
    /// A tensor of a model's latest version.
    public struct Tensor: Codable, Sendable, Equatable {
        public var name: String
        public var model: String
        public var version: Int64
    }

    /// A label, and how many versions carry it (counted up to 1,000).
    public struct Label: Codable, Sendable, Equatable {
        public var key: String
        public var value: String
        public var versions: Int
    }

    public var query: String
    public var models: [String]
    public var tensors: [Tensor]
    public var labels: [Label]
}
