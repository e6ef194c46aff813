#!/usr/bin/env bash
# The main job, end to end, with what exists so far: read the founding example that
# TensorFlow trained (28 features, 5 classes, Adam), check every tensor, and show the
# checkpoint history a tf.train.Saver left.
set -euo pipefail
REGISTRY=${1:?usage: demo.sh REGISTRY_BINARY SHARED_DIR}
SHARED=${2:?usage: demo.sh REGISTRY_BINARY SHARED_DIR}
FIXTURES="$SHARED/fixtures/tf2.21"

echo "== the founding example as TensorFlow saved it (tag 'train', Adam slots, global_step)"
"$REGISTRY" inspect "$FIXTURES/seed_mlp_training"
echo
echo "== the same network with a {serve} meta graph and an asset"
"$REGISTRY" inspect "$FIXTURES/seed_mlp_train_and_serve" | head -4
echo
echo "== a tf.train.Saver folder (max_to_keep=3, two shards per checkpoint)"
"$REGISTRY" inspect "$FIXTURES/saver_checkpoints/sharded" | grep -E '^(Checkpoints|  model)'
