-- A reference row's ground truth, when the reference is labelled data (a validation set): the
-- label-free estimators (CBPE, DLE) learn from it how the model's outputs relate to its real
-- performance. Numbers and class names apart, as in labels (0002). The landing table gets the same
-- columns (0056); its view (0033) selects *, so it carries them on.
ALTER TABLE reference_rows ADD COLUMN IF NOT EXISTS label_num Nullable(Float64),
    ADD COLUMN IF NOT EXISTS label_str LowCardinality(Nullable(String))
