-- Moves every block inserted into predictions_landing (0030) into predictions, converting the
-- String map keys to predictions' LowCardinality ones; received_at and is_error are filled there.
CREATE MATERIALIZED VIEW IF NOT EXISTS predictions_landing_view TO predictions
AS SELECT * FROM predictions_landing
