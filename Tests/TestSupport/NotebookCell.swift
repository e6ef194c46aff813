/// The founding notebook's data, its training helper and its loading cell, as a Python script
/// for the venv's TensorFlow (the notebook's `tf.` calls as `tf.compat.v1.`): it opens a model
/// saved under the TRAINING tag in a fresh graph, takes `feed_dict` and `fetches` from its
/// collections, trains on and prints the notebook's line per epoch.
///
///     python -c SCRIPT savedmodel EXPORT_DIR EPOCHS [VALUES.npz] [SAVE_DIR]
///     python -c SCRIPT checkpoint SAVER_DIR EPOCHS [VALUES.npz] [SAVE_DIR]
///
/// `savedmodel` loads with `tf.compat.v1.saved_model.loader.load(sess, ['train'], EXPORT_DIR)`;
/// `checkpoint` with `import_meta_graph` of the folder's latest checkpoint and `saver.restore`.
/// After the epochs (the test's part, not the notebook's), every global variable goes to
/// `VALUES.npz` by name, and the model is saved into `SAVE_DIR` the way it was loaded: a
/// SavedModel by `Builder` under TRAINING, or a checkpoint by the restored Saver at its global step.
public enum NotebookCell {
    public static let script = #"""
    import os, sys
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import numpy as np
    import tensorflow as tf

    mode, source, epochs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    values_file = sys.argv[4] if len(sys.argv) > 4 else ""
    save_dir = sys.argv[5] if len(sys.argv) > 5 else ""

    # The notebook's data: can a neural network fit random data?
    num_features, num_classes, batch_size, num_batches = 28, 5, 32, 50
    rng = np.random.RandomState(1234)
    inputs = rng.random_sample((batch_size * num_batches, num_features)).astype(np.float32)
    targets = rng.randint(0, num_classes, size=batch_size * num_batches).astype(np.int32)

    # The notebook's helper: train on whatever graph the session holds, through its collections.
    def train(sess, epochs):
        input_layer, labels = tf.compat.v1.get_collection('feed_dict')
        for epoch in range(epochs):
            num_correct = 0
            for batch in range(num_batches):
                rows = slice(batch * batch_size, (batch + 1) * batch_size)
                correct, _ = sess.run(tf.compat.v1.get_collection('fetches'),
                                      feed_dict={input_layer: inputs[rows], labels: targets[rows]})
                num_correct += correct
            print('Epoch {}: accuracy={:.3f}%'.format(epoch, 100.0 * num_correct / len(targets)), flush=True)

    # The notebook's loading cell.
    with tf.compat.v1.Session(graph=tf.Graph()) as sess:
        if mode == 'savedmodel':
            tf.compat.v1.saved_model.loader.load(sess, [tf.compat.v1.saved_model.tag_constants.TRAINING], source)
        else:
            latest = tf.compat.v1.train.latest_checkpoint(source)
            saver = tf.compat.v1.train.import_meta_graph(latest + '.meta')
            saver.restore(sess, latest)
        train(sess, epochs)

        if values_file:
            variables = tf.compat.v1.global_variables()
            np.savez(values_file, **{v.op.name: value for v, value in zip(variables, sess.run(variables))})
        if save_dir and mode == 'savedmodel':
            builder = tf.compat.v1.saved_model.Builder(save_dir)
            builder.add_meta_graph_and_variables(sess, [tf.compat.v1.saved_model.tag_constants.TRAINING])
            builder.save()
        elif save_dir:
            step = tf.compat.v1.train.get_global_step()
            print(saver.save(sess, os.path.join(save_dir, 'model.ckpt'), global_step=step))
    """#

    /// The `Epoch N: accuracy=P%` lines of the script's output, as (N, P).
    public static func accuracies(_ output: String) -> [(epoch: Int, percent: Double)] {
        output.split(separator: "\n").compactMap { line -> (Int, Double)? in
            guard line.hasPrefix("Epoch "), line.hasSuffix("%"), let colon = line.firstIndex(of: ":"),
                  let equals = line.firstIndex(of: "=") else { return nil }
            let epoch = line[line.index(line.startIndex, offsetBy: 6)..<colon]
            let percent = line[line.index(after: equals)..<line.index(before: line.endIndex)]
            guard let n = Int(epoch), let p = Double(percent) else { return nil }
            return (n, p)
        }
    }
}
