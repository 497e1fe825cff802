-- Moves each text of a row inserted into predictions_landing (0085) into prediction_texts (0082).
CREATE MATERIALIZED VIEW IF NOT EXISTS prediction_texts_view TO prediction_texts
AS SELECT event_id, timestamp, model, version, name, text
FROM predictions_landing
ARRAY JOIN mapKeys(texts) AS name, mapValues(texts) AS text
