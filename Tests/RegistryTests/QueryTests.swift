import Foundation
import Testing
import TestSupport
@testable import Registry
@testable import RegistryFormat
@testable import RegistryInterchange
@testable import RegistryRemote
@testable import RegistryStore

/// `list`, `history`, `show` and aliases on a registry with several models and
/// hundreds of versions, each answer checked against counts computed from what was pushed.
@Suite struct QueryTests {
    /// What one push put in, as the test recorded it (independently of the registry).
    struct Pushed {
        var model: String
        var number: Int64
        var i: Int
        var tagSets: [Set<String>]
        var signatures: Set<String>
        var labels: [String: String]
        var parent: String?
    }

    /// A model of the corpus: which folder, and its meta graphs' tags and signatures per MANIFEST.json.
    struct Source {
        var model: String
        var folder: String
        var tagSets: [Set<String>]
        var signatures: Set<String>
        var tensors: Int
    }

    static let pushes = 300

    /// The shared registry: 300 pushes over four models, built once.
    final class World: @unchecked Sendable {
        let tmp: TemporaryDirectory
        let registry: ModelRegistry
        let pushed: [Pushed]
        let sources: [String: Source]

        init() throws {
            tmp = try TemporaryDirectory()
            registry = try ModelRegistry(path: tmp.path + "/registry.db")
            var sources: [Source] = []
            for (model, name) in [("mlp", "seed_mlp_training"), ("serve", "seed_mlp_train_and_serve"), ("keras", "keras_tf2")] {
                let info = Fixtures.cases[name]!
                let graphs = info["meta_graphs"] as! [[String: Any]]
                sources.append(Source(model: model, folder: Fixtures.path(info["path"] as! String),
                                      tagSets: graphs.map { Set($0["tags"] as! [String]) },
                                      signatures: Set(graphs.flatMap { ($0["signatures"] as! [String: Any]).keys }),
                                      tensors: try Self.indexEntries(Fixtures.path(info["path"] as! String))))
            }
            // One meta graph tagged {serve, train}: seed_mlp_training with "serve" added to its tags.
            let joint = try QueryTests.jointTagSetModel(in: tmp.path + "/joint")
            sources.append(Source(model: "joint", folder: joint, tagSets: [["serve", "train"]], signatures: [],
                                  tensors: try Self.indexEntries(joint)))
            self.sources = Dictionary(uniqueKeysWithValues: sources.map { ($0.model, $0) })

            var pushed: [Pushed] = []
            var counts: [String: Int64] = [:]
            for i in 0..<QueryTests.pushes {
                let source = sources[i % sources.count]
                var options = ModelRegistry.PushOptions()
                options.labels = ["i": "\(i)", "parity": i % 2 == 0 ? "even" : "odd", "mod3": "\(i % 3)"]
                if i % 7 == 0 { options.aliases = ["tens"] }
                var parent: String?
                let number = (counts[source.model] ?? 0) + 1
                if source.model == "keras" && number > 1 {
                    parent = "keras:\(number - 1)"  // a chain through every keras version
                } else if source.model == "joint" && number == 1 {
                    parent = "mlp:1"  // across models
                }
                options.parent = try parent.map(VersionReference.init(parsing:))
                let result = try registry.push(savedModel: source.folder, model: source.model, options: options)
                guard result.version == number else { throw FormatError.missing(file: source.model, detail: "got version \(result.version), expected \(number)") }
                counts[source.model] = number
                pushed.append(Pushed(model: source.model, number: number, i: i, tagSets: source.tagSets, signatures: source.signatures,
                                     labels: options.labels, parent: parent))
            }
            self.pushed = pushed
        }

        static func indexEntries(_ folder: String) throws -> Int {
            try BundleIndex.decode(fileBytes(folder + "/variables/variables.index"), file: "variables.index").entries.count
        }

        deinit { tmp.cleanup() }

        /// The pushes matching `filter`, by the filter's documented meaning, in list order.
        func expected(_ filter: VersionFilter) -> [Pushed] {
            let latest = pushed.reduce(into: [String: Int64]()) { $0[$1.model] = max($0[$1.model] ?? 0, $1.number) }
            return pushed.filter { p in
                if let model = filter.model, p.model != model { return false }
                if let tag = filter.tag, !p.tagSets.contains(where: { $0.contains(tag) }) { return false }
                if let tagSet = filter.tagSet, !p.tagSets.contains(Set(tagSet.tags)) { return false }
                if let signature = filter.signature, !p.signatures.contains(signature) { return false }
                if filter.labels.contains(where: { p.labels[$0.key] != $0.value }) { return false }
                if filter.latestOnly && latest[p.model] != p.number { return false }
                return true
            }.sorted { ($0.model, $0.number) < ($1.model, $1.number) }
        }
    }

    static let world: Result<World, any Error> = Result(catching: { try World() })

    /// A copy of seed_mlp_training whose one meta graph carries the tags {train, serve}: a
    /// MetaGraphInfoDef holding tag "serve" is appended to the MetaGraphDef's bytes (protobuf
    /// merges a repeated message field, so the tags become [train, serve]).
    static func jointTagSetModel(in folder: String) throws -> String {
        let source = Fixtures.path("seed_mlp_training")
        try FileManager.default.createDirectory(atPath: folder + "/variables", withIntermediateDirectories: true)
        for file in ["variables/variables.index", "variables/variables.data-00000-of-00001"] {
            try Data(fileBytes(source + "/" + file)).write(to: URL(fileURLWithPath: folder + "/" + file))
        }
        let graph = try SavedModelFile.decode(binary: fileBytes(source + "/saved_model.pb"), file: "saved_model.pb")
        let tag: [UInt8] = [0x22, 5] + Array("serve".utf8)                  // MetaInfoDef.tags (4)
        let extra: [UInt8] = [0x0a, UInt8(tag.count)] + tag                  // MetaGraphDef.meta_info_def (1)
        let bytes = graph.metaGraphs[0].bytes + extra
        guard try MetaGraph(bytes: bytes, file: "test").tagSet == TagSet(["train", "serve"]) else {
            throw FormatError.corrupt(file: folder, entry: nil, detail: "the appended tag did not merge into the meta graph's tags")
        }
        let file = SavedModelFile.encodeBinary(schemaVersion: graph.schemaVersion, metaGraphs: [bytes], otherFields: graph.otherFields)
        try Data(file).write(to: URL(fileURLWithPath: folder + "/saved_model.pb"))
        return folder
    }

    /// Requires `list(filter)` to return exactly the expected versions, in order.
    func check(_ filter: VersionFilter, count: Int? = nil, _ comment: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let world = try Self.world.get()
        let got = try world.registry.list(filter).map { "\($0.model):\($0.version)" }
        let want = world.expected(filter).map { "\($0.model):\($0.number)" }
        let same = got == want
        #expect(same, "\(comment): got \(got.count) versions, expected \(want.count)", sourceLocation: sourceLocation)
        if let count { #expect(want.count == count, "\(comment): expected count \(want.count), the test thought \(count)", sourceLocation: sourceLocation) }
    }

    // MARK: - list

    @Test func everyVersionIsListedWithItsSummary() throws {
        let world = try Self.world.get()
        let all = try world.registry.list()
        #expect(all.count == Self.pushes)
        let byName = Dictionary(uniqueKeysWithValues: world.pushed.map { ("\($0.model):\($0.number)", $0) })
        var mismatches: [String] = []
        for summary in all {
            guard let p = byName["\(summary.model):\(summary.version)"] else { mismatches.append("unexpected \(summary.model):\(summary.version)"); continue }
            let source = world.sources[p.model]!
            if summary.labels != p.labels { mismatches.append("\(p.model):\(p.number) labels \(summary.labels)") }
            if summary.tagSets.map({ Set($0.tags) }) != p.tagSets { mismatches.append("\(p.model):\(p.number) tag sets \(summary.tagSets)") }
            if summary.tensors != source.tensors { mismatches.append("\(p.model):\(p.number) tensors \(summary.tensors)") }
            if summary.parent != p.parent { mismatches.append("\(p.model):\(p.number) parent \(summary.parent ?? "nil")") }
            if summary.kind != .savedModel { mismatches.append("\(p.model):\(p.number) kind \(summary.kind)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
        // Listings are ordered by model name, then number.
        let keys = all.map { ($0.model, $0.version) }
        let sorted = zip(keys, keys.dropFirst()).allSatisfy { $0 < $1 }
        #expect(sorted)
        // The tag sets keep the order of the meta graphs in the file.
        #expect(all.first { $0.model == "serve" }?.tagSets == ["train", "serve"])
        #expect(all.first { $0.model == "joint" }?.tagSets == ["serve,train"])
    }

    @Test func filterByTag() throws {
        for (tag, count) in [("serve", 225), ("train", 225), ("gpu", 0)] {
            var filter = VersionFilter()
            filter.tag = tag
            try check(filter, count: count, "tag \(tag)")
        }
    }

    @Test func filterByExactTagSet() throws {
        // {serve}: keras ({serve}) and serve ({train} and {serve} as two graphs); not joint's {serve,train}.
        // {train}: mlp and serve. {train,serve}: joint only, in whatever order the tags are written.
        for (text, count, models) in [("serve", 150, ["keras", "serve"]), ("train", 150, ["mlp", "serve"]),
                                      ("train,serve", 75, ["joint"]), ("serve, train", 75, ["joint"]), ("serve,gpu", 0, [])] {
            var filter = VersionFilter()
            filter.tagSet = TagSet(parsing: text)
            try check(filter, count: count, "tag set {\(text)}")
            let listed = Set(try Self.world.get().registry.list(filter).map(\.model))
            #expect(listed == Set(models), "tag set {\(text)}: \(listed)")
        }
    }

    @Test func filterBySignature() throws {
        for (key, count) in [("serving_default", 150), ("serve", 75), ("predict", 0)] {
            var filter = VersionFilter()
            filter.signature = key
            try check(filter, count: count, "signature \(key)")
        }
    }

    @Test func filterByLabelsModelAndLatest() throws {
        var filter = VersionFilter()
        filter.labels = ["parity": "even"]
        try check(filter, count: 150, "parity=even")
        filter.labels = ["parity": "even", "mod3": "0"]
        try check(filter, count: 50, "parity=even mod3=0")
        filter.labels = ["i": "17"]
        try check(filter, count: 1, "i=17")
        #expect(try Self.world.get().registry.list(filter).map { "\($0.model):\($0.version)" } == ["serve:5"])
        filter.labels = ["i": "17", "parity": "even"]
        try check(filter, count: 0, "i=17 parity=even")
        filter.labels = ["nokey": "x"]
        try check(filter, count: 0, "unknown label")

        filter = VersionFilter()
        filter.model = "keras"
        try check(filter, count: 75, "model keras")
        filter.labels = ["parity": "odd"]
        try check(filter, count: 0, "keras pushes are all even")
        filter.labels = ["parity": "even", "mod3": "1"]
        try check(filter, count: 25, "keras mod3=1")
        filter = VersionFilter()
        filter.model = "nosuch"
        try check(filter, count: 0, "unknown model")

        filter = VersionFilter()
        filter.latestOnly = true
        try check(filter, count: 4, "latest")
        #expect(try Self.world.get().registry.list(filter).allSatisfy { $0.version == 75 })
        filter.tag = "train"
        try check(filter, count: 3, "latest with tag train")
        filter.tag = nil
        filter.labels = ["parity": "even"]
        try check(filter, count: 2, "latest and even: pushes 296 and 298")
        filter.labels = [:]
        filter.model = "mlp"
        try check(filter, count: 1, "latest of mlp")
        filter = VersionFilter()
        filter.tagSet = TagSet(["serve"])
        filter.signature = "serve"
        filter.labels = ["mod3": "2"]
        try check(filter, "keras with mod3=2")
    }

    // MARK: - history, aliases, show

    @Test func historyIsNumberedFromOneInOrder() throws {
        let world = try Self.world.get()
        for model in ["mlp", "serve", "keras", "joint"] {
            let history = try world.registry.history(model: model)
            let numbers = history.map(\.version)
            #expect(numbers == Array(1...75), "\(model)")
            let pushedOrder = world.pushed.filter { $0.model == model }.map { $0.labels["i"]! }
            #expect(history.map { $0.labels["i"] ?? "?" } == pushedOrder, "\(model): labels follow push order")
            let dates = zip(history, history.dropFirst()).allSatisfy { $0.createdAt <= $1.createdAt }
            #expect(dates, "\(model): createdAt goes forward")
            #expect(history.allSatisfy { $0.model == model })
        }
        #expect(throws: ReferenceError.self) { try world.registry.history(model: "nosuch") }
    }

    @Test func aliasesGivenAtPushResolve() throws {
        let world = try Self.world.get()
        // "tens" was given to pushes 0, 7, 14, …; each push moved its model's alias.
        for model in ["mlp", "serve", "keras", "joint"] {
            let expected = world.pushed.filter { $0.model == model && $0.i % 7 == 0 }.map(\.number).max()!
            let detail = try world.registry.show(VersionReference(parsing: "\(model)@tens"))
            #expect(detail.summary.version == expected, "\(model)@tens")
            #expect(detail.summary.aliases == ["tens"])
            let holders = try world.registry.history(model: model).filter { $0.aliases.contains("tens") }.map(\.version)
            #expect(holders == [expected], "\(model): exactly one version holds the alias")
            #expect(try world.registry.show(VersionReference(parsing: "\(model)@latest")).summary.version == 75)
            #expect(try world.registry.show(VersionReference(parsing: model)).summary.version == 75)
            #expect(try world.registry.show(VersionReference(parsing: "\(model):7")).summary.version == 7)
        }
        #expect(throws: ReferenceError.self) { try world.registry.show(VersionReference(parsing: "mlp@nosuch")) }
        #expect(throws: ReferenceError.self) { try world.registry.show(VersionReference(parsing: "mlp:76")) }
    }

    @Test func showLineageFollowsParents() throws {
        let world = try Self.world.get()
        let keras = try world.registry.show(VersionReference(parsing: "keras:75"))
        #expect(keras.lineage == (1...75).reversed().map { "keras:\($0)" })
        #expect(keras.summary.parent == "keras:74")
        let joint = try world.registry.show(VersionReference(parsing: "joint:1"))
        #expect(joint.lineage == ["joint:1", "mlp:1"])
        #expect(joint.summary.parent == "mlp:1")
        let mlp = try world.registry.show(VersionReference(parsing: "mlp:3"))
        #expect(mlp.lineage == ["mlp:3"])
        #expect(mlp.summary.parent == nil)
        // show's other parts match the corpus.
        let serve = try world.registry.show(VersionReference(parsing: "serve@tens"))
        #expect(serve.metaGraphs.map(\.tags) == [["train"], ["serve"]])
        #expect(serve.metaGraphs[1].signatures.map(\.key) == ["serving_default"])
        #expect(serve.tensors.count == 21)
        #expect(serve.files.map(\.path).contains("assets/vocab.txt"))
        #expect(joint.metaGraphs.map(\.tags) == [["serve", "train"]])
    }

    @Test func aliasesMoveAndParentsSurviveRemoval() throws {
        try withRegistry { registry, tmp in
            for _ in 0..<4 { _ = try registry.push(savedModel: Fixtures.path("keras_tf2"), model: "m") }
            var options = ModelRegistry.PushOptions()
            options.parent = VersionReference(model: "m", selector: .number(2))
            _ = try registry.push(savedModel: Fixtures.path("keras_tf2"), model: "child", options: options)
            #expect(try registry.show(VersionReference(model: "child")).lineage == ["child:1", "m:2"])

            try registry.setAlias(model: "m", alias: "prod", version: 3)
            #expect(try registry.show(VersionReference(parsing: "m@prod")).summary.version == 3)
            try registry.setAlias(model: "m", alias: "prod", version: 1)
            #expect(try registry.show(VersionReference(parsing: "m@prod")).summary.version == 1)
            #expect(try registry.history(model: "m").map(\.aliases) == [["prod"], [], [], []])
            #expect(throws: ReferenceError.self) { try registry.setAlias(model: "m", alias: "prod", version: 9) }
            #expect(throws: ReferenceError.self) { try registry.setAlias(model: "nosuch", alias: "prod", version: 1) }
            #expect(try registry.show(VersionReference(parsing: "m@prod")).summary.version == 1)

            // Removing the version an alias points at is refused unless forced; forced, the alias
            // goes with it; a child loses its parent link.
            #expect(throws: RegistryError.versionHasAliases(version: "m:1", aliases: ["prod"])) {
                try registry.remove(VersionReference(parsing: "m@prod"))
            }
            #expect(try registry.remove(VersionReference(parsing: "m@prod"), force: true, dryRun: true).aliases == ["prod"])
            #expect(try registry.remove(VersionReference(parsing: "m@prod"), force: true).versions == [1])
            #expect(throws: ReferenceError.self) { try registry.show(VersionReference(parsing: "m@prod")) }
            #expect(try registry.remove(VersionReference(parsing: "m:2")).versions == [2])
            let child = try registry.show(VersionReference(model: "child"))
            #expect(child.lineage == ["child:1"])
            #expect(child.summary.parent == nil)
            #expect(try registry.history(model: "m").map(\.version) == [3, 4])
            // The next push is numbered after the newest.
            let next = try registry.push(savedModel: Fixtures.path("keras_tf2"), model: "m")
            #expect(next.version == 5)

            try registry.setAlias(model: "m", alias: "prod", version: 4)
            try registry.removeAlias(model: "m", alias: "prod")
            #expect(throws: ReferenceError.self) { try registry.show(VersionReference(parsing: "m@prod")) }
            #expect(try registry.history(model: "m").allSatisfy { $0.aliases.isEmpty })
            #expect(try registry.removeModel("m").versions.count == 3)
            #expect(try registry.list().map(\.model) == ["child"])
        }
    }
}
