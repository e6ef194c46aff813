-- gc costs what it frees. A content can become garbage only when a row that referred to it is
-- deleted (or changed), and a chunk only when a content that listed it is deleted, or a chunk
-- that used it as its delta base. Triggers note each such content and chunk as it happens,
-- whoever deletes the row (rm, rm --all, retention, prune), and gc looks at those alone
-- instead of scanning every table: a note is a candidate, which gc checks again in the
-- transaction that deletes it. What is garbage when this migration runs is noted once here.
--
-- Incremental vacuum: a registry created from now on has auto_vacuum = INCREMENTAL from its
-- first page (`DatabaseOpener.tune` sets it before the first table), so gc hands the pages it
-- frees back to the file system a few MiB at a time. An existing registry can switch only by
-- rewriting its whole file (VACUUM), which a migration must not do unasked to a file that may
-- hold hundreds of GiB, needs as much free disk again, and would run on whatever command
-- happened to open the registry first. Such a registry keeps auto_vacuum = NONE: gc leaves the
-- pages it frees on SQLite's freelist, where later pushes reuse them, and the first
-- `registry compact` (a rewrite that checks free space first) converts it.

CREATE TABLE gc_contents (id INTEGER PRIMARY KEY);
CREATE TABLE gc_chunks (id INTEGER PRIMARY KEY);

CREATE TRIGGER tensors_release_on_delete AFTER DELETE ON tensors WHEN OLD.content_id IS NOT NULL BEGIN
    INSERT OR IGNORE INTO gc_contents (id) VALUES (OLD.content_id);
END;
CREATE TRIGGER tensors_release_on_update AFTER UPDATE OF content_id ON tensors
WHEN OLD.content_id IS NOT NULL AND OLD.content_id IS NOT NEW.content_id BEGIN
    INSERT OR IGNORE INTO gc_contents (id) VALUES (OLD.content_id);
END;
CREATE TRIGGER files_release_on_delete AFTER DELETE ON files WHEN OLD.content_id IS NOT NULL BEGIN
    INSERT OR IGNORE INTO gc_contents (id) VALUES (OLD.content_id);
END;
CREATE TRIGGER files_release_on_update AFTER UPDATE OF content_id ON files
WHEN OLD.content_id IS NOT NULL AND OLD.content_id IS NOT NEW.content_id BEGIN
    INSERT OR IGNORE INTO gc_contents (id) VALUES (OLD.content_id);
END;
CREATE TRIGGER meta_graphs_release_on_delete AFTER DELETE ON meta_graphs BEGIN
    INSERT OR IGNORE INTO gc_contents (id) VALUES (OLD.content_id);
END;
CREATE TRIGGER meta_graphs_release_on_update AFTER UPDATE OF content_id ON meta_graphs
WHEN OLD.content_id IS NOT NEW.content_id BEGIN
    INSERT OR IGNORE INTO gc_contents (id) VALUES (OLD.content_id);
END;
CREATE TRIGGER versions_release_on_delete AFTER DELETE ON versions WHEN OLD.graph_text_id IS NOT NULL BEGIN
    INSERT OR IGNORE INTO gc_contents (id) VALUES (OLD.graph_text_id);
END;
CREATE TRIGGER versions_release_on_update AFTER UPDATE OF graph_text_id ON versions
WHEN OLD.graph_text_id IS NOT NULL AND OLD.graph_text_id IS NOT NEW.graph_text_id BEGIN
    INSERT OR IGNORE INTO gc_contents (id) VALUES (OLD.graph_text_id);
END;
CREATE TRIGGER versions_release_extra_on_delete AFTER DELETE ON versions WHEN OLD.graph_extra_id IS NOT NULL BEGIN
    INSERT OR IGNORE INTO gc_contents (id) VALUES (OLD.graph_extra_id);
END;
CREATE TRIGGER versions_release_extra_on_update AFTER UPDATE OF graph_extra_id ON versions
WHEN OLD.graph_extra_id IS NOT NULL AND OLD.graph_extra_id IS NOT NEW.graph_extra_id BEGIN
    INSERT OR IGNORE INTO gc_contents (id) VALUES (OLD.graph_extra_id);
END;
CREATE TRIGGER content_chunks_release_on_delete AFTER DELETE ON content_chunks BEGIN
    INSERT OR IGNORE INTO gc_chunks (id) VALUES (OLD.chunk_id);
END;
CREATE TRIGGER content_chunks_release_on_update AFTER UPDATE OF chunk_id ON content_chunks
WHEN OLD.chunk_id IS NOT NEW.chunk_id BEGIN
    INSERT OR IGNORE INTO gc_chunks (id) VALUES (OLD.chunk_id);
END;
CREATE TRIGGER chunks_release_base_on_delete AFTER DELETE ON chunks WHEN OLD.base_id IS NOT NULL BEGIN
    INSERT OR IGNORE INTO gc_chunks (id) VALUES (OLD.base_id);
END;
CREATE TRIGGER chunks_release_base_on_update AFTER UPDATE OF base_id ON chunks
WHEN OLD.base_id IS NOT NULL AND OLD.base_id IS NOT NEW.base_id BEGIN
    INSERT OR IGNORE INTO gc_chunks (id) VALUES (OLD.base_id);
END;

-- gc's check that nothing refers to a content any more reads an index for each kind of
-- reference; the graph text of a version was the one without (its unknown fields, 0011, too).
CREATE INDEX versions_by_graph_text ON versions(graph_text_id) WHERE graph_text_id IS NOT NULL;
CREATE INDEX versions_by_graph_extra ON versions(graph_extra_id) WHERE graph_extra_id IS NOT NULL;

-- The garbage already there: contents nothing refers to, and chunks no content lists (a remote
-- pull's that were never used; gc keeps those still another chunk's delta base). Chunks of the
-- noted contents, and bases of the noted chunks, are noted by the triggers above when gc
-- deletes what used them.
INSERT INTO gc_contents (id)
SELECT id FROM contents WHERE id NOT IN (
    SELECT content_id FROM tensors WHERE content_id IS NOT NULL
    UNION ALL SELECT content_id FROM files WHERE content_id IS NOT NULL
    UNION ALL SELECT content_id FROM meta_graphs
    UNION ALL SELECT graph_text_id FROM versions WHERE graph_text_id IS NOT NULL
    UNION ALL SELECT graph_extra_id FROM versions WHERE graph_extra_id IS NOT NULL);
INSERT INTO gc_chunks (id) SELECT id FROM chunks WHERE id NOT IN (SELECT chunk_id FROM content_chunks);
