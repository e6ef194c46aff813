-- Provenance: who recorded a version (user and host), with which tool, from which git commit
-- (and whether its tree was dirty) of the repository its source folder is in, and the parent it
-- was made from, as its digest and its `NAME:N` at that time (a deleted parent's children are
-- re-linked by `parent_id`; these columns keep what was true when the version was made).
-- `origin_model`/`origin_number` name a pulled version as it was named where it was made; they
-- stay NULL for a version made here. `origin_remote` is where it was pulled from
-- (`oci://HOST/REPO:TAG@sha256:…`). Versions recorded before this migration have NULLs.
ALTER TABLE versions ADD COLUMN author_user TEXT;
ALTER TABLE versions ADD COLUMN author_host TEXT;
ALTER TABLE versions ADD COLUMN tool_version TEXT;
ALTER TABLE versions ADD COLUMN git_commit TEXT;
ALTER TABLE versions ADD COLUMN git_dirty INTEGER;
ALTER TABLE versions ADD COLUMN parent_digest TEXT;
ALTER TABLE versions ADD COLUMN parent_name TEXT;
ALTER TABLE versions ADD COLUMN origin_model TEXT;
ALTER TABLE versions ADD COLUMN origin_number INTEGER;
ALTER TABLE versions ADD COLUMN origin_remote TEXT;
