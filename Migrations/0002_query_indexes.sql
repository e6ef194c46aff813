-- Indexes for the queries users run: by tag, tag set, signature key, label, run and step,
-- and the reverse lookups gc needs.
CREATE INDEX versions_by_model ON versions(model_id, number);
CREATE INDEX versions_by_run ON versions(run, global_step);
CREATE INDEX meta_graphs_by_version ON meta_graphs(version_id);
CREATE INDEX meta_graphs_by_tag_set ON meta_graphs(tag_set);
CREATE INDEX meta_graph_tags_by_tag ON meta_graph_tags(tag, meta_graph_id);
CREATE INDEX signatures_by_key ON signatures(key, meta_graph_id);
CREATE INDEX signatures_by_meta_graph ON signatures(meta_graph_id);
CREATE INDEX signature_tensors_by_signature ON signature_tensors(signature_id);
CREATE INDEX collections_by_meta_graph ON collections(meta_graph_id);
CREATE INDEX labels_by_pair ON labels(key, value);
CREATE INDEX aliases_by_version ON aliases(version_id);
CREATE INDEX tensors_by_content ON tensors(content_id);
CREATE INDEX files_by_content ON files(content_id);
CREATE INDEX meta_graphs_by_content ON meta_graphs(content_id);
CREATE INDEX content_chunks_by_chunk ON content_chunks(chunk_id);
