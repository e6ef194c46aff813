#!/usr/bin/env bash
# Regenerates Sources/Registry/Format/Generated/**/*.pb.swift from Sources/Registry/Format/Proto/**/*.proto
# (TensorFlow's at the top, TensorFlow Serving's under tensorflow_serving/config/, as their imports name them).
# Run from the repository root. Builds protoc-gen-swift (swift-protobuf 1.39.0, the version the
# package depends on) into /tmp/swift-protobuf if it is not there yet. Needs protoc on PATH.
set -euo pipefail

SWIFT_PROTOBUF_VERSION=1.39.0
SWIFT_PROTOBUF_DIR=${SWIFT_PROTOBUF_DIR:-/tmp/swift-protobuf}
PROTO_DIR=Sources/Registry/Format/Proto
OUT_DIR=Sources/Registry/Format/Generated

if [[ ! -f Package.swift || ! -d "$PROTO_DIR" ]]; then
  echo "run this from the repository root" >&2
  exit 1
fi

if [[ ! -d "$SWIFT_PROTOBUF_DIR/.git" ]]; then
  git clone https://github.com/apple/swift-protobuf "$SWIFT_PROTOBUF_DIR"
fi
if [[ "$(git -C "$SWIFT_PROTOBUF_DIR" describe --tags --exact-match 2>/dev/null || true)" != "$SWIFT_PROTOBUF_VERSION" ]]; then
  git -C "$SWIFT_PROTOBUF_DIR" fetch --tags
  git -C "$SWIFT_PROTOBUF_DIR" checkout "$SWIFT_PROTOBUF_VERSION"
fi

PGS="$(swift build -c release --show-bin-path --package-path "$SWIFT_PROTOBUF_DIR")/protoc-gen-swift"
if [[ ! -x "$PGS" ]]; then
  swift build -c release --product protoc-gen-swift --package-path "$SWIFT_PROTOBUF_DIR"
fi

mkdir -p "$OUT_DIR"
find "$OUT_DIR" -name '*.pb.swift' -delete

protos=()
while IFS= read -r proto; do protos+=("$proto"); done < <(cd "$PROTO_DIR" && find . -name '*.proto' | sed 's|^\./||' | sort)
if (( ${#protos[@]} == 0 )); then
  echo "no .proto files in $PROTO_DIR" >&2
  exit 1
fi

protoc \
  --plugin=protoc-gen-swift="$PGS" \
  --swift_out="$OUT_DIR" \
  --swift_opt=Visibility=Public \
  --proto_path="$PROTO_DIR" \
  "${protos[@]}"

echo "generated:"
find "$OUT_DIR" -name '*.pb.swift' | sort
