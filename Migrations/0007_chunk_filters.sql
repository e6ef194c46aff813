-- Filters chosen per chunk: `filter` 2 = byte shuffle of `width`-byte elements then LZ4, and
-- XOR deltas: a chunk with a base stores (its bytes XOR the base chunk's bytes), filtered;
-- `depth` counts the bases below it, so chains stay short (a full chunk every few versions).
ALTER TABLE chunks ADD COLUMN width INTEGER NOT NULL DEFAULT 1;
ALTER TABLE chunks ADD COLUMN base_id INTEGER REFERENCES chunks(id);
ALTER TABLE chunks ADD COLUMN depth INTEGER NOT NULL DEFAULT 0;
CREATE INDEX chunks_by_base ON chunks(base_id) WHERE base_id IS NOT NULL;
