-- What a `checkpoint` state file written by tf.train.CheckpointManager says beside the paths:
-- each checkpoint's time (all_model_checkpoint_timestamps, seconds since 1970) and the time
-- of the last checkpoint kept for good (last_preserved_timestamp). CheckpointManager decides
-- what to keep from them, so a pushed folder must come back with them; NULL when the state
-- file had none (tf.compat.v1.train.Saver writes none).
ALTER TABLE versions ADD COLUMN checkpoint_timestamp REAL;
ALTER TABLE versions ADD COLUMN last_preserved_timestamp REAL;
