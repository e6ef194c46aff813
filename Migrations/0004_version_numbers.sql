-- Version numbers are never reused: a model remembers the highest number it ever gave out,
-- so that deleting `m:2` and pushing again yields `m:3`, not a different `m:2`.
ALTER TABLE models ADD COLUMN last_number INTEGER NOT NULL DEFAULT 0;
UPDATE models SET last_number = (SELECT COALESCE(MAX(number), 0) FROM versions WHERE versions.model_id = models.id);
