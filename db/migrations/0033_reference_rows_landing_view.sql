-- Moves every block inserted into reference_rows_landing (0032) into reference_rows.
CREATE MATERIALIZED VIEW IF NOT EXISTS reference_rows_landing_view TO reference_rows
AS SELECT * FROM reference_rows_landing
