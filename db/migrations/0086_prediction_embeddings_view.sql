-- Moves each vector of a row inserted into predictions_landing (0085) into prediction_embeddings
-- (0080), one row per name; a row without vectors yields none.
CREATE MATERIALIZED VIEW IF NOT EXISTS prediction_embeddings_view TO prediction_embeddings
AS SELECT event_id, timestamp, model, version, name, vector
FROM predictions_landing
ARRAY JOIN mapKeys(embeddings) AS name, mapValues(embeddings) AS vector
