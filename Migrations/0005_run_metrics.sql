-- The per-epoch curve of a training run (loss and accuracy at every epoch), kept beside its
-- checkpoints so that `history --plot` can draw the whole run, not only the retained saves.
CREATE TABLE run_metrics (
    model_id   INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
    step       INTEGER NOT NULL,
    epoch      INTEGER NOT NULL,
    loss       REAL NOT NULL,
    accuracy   REAL NOT NULL,
    PRIMARY KEY (model_id, step)
) WITHOUT ROWID;
