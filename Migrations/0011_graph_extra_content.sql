-- Unknown top-level fields of a SavedModel message (none in TensorFlow's own files) are kept
-- as a content, like every other byte stream: chunked, deduplicated, counted and verified.
-- Kept raw in the version row, a 100 MB field grew the file by 100 MB at each identical push.
-- This migration's Swift step (`GraphExtraMigration`) stores each row's bytes as a content,
-- points `graph_extra_id` at it and drops the raw column.
ALTER TABLE versions ADD COLUMN graph_extra_id INTEGER REFERENCES contents(id);
