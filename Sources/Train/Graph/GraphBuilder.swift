import Foundation
import Registry

/// Builds TF1-style MetaGraphDefs for a dense network (spec §7), without TensorFlow: a {train}
/// graph node for node as `tf.compat.v1` + `AdamOptimizer.minimize` build it (the founding
/// notebook's graph, with its `fetches`/`feed_dict` collections, so that TensorFlow trains on
/// what Swift saved), and a {serve} graph with a `serving_default` signature. Both restore from
/// the same variables bundle through their own non-sharded `Saver` (`save/...` nodes, SaverDef V2).
public enum GraphBuilder {
    /// `GraphDef.versions.producer` of TF 2.21 (spec §2.2).
    public static let producer: Int32 = 2474
    public static let tensorflowVersion = "2.21.0"

    /// {train} and {serve} MetaGraphDefs for a dense network whose variables live in one bundle
    /// (keys: "<layer>/kernel", "<layer>/bias", "<layer>/kernel/Adam", "<layer>/kernel/Adam_1", same for bias,
    /// "beta1_power", "beta2_power", "global_step" (int64 scalar); all float32 except global_step).
    /// The train op is Adam with `learningRate` and TF's default betas and epsilon.
    public static func metaGraphs(layers: [LayerSpec],
                                  learningRate: Float = TrainingState.defaultLearningRate) -> [Tensorflow_MetaGraphDef] {
        precondition(!layers.isEmpty, "a network needs at least one layer")
        return [trainGraph(layers: layers, optimizer: Adam(learningRate: learningRate)), serveGraph(layers: layers)]
    }

    /// Sorted bytewise: the bundle keys the graphs expect.
    public static func variableNames(layers: [LayerSpec]) -> [String] {
        variables(layers: layers).map(\.name)
    }

    /// Every bundle variable (name, dtype, shape), sorted bytewise by name.
    public static func variables(layers: [LayerSpec]) -> [GraphVariable] {
        GraphVariable.sorted(GraphVariable.all(layers: layers))
    }

    // MARK: Helpers of both graphs

    static func metaGraph(tag: String, nodes: GraphNodes, saver: Tensorflow_SaverDef) -> Tensorflow_MetaGraphDef {
        var meta = Tensorflow_MetaGraphDef()
        meta.metaInfoDef.tags = [tag]
        meta.metaInfoDef.tensorflowVersion = tensorflowVersion
        meta.graphDef.node = nodes.nodes
        meta.graphDef.versions.producer = producer
        meta.saverDef = saver
        return meta
    }
}
