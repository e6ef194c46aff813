import Foundation
import Registry
import Testing
import TestSupport

/// The whole text and exit status of `ls`, `show`, `history` and `diff` (`expectExecute`, in
/// the style of swift-argument-parser's `AssertExecuteCommand`): the table code writes bytes by
/// hand for speed, and these pin what it writes, character for character. Every version is
/// created at `Golden.createdAt` (`REGISTRY_CREATED_AT`) and printed in UTC.
@Suite struct GoldenOutputTests {
    /// seedtf:1 ({train}), seed:1 and seed:2 ({train} {serve}, aliases and labels, a parent),
    /// saver:1…3 (a Saver folder's checkpoints).
    static func populated() throws -> CLI {
        let cli = try CLI()
        let fixtures = Fixtures.root
        for arguments in [["push", fixtures + "/seed_mlp_training", "seedtf"],
                          ["push", fixtures + "/seed_mlp_train_and_serve", "seed", "--label", "data=random", "--alias", "prod"],
                          ["push", fixtures + "/seed_mlp_train_and_serve", "seed", "--parent", "seed:1", "--label", "run=2"],
                          ["push", fixtures + "/saver_checkpoints/plain", "saver"]] {
            let result = try cli.run(arguments + ["--quiet"], environment: Golden.environment)
            try #require(result.status == 0, "\(arguments): \(result)")
        }
        return cli
    }

    @Test func ls() throws {
        let cli = try Self.populated()
        defer { cli.cleanup() }
        try expectExecute(cli, ["ls"], stdout: """
            VERSION   CREATED              KIND         TAG SETS         TENSORS  TENSOR SIZE  STEP  METRICS  ALIASES/LABELS
            saver:1   2026-01-02 03:04:05  checkpoint                    5        112 B        20
            saver:2   2026-01-02 03:04:05  checkpoint                    5        112 B        30
            saver:3   2026-01-02 03:04:05  checkpoint                    5        112 B        40
            seed:1    2026-01-02 03:04:05  saved_model  {train} {serve}  21       74.3 KiB                    prod data=random
            seed:2    2026-01-02 03:04:05  saved_model  {train} {serve}  21       74.3 KiB                    run=2
            seedtf:1  2026-01-02 03:04:05  saved_model  {train}          21       74.3 KiB
            """)
        try expectExecute(cli, ["ls", "--tag", "serve"], stdout: """
            VERSION  CREATED              KIND         TAG SETS         TENSORS  TENSOR SIZE  STEP  METRICS  ALIASES/LABELS
            seed:1   2026-01-02 03:04:05  saved_model  {train} {serve}  21       74.3 KiB                    prod data=random
            seed:2   2026-01-02 03:04:05  saved_model  {train} {serve}  21       74.3 KiB                    run=2
            """)
        try expectExecute(cli, ["ls", "--latest", "--quiet"], stdout: "saver:3\nseed:2\nseedtf:1")
        try expectExecute(cli, ["ls", "--label", "data=nothing"], stdout: "no versions")
    }

    @Test func show() throws {
        let cli = try Self.populated()
        defer { cli.cleanup() }
        // Version digests cover who made the version, where: the text must name the ones `--json` gives.
        let listed = try #require(try cli.json("ls") as? [[String: Any]])
        var digests: [String: String] = [:]
        for row in listed {
            let name = "\(row["model"] as? String ?? "?"):\(row["version"] as? Int ?? 0)"
            digests[try #require(row["digest"] as? String, "\(name) has no digest")] = "DIGEST(\(name))"
        }
        try expectExecute(cli, ["show", "seed@prod"], stdout: """
            seed:1  saved_model  created 2026-01-02 03:04:05
            digest: DIGEST(seed:1)
            made by: USER@HOST with registry \(RegistryVersion.current)
            source: FIXTURES/seed_mlp_train_and_serve
            aliases: prod
            labels: data=random
            lineage: seed:1
            content digest: sha256:f840bcf9b70208ad155a9d5410a598b7ce905a07dceec62a67ac9b2987f2b64c
            meta graph {train}
              collections: asset_filepaths (node_list, 1), feed_dict (node_list, 2), fetches (node_list, 2), global_step (bytes_list, 1), losses (node_list, 1), train_op (node_list, 1), trainable_variables (bytes_list, 6), variables (bytes_list, 21)
            meta graph {serve}
              signature serving_default (tensorflow/serving/predict)
                in   x: float32[?,28]  input_layer:0
                out  classes: int64[?]  classes:0
                out  logits: float32[?,5]  output_layer/BiasAdd:0
              collections: asset_filepaths (node_list, 1), feed_dict (node_list, 2), fetches (node_list, 2), global_step (bytes_list, 1), losses (node_list, 1), saved_model_assets (any_list, 1), train_op (node_list, 1), trainable_variables (bytes_list, 6), variables (bytes_list, 21)
            variables: 21 tensors, 74.3 KiB
              NAME                          DTYPE    SHAPE    SIZE
              beta1_power                   float32  []       4 B
              beta2_power                   float32  []       4 B
              global_step                   int64    []       8 B
              hidden_layer_1/bias           float32  [64]     256 B
              hidden_layer_1/bias/Adam      float32  [64]     256 B
              hidden_layer_1/bias/Adam_1    float32  [64]     256 B
              hidden_layer_1/kernel         float32  [28,64]  7.0 KiB
              hidden_layer_1/kernel/Adam    float32  [28,64]  7.0 KiB
              hidden_layer_1/kernel/Adam_1  float32  [28,64]  7.0 KiB
              hideen_layer_2/bias           float32  [64]     256 B
              hideen_layer_2/bias/Adam      float32  [64]     256 B
              hideen_layer_2/bias/Adam_1    float32  [64]     256 B
              hideen_layer_2/kernel         float32  [64,64]  16.0 KiB
              hideen_layer_2/kernel/Adam    float32  [64,64]  16.0 KiB
              hideen_layer_2/kernel/Adam_1  float32  [64,64]  16.0 KiB
              output_layer/bias             float32  [5]      20 B
              output_layer/bias/Adam        float32  [5]      20 B
              output_layer/bias/Adam_1      float32  [5]      20 B
              output_layer/kernel           float32  [64,5]   1.2 KiB
              output_layer/kernel/Adam      float32  [64,5]   1.2 KiB
              output_layer/kernel/Adam_1    float32  [64,5]   1.2 KiB
            files:
              assets.extra/example_inputs.npz  704 B
              assets.extra/expected_outputs.npz  624 B
              assets/vocab.txt  40 B
            """, replacing: digests)
        try expectExecute(cli, ["show", "saver:3"], stdout: """
            saver:3  checkpoint  created 2026-01-02 03:04:05
            digest: DIGEST(saver:3)
            made by: USER@HOST with registry \(RegistryVersion.current)
            source: FIXTURES/saver_checkpoints/plain/model.ckpt-40
            parent: saver:2 (DIGEST(saver:2))
            global step: 40
            lineage: saver:3 <- saver:2 <- saver:1
            content digest: sha256:5f9514a87984ec05b128e9d131e94c78bf3cda84b60ce3bba2c8122ce7ff8b34
            variables: 5 tensors, 112 B
              NAME         DTYPE    SHAPE  SIZE
              aux/counts   int64    [5]    40 B
              aux/scale    float32  []     4 B
              global_step  int64    []     8 B
              linear/b     float32  [3]    12 B
              linear/w     float32  [4,3]  48 B
            files:
              model.ckpt-40.meta  21.9 KiB
            """, replacing: digests)
        try expectExecute(cli, ["show", "seed@prod", "--quiet"], stdout: "seed:1")
        try expectExecute(cli, ["show", "seed@nope"], stdout: "",
                          stderr: "Error: model 'seed' has no alias 'nope'; `registry history seed` shows its aliases", status: 1)
    }

    @Test func history() throws {
        let cli = try Self.populated()
        defer { cli.cleanup() }
        try expectExecute(cli, ["history", "seed"], stdout: """
            N  CREATED              KIND         TAG SETS         TENSORS  TENSOR SIZE  STEP  METRICS  ALIASES/LABELS
            1  2026-01-02 03:04:05  saved_model  {train} {serve}  21       74.3 KiB                    prod data=random
            2  2026-01-02 03:04:05  saved_model  {train} {serve}  21       74.3 KiB                    run=2
            """)
        try expectExecute(cli, ["history", "saver"], stdout: """
            N  CREATED              KIND        TAG SETS  TENSORS  TENSOR SIZE  STEP  METRICS  ALIASES/LABELS
            1  2026-01-02 03:04:05  checkpoint            5        112 B        20
            2  2026-01-02 03:04:05  checkpoint            5        112 B        30
            3  2026-01-02 03:04:05  checkpoint            5        112 B        40
            """)
        // Metrics as `train` prints them: accuracy in percent (it printed 0.3569 here), others in 4 digits.
        let registry = try ModelRegistry(path: cli.database, create: false)
        let created = try #require(ISO8601DateFormatter().date(from: Golden.createdAt))
        for (step, accuracy, loss) in [(Int64(50), 0.35688, 1.6123456), (100, 0.4, 1.25)] {
            _ = try registry.saveCheckpoint(run: "curve", step: step, tensors: [NamedTensor(name: "w", floats: [1, 2], shape: [2])],
                                            metaGraphs: [], metrics: ["accuracy": accuracy, "loss": loss], now: created)
        }
        try expectExecute(cli, ["history", "curve"], stdout: """
            N  CREATED              KIND        TAG SETS  TENSORS  TENSOR SIZE  STEP  METRICS                      ALIASES/LABELS
            1  2026-01-02 03:04:05  checkpoint            1        8 B          50    accuracy=35.688% loss=1.612
            2  2026-01-02 03:04:05  checkpoint            1        8 B          100   accuracy=40.000% loss=1.25
            """)
        try expectExecute(cli, ["history", "nosuch"], stdout: "",
                          stderr: "Error: no model named 'nosuch'; `registry ls` lists the models", status: 1)
    }

    @Test func diff() throws {
        let cli = try Self.populated()
        defer { cli.cleanup() }
        // seed adds a {serve} meta graph, its signature, collections and assets to the same tensors.
        try expectExecute(cli, ["diff", "seedtf", "seed"], stdout: """
            seedtf:1 -> seed:2
            tag sets: 1 added, 0 removed, 1 changed, 0 unchanged
              + {serve}  1 signatures, 9 collections
              ~ {train}  0 signatures, 7 collections -> 0 signatures, 8 collections
            signatures: 1 added, 0 removed, 0 changed, 0 unchanged
              + {serve} serving_default  (tensorflow/serving/predict) in x: float32[?,28] (input_layer:0); out classes: int64[?] (classes:0), logits: float32[?,5] (output_layer/BiasAdd:0)
            collections: 10 added, 0 removed, 0 changed, 7 unchanged
              + {serve} asset_filepaths  node_list, 1
              + {serve} feed_dict  node_list, 2
              + {serve} fetches  node_list, 2
              + {serve} global_step  bytes_list, 1
              + {serve} losses  node_list, 1
              + {serve} saved_model_assets  any_list, 1
              + {serve} train_op  node_list, 1
              + {serve} trainable_variables  bytes_list, 6
              + {serve} variables  bytes_list, 21
              + {train} asset_filepaths  node_list, 1
            files: 3 added, 1 removed, 0 changed, 0 unchanged
              + assets.extra/example_inputs.npz  704 bytes
              + assets.extra/expected_outputs.npz  624 bytes
              + assets/vocab.txt  40 bytes
              - assets.extra/training_data.npz  187660 bytes
            tensors: 0 added, 0 removed, 0 changed, 21 unchanged
            """)
        // One version alone: against the version before it.
        try expectExecute(cli, ["diff", "saver:2"], stdout: """
            saver:1 -> saver:2
            tag sets: 0 added, 0 removed, 0 changed, 0 unchanged
            signatures: 0 added, 0 removed, 0 changed, 0 unchanged
            collections: 0 added, 0 removed, 0 changed, 0 unchanged
            files: 0 added, 0 removed, 0 changed, 1 unchanged
            tensors: 0 added, 0 removed, 5 changed, 0 unchanged
              ~ aux/counts  int64[5]
              ~ aux/scale  float32[]  max |Δ| = 0.201027
              ~ global_step  int64[]
              ~ linear/b  float32[3]  max |Δ| = 0.0923583
              ~ linear/w  float32[4,3]  max |Δ| = 0.271264
            """)
        try expectExecute(cli, ["diff", "seed"], stdout: """
            seed:1 -> seed:2
            tag sets: 0 added, 0 removed, 0 changed, 2 unchanged
            signatures: 0 added, 0 removed, 0 changed, 1 unchanged
            collections: 0 added, 0 removed, 0 changed, 17 unchanged
            files: 0 added, 0 removed, 0 changed, 3 unchanged
            tensors: 0 added, 0 removed, 0 changed, 21 unchanged
            """)
        try expectExecute(cli, ["diff", "seed:1", "seed:2", "--quiet"], stdout: "")
        try expectExecute(cli, ["diff", "seedtf", "seed", "--quiet"], stdout: "", status: 1)
        try expectExecute(cli, ["diff", "seedtf"], stdout: "", stderr: "Error: seedtf:1 is the first version of its model, so there is "
                          + "nothing before it; name two versions: registry diff A B", status: 1)
    }
}
