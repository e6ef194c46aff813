import Foundation
import Testing
import TestSupport

/// The `--json` output of every verb: the documented field names and values.
@Suite struct CLIJSONOutputTests {
    // MARK: - --json field names

    @Test func jsonOutputsHaveTheDocumentedFields() throws {
        let cli = try CLI()
        defer { cli.cleanup() }
        let source = Fixtures.casePath("seed_mlp_train_and_serve")
        let push = try #require(try cli.json("push", source, "seed", "--label", "data=random", "--alias", "prod") as? [String: Any])
        #expect(Set(push.keys) == ["model", "version", "tensors", "files", "tensorBytes", "statistics", "digest"])
        let digest = try #require(push["digest"] as? String)
        #expect(digest.hasPrefix("sha256:") && digest.count == 71)
        #expect(push["model"] as? String == "seed")
        #expect(push["version"] as? Int == 1)
        #expect(push["tensors"] as? Int == 21)
        #expect(push["files"] as? Int == 3)
        let statistics = try #require(push["statistics"] as? [String: Any])
        #expect(Set(statistics.keys) == ["rawBytes", "storedBytes", "dedupBytes", "newChunks", "reusedChunks", "deltaChunks"])
        #expect((statistics["rawBytes"] as? Int ?? 0) > 0)
        #expect((statistics["storedBytes"] as? Int ?? 0) > 0)
        #expect((statistics["newChunks"] as? Int ?? 0) > 0)
        #expect(statistics["dedupBytes"] is Int && statistics["reusedChunks"] is Int)

        let second = try #require(try cli.json("push", source, "seed", "--parent", "seed:1", "--label", "run=2") as? [String: Any])
        #expect(second["version"] as? Int == 2)
        try cli.ok("push", Fixtures.casePath("keras_tf2"), "keras")

        let required: Set<String> = ["model", "version", "createdAt", "kind", "tagSets", "labels", "aliases", "tensors", "tensorBytes"]
        let allowed = required.union(["source", "parent", "run", "globalStep", "metrics", "digest"])
        func checkSummary(_ row: [String: Any]) {
            let keys = Set(row.keys)
            #expect(required.isSubset(of: keys), "missing \(required.subtracting(keys))")
            #expect(keys.isSubset(of: allowed), "unexpected \(keys.subtracting(allowed))")
            #expect((row["createdAt"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) } != nil, "createdAt \(row["createdAt"] ?? "nil")")
            #expect(row["kind"] as? String == "saved_model")
            #expect(row["labels"] is [String: Any])
            #expect(row["aliases"] is [Any])
            #expect((row["tensorBytes"] as? Int ?? 0) > 0)
        }

        let listed = try #require(try cli.json("ls") as? [[String: Any]])
        #expect(listed.count == 3)
        listed.forEach(checkSummary)
        #expect(listed.map { "\($0["model"] as? String ?? "?"):\($0["version"] as? Int ?? 0)" } == ["keras:1", "seed:1", "seed:2"])
        let seed1 = listed[1]
        #expect(seed1["tagSets"] as? [String] == ["train", "serve"])
        #expect(seed1["labels"] as? [String: String] == ["data": "random"])
        #expect(seed1["aliases"] as? [String] == ["prod"])
        #expect(seed1["tensors"] as? Int == 21)
        #expect(seed1["source"] as? String == URL(fileURLWithPath: source).standardizedFileURL.path)
        #expect(seed1["digest"] as? String == digest, "ls --json prints the digest push printed")
        #expect(listed[2]["parent"] as? String == "seed:1")
        #expect(listed[2]["labels"] as? [String: String] == ["run": "2"])
        #expect(listed[0]["tagSets"] as? [String] == ["serve"])

        let filtered = try #require(try cli.json("ls", "--tags", "serve") as? [[String: Any]])
        #expect(filtered.count == 3, "both seed versions have a {serve} graph, keras too")
        let bySignature = try #require(try cli.json("ls", "--signature", "serve") as? [[String: Any]])
        #expect(bySignature.map { $0["model"] as? String } == ["keras"])
        let byLabel = try #require(try cli.json("ls", "--label", "data=random", "--tag", "train") as? [[String: Any]])
        #expect(byLabel.map { $0["version"] as? Int } == [1])
        let latest = try #require(try cli.json("ls", "--latest") as? [[String: Any]])
        #expect(latest.map { $0["version"] as? Int } == [1, 2])

        let history = try #require(try cli.json("history", "seed") as? [[String: Any]])
        #expect(history.count == 2)
        history.forEach(checkSummary)
        #expect(history.map { $0["version"] as? Int } == [1, 2])

        let show = try #require(try cli.json("show", "seed@prod") as? [String: Any])
        #expect(Set(show.keys) == ["summary", "provenance", "metaGraphs", "tensors", "files", "lineage", "digest"])
        #expect((show["provenance"] as? [String: Any])?["digest"] as? String == digest)
        // The top-level `digest` is the content digest (tfregistry's cache key): not the manifest's.
        #expect((show["digest"] as? String)?.hasPrefix("sha256:") == true && (show["digest"] as? String)?.count == 71)
        #expect(show["digest"] as? String != digest)
        let summary = try #require(show["summary"] as? [String: Any])
        checkSummary(summary)
        #expect(summary["version"] as? Int == 1)
        let graphs = try #require(show["metaGraphs"] as? [[String: Any]])
        #expect(graphs.map { $0["tags"] as? [String] } == [["train"], ["serve"]])
        for graph in graphs { #expect(Set(graph.keys) == ["tags", "signatures", "collections"]) }
        let signatures = try #require(graphs[1]["signatures"] as? [[String: Any]])
        #expect(signatures.count == 1)
        let signature = try #require(signatures.first)
        #expect(Set(signature.keys) == ["key", "method", "inputs", "outputs"])
        #expect(signature["key"] as? String == "serving_default")
        #expect(signature["method"] as? String == "tensorflow/serving/predict")
        let inputs = try #require(signature["inputs"] as? [[String: Any]])
        #expect(inputs.count == 1)
        #expect(inputs.first.map { Set($0.keys) } == ["key", "name", "dtype", "shape"])
        #expect(inputs.first?["key"] as? String == "x")
        #expect(inputs.first?["name"] as? String == "input_layer:0")
        #expect(inputs.first?["dtype"] as? String == "float32")
        #expect(inputs.first?["shape"] as? [Int] == [-1, 28])
        let outputs = try #require(signature["outputs"] as? [[String: Any]])
        #expect(outputs.map { $0["key"] as? String } == ["classes", "logits"])
        #expect(outputs.map { $0["dtype"] as? String } == ["int64", "float32"])
        #expect(outputs.last?["shape"] as? [Int] == [-1, 5])
        let collections = try #require(graphs[1]["collections"] as? [[String: Any]])
        #expect(collections.contains { $0["key"] as? String == "saved_model_assets" })
        let tensors = try #require(show["tensors"] as? [[String: Any]])
        #expect(tensors.count == 21)
        for tensor in tensors { #expect(Set(tensor.keys) == ["name", "dtype", "shape", "bytes", "shard"]) }
        let kernel = tensors.first { $0["name"] as? String == "hideen_layer_2/kernel" }
        #expect(kernel?["dtype"] as? String == "float32")
        #expect(kernel?["shape"] as? [Int] == [64, 64])
        #expect(kernel?["bytes"] as? Int == 16384)
        let files = try #require(show["files"] as? [[String: Any]])
        #expect(files.map { $0["path"] as? String ?? "" } == ["assets.extra/example_inputs.npz", "assets.extra/expected_outputs.npz", "assets/vocab.txt"])
        #expect(files.first { $0["path"] as? String == "assets/vocab.txt" }?["bytes"] as? Int == 40)
        #expect(show["lineage"] as? [String] == ["seed:1"])
        let show2 = try #require(try cli.json("show", "seed") as? [String: Any])
        #expect(show2["lineage"] as? [String] == ["seed:2", "seed:1"])
        // The digest names the pulled bytes: the same folder pushed twice has one digest
        // (labels, aliases and lineage aside), another model another.
        let contentDigest = try #require(show["digest"] as? String)
        #expect(contentDigest.hasPrefix("sha256:") && contentDigest.count == 71, "\(contentDigest)")
        #expect(show2["digest"] as? String == contentDigest)
        #expect((try cli.json("show", "keras") as? [String: Any])?["digest"] as? String != contentDigest)

        let diff = try #require(try cli.json("diff", "seed:1", "seed:2") as? [String: Any])
        #expect(Set(diff.keys) == ["from", "to", "added", "removed", "changed", "unchanged", "tagSets", "signatures", "collections", "files"])
        #expect(diff["unchanged"] as? Int == 21)
        #expect((diff["changed"] as? [Any])?.isEmpty == true)

        let verify = try #require(try cli.json("verify") as? [String: Any])
        #expect(Set(verify.keys) == ["versions", "tensors", "files", "chunks", "bytes", "problems"])
        #expect(verify["versions"] as? Int == 3)
        #expect((verify["problems"] as? [Any])?.isEmpty == true)

        let gc = try #require(try cli.json("gc") as? [String: Any])
        #expect(Set(gc.keys) == ["dryRun", "contentsRemoved", "chunksRemoved", "bytesFreed", "bytesReturned", "bytesReusable",
                                 "fileBytesBefore", "fileBytesAfter", "incrementalVacuum"])
        #expect(gc["chunksRemoved"] as? Int == 0)

        let pull = try #require(try cli.json("pull", "seed:1", "-o", cli.tmp.path + "/p") as? [String: Any])
        #expect(Set(pull.keys) == ["model", "version", "path", "bytes", "tensorBytes", "tagSets"])
        #expect((pull["bytes"] as? Int ?? 0) > 0)
    }
}
