-- Where writers insert reference rows: as predictions_landing (0030) for predictions, the
-- columns a row carries with map keys typed String, moved into reference_rows by 0033.
CREATE TABLE IF NOT EXISTS reference_rows_landing
(
    model            String,
    version          String,
    reference_id     String,
    timestamp        DateTime64(3, 'UTC'),
    num_features     Map(String, Float64),
    cat_features     Map(String, String),
    bool_features    Map(String, Bool),
    null_features    Array(String),
    prediction_num   Nullable(Float64),
    prediction_label Nullable(String),
    prediction_vec   Array(Float32),
    tags             Map(String, String)
)
ENGINE = Null
