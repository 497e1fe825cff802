"""Wire encoding: one compact JSON document per event, a JSON array per request, gzipped."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Sequence
from typing import Any

# The collector refuses bodies over 5 MiB (before and after decompression) by default; stay
# under that so a 413 is the exception, not the rule.
MAX_BODY_BYTES = 4 * 1024 * 1024
# Level 1 is ~4x faster than the default 6 on event JSON, for a body ~15% larger.
GZIP_LEVEL = 1

_encoder = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))


# A surrogate pair (as a JavaScript string holds an astral character), or a lone surrogate.
_SURROGATES = re.compile("[\ud800-\udbff][\udc00-\udfff]|[\ud800-\udfff]")


def _pair_or_replacement(match: re.Match[str]) -> str:
    pair = match.group()
    if len(pair) == 2:
        return chr(0x10000 + ((ord(pair[0]) - 0xD800) << 10) + (ord(pair[1]) - 0xDC00))
    return "\ufffd"


def _well_formed(text: str) -> str:
    """A lone surrogate becomes U+FFFD, as the collector and the TypeScript SDK make it (the WHATWG
    rule): the event is kept, and stored the same whichever SDK sent it. A high and a low surrogate
    side by side are the character they pair to, as in a JavaScript string."""
    return _SURROGATES.sub(_pair_or_replacement, text)


class JsonText(str):
    """A value already written as JSON (a float32 vector, _embeddings.py), spliced in as it is."""


def _encode(event: dict[str, Any]) -> str:
    vectors = event.get("embeddings")
    if not vectors or not any(type(v) is JsonText for v in vectors.values()):
        return _encoder.encode(event)
    # The encoder has no raw values: the event without its vectors, then the vectors after it.
    rest = _encoder.encode({k: v for k, v in event.items() if k != "embeddings"})
    parts = ",".join(
        f"{_encoder.encode(name)}:{v if type(v) is JsonText else _encoder.encode(v)}" for name, v in vectors.items()
    )
    return f'{rest[:-1]},"embeddings":{{{parts}}}}}'


def encode_event(event: dict[str, Any]) -> bytes:
    """One event as UTF-8 JSON (lone surrogates as U+FFFD). Raises ValueError (NaN, or two names
    that become one, _refuse_merged_names) or TypeError."""
    text = _encode(event)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        _refuse_merged_names(event)
        return _well_formed(text).encode("utf-8")


def _refuse_merged_names(event: dict[str, Any]) -> None:
    """Two names of one map that are one name once repaired ("f\\ud800" and "f\\udc00") would
    lose a value: refused with the collector's reason (ingest/src/events/well-formed.ts)."""
    from ._normalize import InvalidEvent  # not at the top: _normalize imports _embeddings, which imports this module

    for field, value in event.items():
        if not isinstance(value, dict):
            continue
        seen: dict[str, str] = {}
        for name in value:
            repaired = _well_formed(name)
            if repaired in seen:
                raise InvalidEvent(
                    f"{field}: the names {_quoted(seen[repaired])} and {_quoted(name)} are both "
                    f"{_quoted(repaired)} once lone UTF-16 surrogates are replaced with U+FFFD, and "
                    "one value would be lost; rename one"
                )
            seen[repaired] = name


def _quoted(name: str) -> str:
    """A name as JSON, as JavaScript's JSON.stringify writes it: a lone surrogate as its escape."""
    return _SURROGATES.sub(
        lambda m: _pair_or_replacement(m) if len(m.group()) == 2 else f"\\u{ord(m.group()):04x}",
        _encoder.encode(name),
    )


def json_array(chunks: Sequence[bytes]) -> bytes:
    return b"[" + b",".join(chunks) + b"]"


def gzip_body(chunks: Sequence[bytes]) -> bytes:
    return gzip.compress(json_array(chunks), compresslevel=GZIP_LEVEL, mtime=0)


def split_by_size(sizes: Sequence[int], limit: int = MAX_BODY_BYTES) -> list[tuple[int, int]]:
    """Index ranges [start, end) whose JSON arrays stay under `limit` bytes (a single event larger
    than the limit gets a range of its own; the collector decides about it)."""
    ranges: list[tuple[int, int]] = []
    start, total = 0, 2
    for i, size in enumerate(sizes):
        if i > start and total + size + 1 > limit:
            ranges.append((start, i))
            start, total = i, 2
        total += size + 1
    if start < len(sizes):
        ranges.append((start, len(sizes)))
    return ranges
