#!/usr/bin/env bash
# The main job, end to end, with what exists so far: the founding example's network as
# TensorFlow trained it goes into a fresh registry, is listed, shown, pulled back out
# byte-identical, and a second push of it costs nothing.
set -euo pipefail
REGISTRY=${1:?usage: demo.sh REGISTRY_BINARY SHARED_DIR}
SHARED=${2:?usage: demo.sh REGISTRY_BINARY SHARED_DIR}
FIXTURES="$SHARED/fixtures/tf2.21"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export REGISTRY_PATH="$WORK/registry.db"
run() { echo "\$ registry $*"; "$REGISTRY" "$@"; echo; }

run push "$FIXTURES/seed_mlp_train_and_serve" seed --label data=random --alias prod
run push "$FIXTURES/seed_mlp_train_and_serve" seed
run push "$FIXTURES/keras_tf2" keras
run ls
run ls --tag serve --signature serving_default --latest
run show seed@prod
run pull seed@prod -o "$WORK/seed"
run pull seed -o "$WORK/seed-serve" --tags serve
run verify
echo "\$ diff -r $FIXTURES/seed_mlp_train_and_serve $WORK/seed"
diff -r "$FIXTURES/seed_mlp_train_and_serve" "$WORK/seed" && echo "byte-identical"
