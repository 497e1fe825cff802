ALTER TABLE predictions_landing ADD COLUMN IF NOT EXISTS embeddings Map(String, Array(Float32)),
    ADD COLUMN IF NOT EXISTS texts Map(String, String)
-- A prediction row carries its vectors and texts to predictions_landing (0030), and the views of
-- 0086 and 0087 move them into prediction_embeddings and prediction_texts: they are then part of
-- the one insert of the row, under its insert_deduplication_token (deduplicate_blocks_in_dependent_
-- materialized_views), so a retried or replayed batch stores them once, and a batch refused for
-- its data is halved (ingest/src/writer/isolate.ts) with them. predictions_landing_view (0031)
-- selects *, and a TO view drops the columns its target lacks: predictions does not get them.
-- Writers insert these two columns only when a row has vectors or texts (trailing, optional).
