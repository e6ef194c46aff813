-- A tensor's row keeps its index entry (BundleEntryProto) as the bytes of the entry, as meta
-- graphs keep theirs: the importer, the exporter and a remote's config all go through that one
-- record. The columns beside it (name, dtype, shape, shard_id, offset, size, crc32c) are derived
-- from those bytes when the row is made, for queries. This migration's Swift step
-- (`TensorEntryMigration`) fills `entry` from the columns of earlier registries, then drops the
-- two it replaces, `slices` and `extra`.
ALTER TABLE tensors ADD COLUMN entry BLOB;
