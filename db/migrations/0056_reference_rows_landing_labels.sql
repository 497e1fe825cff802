-- reference_rows_landing (0032) takes the labels of 0055 too.
ALTER TABLE reference_rows_landing ADD COLUMN IF NOT EXISTS label_num Nullable(Float64),
    ADD COLUMN IF NOT EXISTS label_str Nullable(String)
