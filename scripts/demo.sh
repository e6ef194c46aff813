#!/usr/bin/env bash
# The main job, end to end: "can a neural network fit random data?" trained in Swift through
# the registry (100 epochs, saved with the train tag, resumed, 100 more), its history drawn,
# its export handed to TensorFlow; then the registry verbs on a TensorFlow-written model.
set -euo pipefail
REGISTRY=${1:?usage: demo.sh REGISTRY_BINARY SHARED_DIR [TF_PYTHON]}
SHARED=${2:?usage: demo.sh REGISTRY_BINARY SHARED_DIR [TF_PYTHON]}
TF_PYTHON=${3:-}
FIXTURES="$SHARED/fixtures/tf2.21"
OUT=${DEMO_OUT:-demo-out}
rm -rf "$OUT" && mkdir -p "$OUT"
export REGISTRY_PATH="$OUT/registry.db"
run() { echo "\$ registry $*"; "$REGISTRY" "$@"; echo; }

echo "== 1. The founding example, trained in Swift, checkpointed into the registry"
run train seed-run --epochs 101 --save-every 1000 --print-every 50
echo "== 2. Loaded back from the registry and trained on"
run train seed-run --resume --epochs 100 --print-every 50
run history seed-run --plot "$OUT/seed-run.svg"
echo "(loss and accuracy curve: $OUT/seed-run.svg)"
run show seed-run
run pull seed-run -o "$OUT/seed-run-savedmodel"
run pull seed-run --checkpoint -o "$OUT/seed-run-checkpoints"
if [ -n "$TF_PYTHON" ] && [ -x "$TF_PYTHON" ]; then
  echo "== 3. TensorFlow 2.21 loads the Swift-trained export and serves it"
  "$TF_PYTHON" "$SHARED/tools/tfcheck.py" check "$OUT/seed-run-savedmodel" && echo "tfcheck check: loads with both loaders"
  "$TF_PYTHON" - "$OUT/seed-run-savedmodel" <<'PY'
import sys, numpy as np, tensorflow as tf
m = tf.saved_model.load(sys.argv[1], tags=["serve"])
x = np.random.RandomState(1234).random_sample((4, 28)).astype(np.float32)
out = m.signatures["serving_default"](x=tf.constant(x))
print("TensorFlow serving_default: classes", out["classes"].numpy().tolist())
PY
  echo "TensorFlow trains on it with the notebook's loading cell ({train}: feed_dict, fetches):"
  "$TF_PYTHON" - "$OUT/seed-run-savedmodel" <<'PY'
import os, sys
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np, tensorflow as tf
tf.compat.v1.logging.set_verbosity(tf.compat.v1.logging.ERROR)  # the v1 loader's deprecation notice
rng = np.random.RandomState(1234)
inputs = rng.random_sample((1600, 28)).astype(np.float32)
targets = rng.randint(0, 5, size=1600).astype(np.int32)
with tf.compat.v1.Session(graph=tf.Graph()) as sess:
    tf.compat.v1.saved_model.loader.load(sess, [tf.compat.v1.saved_model.tag_constants.TRAINING], sys.argv[1])
    input_layer, labels = tf.compat.v1.get_collection('feed_dict')
    start = int(sess.run('global_step:0')) // 50
    for epoch in range(start, start + 3):
        num_correct = 0
        for b in range(50):
            rows = slice(32 * b, 32 * (b + 1))
            num_correct += sess.run(tf.compat.v1.get_collection('fetches'), feed_dict={input_layer: inputs[rows], labels: targets[rows]})[0]
        print('Epoch {}: accuracy={:.3f}%'.format(epoch, 100.0 * num_correct / 1600))
PY
  echo "(registry train seed-run --resume --epochs 3 --print-every 1 continues it the same way in Swift)"
  echo
fi
echo "== 4. The registry verbs on a model TensorFlow wrote"
run push "$FIXTURES/seed_mlp_train_and_serve" seed --label data=random --alias prod
run push "$FIXTURES/seed_mlp_train_and_serve" seed
run ls --tag serve
run pull seed@prod -o "$OUT/seed"
run verify
echo "\$ diff -r $FIXTURES/seed_mlp_train_and_serve $OUT/seed"
diff -r "$FIXTURES/seed_mlp_train_and_serve" "$OUT/seed" && echo "byte-identical"
echo
echo "== 5. Browse this registry in a web browser: models, versions, the training curve, diffs, search"
echo "(read-only, on 127.0.0.1 only; Ctrl-C stops it; --port 0 picks a free port)"
echo "$REGISTRY ui --registry $REGISTRY_PATH --port 8080    # then open http://127.0.0.1:8080/"
