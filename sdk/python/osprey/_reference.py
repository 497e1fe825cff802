"""log_reference(): a reference dataset, uploaded in batches from the caller's thread.

Rows are checked and encoded as they are read (dicts, or the rows of a pandas DataFrame), cut into
batches of at most `batch_rows` rows and the client's body limit, and each batch is delivered —
gzipped, retried, split on 413 like log()'s batches — before the next is read. pandas is never
imported here: a DataFrame is recognised only if pandas is already loaded.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import _normalize, _serialize
from ._delivery import Delivery, Post
from ._ids import new_event_id
from ._report import Reporter
from ._sender import SenderConfig
from ._transport import Answer
from .errors import OspreyError

PATH = "/v1/reference"
DEFAULT_BATCH_ROWS = 5000


@dataclass(frozen=True)
class ReferenceUpload:
    """What log_reference() did: the id every row was sent with, how many rows the collector
    stored, and the rows refused — by the SDK's checks or the collector's — as (index, error),
    where index is the row's position in `rows` (0-based; for a DataFrame, not its index label)."""

    reference_id: str
    accepted: int
    rejected: list[tuple[int, str]] = field(default_factory=list)


def upload(
    config: SenderConfig,
    post: Post,
    reporter: Reporter,
    model: str,
    version: str,
    rows: Any,
    *,
    reference_id: str | None,
    prediction_column: Any,
    label_column: Any,
    batch_rows: int,
    embedding_columns: Sequence[Any] = (),
    text_columns: Sequence[Any] = (),
) -> ReferenceUpload:
    ref_id = new_event_id() if reference_id is None else reference_id
    try:
        model = _normalize.model_name(model)
        version = _normalize.version_name(version)
        ref_id = _normalize.reference_id(ref_id)
    except _normalize.InvalidEvent as exc:
        raise ValueError(f"log_reference: {exc}") from None
    if type(batch_rows) is not int or batch_rows < 1:
        raise ValueError("log_reference: batch_rows must be an int >= 1")
    columns = {"prediction": prediction_column, "label": label_column}
    source = _row_source(rows, columns, batch_rows, {"embeddings": list(embedding_columns), "text": list(text_columns)})

    delivery = _ReferenceDelivery(config, post, reporter, model, version, ref_id)
    rejected = delivery.rejected
    limit = config.max_body_bytes
    chunks: list[bytes] = []
    indices: list[int] = []  # each chunk's row index in the upload
    total = 2  # the JSON array's size so far, as _serialize.split_by_size counts it
    for index, raw in enumerate(source):
        try:
            chunk = _serialize.encode_event(_normalize.reference_row(raw, model, version, ref_id))
        except _normalize.InvalidEvent as exc:
            rejected.append((index, str(exc)))
            continue
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            rejected.append((index, f"row: cannot be encoded as JSON ({type(exc).__name__}: {exc})"))
            continue
        size = len(chunk)
        if 2 + size > limit:
            rejected.append((index, f"row: {size} bytes of JSON, more than the {limit}-byte request limit"))
            continue
        if chunks and (len(chunks) >= batch_rows or total + size + 1 > limit):
            delivery.send(chunks, indices)
            chunks, indices, total = [], [], 2
        chunks.append(chunk)
        indices.append(index)
        total += size + 1
    if chunks:
        delivery.send(chunks, indices)
    rejected.sort()
    return ReferenceUpload(ref_id, delivery.accepted_rows, rejected)


class _ReferenceDelivery(Delivery):
    """Batches of one upload: rejections are mapped back to upload indices, and a batch that
    cannot be delivered raises OspreyError, which ends the upload."""

    def __init__(self, config: SenderConfig, post: Post, reporter: Reporter, model: str, version: str, ref_id: str) -> None:
        super().__init__(post, config.api_key, config.request_timeout, config.max_retry_duration)
        self._url = config.url + PATH
        self._reporter = reporter
        self._what = f"log_reference({model}, {version}): reference_id {ref_id}"
        self._indices: Sequence[int] = ()
        self.accepted_rows = 0
        self.rejected: list[tuple[int, str]] = []

    def send(self, chunks: list[bytes], indices: list[int]) -> None:
        self._indices = indices
        self.deliver(self._url, chunks, time.monotonic())

    def accepted(self, offset: int, count: int, answer: Answer) -> None:
        seen: set[int] = set()
        for rejection in answer.rejected:
            i = rejection.get("index")
            if type(i) is int and 0 <= i < count and i not in seen:
                seen.add(i)
                self.rejected.append((self._indices[offset + i], str(rejection.get("error", "?"))))
        self.accepted_rows += count - len(seen)

    def failed(self, offset: int, count: int, problem: str, status: int | None) -> None:
        first, last = self._indices[offset], self._indices[offset + count - 1]
        which = f"row {first}" if count == 1 else f"rows {first}-{last}"
        stored = (
            f"the {self.accepted_rows} rows accepted before are stored under this reference_id; "
            "upload the whole dataset again to replace them"
            if self.accepted_rows
            else "no row of this upload was stored"
        )
        message = f"{self._what}: {which} could not be delivered: {problem}; {stored}"
        raise OspreyError("failed", self._reporter.redact(message), count=count, status=status)

    def describe(self, offset: int) -> str:
        return f"row {self._indices[offset]}"


def _row_source(rows: Any, columns: Mapping[str, Any], chunk_rows: int, maps: Mapping[str, list[Any]] | None = None) -> Iterator[Any]:
    """`columns`: the DataFrame column holding each row field ("prediction", "label"), or None;
    `maps`: the DataFrame columns holding each row map's entries ("embeddings", "text")."""
    pd = sys.modules.get("pandas")
    if pd is not None and isinstance(rows, pd.DataFrame):
        return _frame_rows(rows, columns, chunk_rows, maps)
    for field, column in columns.items():
        if column is not None:
            raise ValueError(f"log_reference: {field}_column applies to a pandas DataFrame only; dict rows carry their own {field!r}")
    for field, names in (maps or {}).items():
        if names:
            raise ValueError(f"log_reference: {field} columns apply to a pandas DataFrame only; dict rows carry their own {field!r}")
    if isinstance(rows, (str, bytes, Mapping)) or not isinstance(rows, Iterable):
        raise TypeError(
            "log_reference: rows must be an iterable of {'features': ..., 'prediction': ..., 'label': ..., 'tags': ...} "
            f"dicts or a pandas DataFrame, not {type(rows).__name__}"
        )
    return iter(rows)


def _frame_rows(
    frame: Any, columns: Mapping[str, Any], chunk_rows: int, maps: Mapping[str, list[Any]] | None = None
) -> Iterator[dict[str, Any]]:
    """Each DataFrame row as {"features": {column: value}, "prediction": value, "label": value},
    read a chunk at a time; the prediction and label columns are the named ones, the embedding and
    text columns (one array or one string a cell; a missing value leaves the name out) go to
    "embeddings" and "text" by column name, every other column is a feature. Missing values of any dtype (NaN, None, pd.NA, NaT) become None: a null feature,
    or no prediction / label; numpy scalars are converted by the normaliser, as for log()."""
    names = list(frame.columns)
    if len(set(names)) != len(names):
        raise ValueError("log_reference: the DataFrame's column names must be unique")
    fields: dict[str, int] = {}
    for field, column in columns.items():
        if column is None:
            continue
        if column not in names:
            raise ValueError(f"log_reference: {field}_column {column!r} is not a column of the DataFrame")
        if names.index(column) in fields.values():
            raise ValueError(f"log_reference: {field}_column {column!r} is already the {next(f for f, i in fields.items() if i == names.index(column))} column")
        fields[field] = names.index(column)
    taken = set(fields.values())
    entries: dict[str, list[tuple[int, Any]]] = {}
    for field, wanted in (maps or {}).items():
        for column in wanted:
            if column not in names:
                raise ValueError(f"log_reference: {field} column {column!r} is not a column of the DataFrame")
            if names.index(column) in taken:
                raise ValueError(f"log_reference: column {column!r} is named twice")
            taken.add(names.index(column))
            entries.setdefault(field, []).append((names.index(column), column))
    features = [(i, c) for i, c in enumerate(names) if i not in taken]
    for start in range(0, len(frame), chunk_rows):
        chunk = frame.iloc[start : start + chunk_rows]
        chunk = chunk.astype(object).where(chunk.notna(), None)
        for values in chunk.itertuples(index=False, name=None):
            row: dict[str, Any] = {"features": {c: values[i] for i, c in features}}
            for field, i in fields.items():
                row[field] = values[i]
            for field, cells in entries.items():
                row[field] = {str(c): values[i] for i, c in cells if values[i] is not None}
            yield row
