-- Every version's digest: the sha256 of the OCI manifest a push of it produces (computed from
-- its rows when it is recorded, `sha256:` + 64 hex digits; NULL for versions recorded before
-- this migration until it is computed). `pull` of a digest the registry holds records nothing.
ALTER TABLE versions ADD COLUMN digest TEXT;
CREATE INDEX versions_by_digest ON versions(digest) WHERE digest IS NOT NULL;

-- The packs versions travel in (RegistryRemote's `PackPlan`): a pack is the header listing
-- its chunks (address and size) followed by their bytes. `header_digest` (sha256 of the
-- header) names the pack's chunk list; `digest` and `size` are the blob's, so that a
-- version's digest is computed without reading bytes already hashed for another version, and
-- a resumed pull knows a pack's chunks without fetching its header again.
CREATE TABLE packs (
    header_digest  BLOB PRIMARY KEY,
    digest         BLOB NOT NULL,
    size           INTEGER NOT NULL,
    header         BLOB NOT NULL
) WITHOUT ROWID;

-- A running `pull oci://` protects the chunks it has committed (and those already here that it
-- relies on) from `gc` until its version is recorded or the process is gone: one lease per
-- pull, naming its process (pid and start time, so a reused pid does not keep it alive).
CREATE TABLE pull_leases (
    id          INTEGER PRIMARY KEY,
    pid         INTEGER NOT NULL,
    started     INTEGER NOT NULL,
    host        TEXT NOT NULL,
    created_at  REAL NOT NULL
);
CREATE TABLE leased_chunks (
    lease_id  INTEGER NOT NULL REFERENCES pull_leases(id) ON DELETE CASCADE,
    chunk_id  INTEGER NOT NULL,
    PRIMARY KEY (lease_id, chunk_id)
) WITHOUT ROWID;
CREATE INDEX leased_chunks_by_chunk ON leased_chunks(chunk_id);
