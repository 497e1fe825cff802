"""Evidently's DataDriftPreset on the benchmark's rows (Parquet files exported by drift.bench.ts).

Prints one JSON line: seconds spent in Report.run (loading the files is not counted) and the
number of drifted columns Evidently found. Usage: evidently_drift.py reference.parquet current.parquet
"""

import json
import sys
import time

import pandas as pd
from evidently import DataDefinition, Dataset, Report
from evidently.presets import DataDriftPreset

reference = pd.read_parquet(sys.argv[1])
current = pd.read_parquet(sys.argv[2])
numeric = [c for c in reference.columns if c.startswith("num_") or c == "prediction"]
categorical = [c for c in reference.columns if c.startswith("cat_")]
definition = DataDefinition(numerical_columns=numeric, categorical_columns=categorical)

started = time.perf_counter()
snapshot = Report([DataDriftPreset()]).run(
    current_data=Dataset.from_pandas(current, data_definition=definition),
    reference_data=Dataset.from_pandas(reference, data_definition=definition),
)
seconds = time.perf_counter() - started

drifted = None
for metric in snapshot.dict().get("metrics", []):
    value = metric.get("value")
    if str(metric.get("metric_name", "")).startswith("DriftedColumnsCount") and isinstance(value, dict):
        drifted = int(value["count"])
print(json.dumps({"seconds": seconds, "drifted_columns": drifted, "rows": [len(reference), len(current)]}))
