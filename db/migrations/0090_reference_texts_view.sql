-- Moves each text of a row inserted into reference_rows_landing (0088) into reference_texts.
CREATE MATERIALIZED VIEW IF NOT EXISTS reference_texts_view TO reference_texts
AS SELECT model, version, reference_id, timestamp, name, text
FROM reference_rows_landing
ARRAY JOIN mapKeys(texts) AS name, mapValues(texts) AS text
