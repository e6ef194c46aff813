-- Training runs keep tf.train.Saver's retention state: max_to_keep, keep_checkpoint_every_n_hours
-- and the time after which the next checkpoint pushed out of the window is kept for good.
ALTER TABLE versions ADD COLUMN preserved INTEGER NOT NULL DEFAULT 0;

CREATE TABLE runs (
    model_id          INTEGER PRIMARY KEY REFERENCES models(id) ON DELETE CASCADE,
    max_to_keep       INTEGER NOT NULL,
    keep_every_hours  REAL NOT NULL,
    next_keep_time    REAL NOT NULL
);
