-- A run's metrics as series, one per name, by global step: what `push --metric` records with
-- each checkpoint and `push --events` reads from TensorBoard event files (`loss`,
-- `train/epoch_loss`, `validation/epoch_accuracy`…), kept beside the checkpoints so that
-- `history --plot` draws the whole curve, not only the checkpoints retention kept.
CREATE TABLE metric_series (
    model_id   INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    step       INTEGER NOT NULL,
    value      REAL NOT NULL,
    PRIMARY KEY (model_id, name, step)
) WITHOUT ROWID;
