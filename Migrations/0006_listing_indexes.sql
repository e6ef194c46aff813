-- Listings (`ls`, `history`, `show`) read every listed version in a constant number of
-- statements, one per table, by ranges of version ids. These indexes hold all the columns such
-- a statement reads, so it never visits the table rows; they replace 0002's narrower ones.
CREATE INDEX meta_graphs_listing ON meta_graphs(version_id, position, tag_set);
CREATE INDEX labels_listing ON labels(version_id, key, value);
CREATE INDEX aliases_listing ON aliases(version_id, alias);
DROP INDEX meta_graphs_by_version;
DROP INDEX aliases_by_version;

-- A version's tensor count and byte total, which listings show, are kept on its row by
-- triggers, whatever inserts or deletes the tensors: summing them at each listing read every
-- tensor row (210,000 for 10,000 versions of 21 tensors).
ALTER TABLE versions ADD COLUMN tensor_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE versions ADD COLUMN tensor_bytes INTEGER NOT NULL DEFAULT 0;
UPDATE versions SET
    tensor_count = (SELECT COUNT(*) FROM tensors WHERE tensors.version_id = versions.id),
    tensor_bytes = (SELECT COALESCE(SUM(size), 0) FROM tensors WHERE tensors.version_id = versions.id);

CREATE TRIGGER tensors_counted_on_insert AFTER INSERT ON tensors BEGIN
    UPDATE versions SET tensor_count = tensor_count + 1, tensor_bytes = tensor_bytes + NEW.size WHERE id = NEW.version_id;
END;
CREATE TRIGGER tensors_counted_on_delete AFTER DELETE ON tensors BEGIN
    UPDATE versions SET tensor_count = tensor_count - 1, tensor_bytes = tensor_bytes - OLD.size WHERE id = OLD.version_id;
END;
CREATE TRIGGER tensors_counted_on_update AFTER UPDATE OF version_id, size ON tensors BEGIN
    UPDATE versions SET tensor_count = tensor_count - 1, tensor_bytes = tensor_bytes - OLD.size WHERE id = OLD.version_id;
    UPDATE versions SET tensor_count = tensor_count + 1, tensor_bytes = tensor_bytes + NEW.size WHERE id = NEW.version_id;
END;
