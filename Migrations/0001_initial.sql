-- The registry's first schema: models and their immutable versions, MetaGraphDefs keyed by
-- tag set with their signatures and collections, tensors mirroring BundleEntryProto, and
-- content-addressed, LZ4-compressed chunks shared by every version that holds the same bytes.

CREATE TABLE models (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    created_at  REAL NOT NULL
);

CREATE TABLE versions (
    id              INTEGER PRIMARY KEY,
    model_id        INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
    number          INTEGER NOT NULL,
    created_at      REAL NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('saved_model', 'checkpoint')),
    source          TEXT,
    parent_id       INTEGER REFERENCES versions(id) ON DELETE SET NULL,
    run             TEXT,
    global_step     INTEGER,
    metrics_json    TEXT,
    -- saved_model.pb envelope: 'binary' or 'text'; schema version; extra top-level fields
    graph_encoding  TEXT NOT NULL DEFAULT 'binary',
    schema_version  INTEGER NOT NULL DEFAULT 1,
    graph_extra     BLOB,
    graph_text_id   INTEGER REFERENCES contents(id),
    -- the tensor bundle: its prefix inside the folder and its header (BundleHeaderProto bytes)
    bundle_prefix   TEXT,
    bundle_header   BLOB,
    UNIQUE (model_id, number)
);

CREATE TABLE labels (
    version_id  INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
    key         TEXT NOT NULL,
    value       TEXT NOT NULL,
    PRIMARY KEY (version_id, key)
);

CREATE TABLE aliases (
    model_id    INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
    alias       TEXT NOT NULL,
    version_id  INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
    PRIMARY KEY (model_id, alias)
);

-- Content: a byte stream (a tensor's extent, a file, a MetaGraphDef) as an ordered list of
-- chunks. Identical streams share one row; identical chunks are stored once.
CREATE TABLE contents (
    id          INTEGER PRIMARY KEY,
    hash        BLOB NOT NULL UNIQUE,
    size        INTEGER NOT NULL,
    chunk_count INTEGER NOT NULL
);

CREATE TABLE chunks (
    id           INTEGER PRIMARY KEY,
    hash         BLOB NOT NULL UNIQUE,
    filter       INTEGER NOT NULL,      -- 0 raw, 1 lz4
    raw_size     INTEGER NOT NULL,
    stored_size  INTEGER NOT NULL,
    data         BLOB NOT NULL
);

CREATE TABLE content_chunks (
    content_id  INTEGER NOT NULL REFERENCES contents(id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    chunk_id    INTEGER NOT NULL REFERENCES chunks(id),
    PRIMARY KEY (content_id, seq)
) WITHOUT ROWID;

CREATE TABLE meta_graphs (
    id          INTEGER PRIMARY KEY,
    version_id  INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    tag_set     TEXT NOT NULL,          -- canonical: sorted, de-duplicated, comma-separated
    content_id  INTEGER NOT NULL REFERENCES contents(id),
    UNIQUE (version_id, position)
);

CREATE TABLE meta_graph_tags (
    meta_graph_id  INTEGER NOT NULL REFERENCES meta_graphs(id) ON DELETE CASCADE,
    tag            TEXT NOT NULL,
    PRIMARY KEY (meta_graph_id, tag)
) WITHOUT ROWID;

CREATE TABLE signatures (
    id             INTEGER PRIMARY KEY,
    meta_graph_id  INTEGER NOT NULL REFERENCES meta_graphs(id) ON DELETE CASCADE,
    key            TEXT NOT NULL,
    method         TEXT NOT NULL
);

CREATE TABLE signature_tensors (
    signature_id  INTEGER NOT NULL REFERENCES signatures(id) ON DELETE CASCADE,
    direction     TEXT NOT NULL CHECK (direction IN ('input', 'output')),
    key           TEXT NOT NULL,
    tensor_name   TEXT NOT NULL,
    dtype         TEXT NOT NULL,
    shape         TEXT                   -- JSON array, -1 for unknown dims; NULL for unknown rank
);

CREATE TABLE collections (
    meta_graph_id  INTEGER NOT NULL REFERENCES meta_graphs(id) ON DELETE CASCADE,
    key            TEXT NOT NULL,
    kind           TEXT NOT NULL,
    size           INTEGER NOT NULL
);

-- One row per BundleEntryProto of the version's bundle.
CREATE TABLE tensors (
    id           INTEGER PRIMARY KEY,
    version_id   INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
    key          BLOB NOT NULL,
    name         TEXT NOT NULL,          -- for display and queries (decoded slice keys)
    dtype        INTEGER NOT NULL,
    shape        TEXT NOT NULL,          -- JSON array
    shard_id     INTEGER NOT NULL,
    offset       INTEGER NOT NULL,
    size         INTEGER NOT NULL,
    crc32c       INTEGER NOT NULL,       -- masked, as stored in the index
    slices       BLOB,                   -- serialized TensorSliceProto list (partitioned tensors)
    extra        BLOB,                   -- unknown BundleEntryProto fields
    content_id   INTEGER REFERENCES contents(id),
    UNIQUE (version_id, key)
);

-- Every other file of the folder (assets, assets.extra, fingerprint.pb, .meta, state file),
-- and folders (content_id NULL), so that empty folders come back too.
CREATE TABLE files (
    version_id  INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
    path        TEXT NOT NULL,
    is_folder   INTEGER NOT NULL DEFAULT 0,
    size        INTEGER NOT NULL DEFAULT 0,
    content_id  INTEGER REFERENCES contents(id),
    PRIMARY KEY (version_id, path)
);
