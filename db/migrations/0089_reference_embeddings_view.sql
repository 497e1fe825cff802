-- Moves each vector of a row inserted into reference_rows_landing (0088) into reference_embeddings.
CREATE MATERIALIZED VIEW IF NOT EXISTS reference_embeddings_view TO reference_embeddings
AS SELECT model, version, reference_id, timestamp, name, vector
FROM reference_rows_landing
ARRAY JOIN mapKeys(embeddings) AS name, mapValues(embeddings) AS vector
