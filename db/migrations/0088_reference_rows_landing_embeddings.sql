ALTER TABLE reference_rows_landing ADD COLUMN IF NOT EXISTS embeddings Map(String, Array(Float32)),
    ADD COLUMN IF NOT EXISTS texts Map(String, String)
-- A reference row's vectors and texts, as 0085 for predictions: moved into reference_embeddings
-- and reference_texts by 0089 and 0090, in the row's insert and under its token.
