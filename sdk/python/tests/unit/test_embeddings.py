"""Vector features and text fields: accepted as numpy arrays and lists, checked like features."""

from __future__ import annotations

import pytest

from helpers import API_KEY
from osprey import Osprey

np = pytest.importorskip("numpy", reason="numpy is not installed; install the [test] extra to run the numpy tests")


def test_vectors_and_texts_are_sent_as_float_lists_and_strings(collector, make_client):
    client = make_client(flush_interval=60)
    reused = np.array([0.5, -0.25, 3.0], dtype=np.float32)
    client.log(
        "search", "v1", {"lang": "en"}, 0.9,
        embeddings={"query": reused, "doc": [1, 2.5], "t": (np.float32(0.5),)},
        text={"prompt": "where is the station", "long": "y" * 9_999 + "😀"},
    )
    reused[:] = 9.0  # the caller's next request reuses the buffer
    client.log("search", "v1", {}, 0.1, embeddings=None, text=None)
    assert client.flush(timeout=5)
    first, second = collector.received()
    assert first["embeddings"] == {"query": [0.5, -0.25, 3.0], "doc": [1.0, 2.5], "t": [0.5]}
    # 10,000 UTF-16 units as the collector counts them: the emoji (two units) would pass the limit.
    assert first["text"] == {"prompt": "where is the station", "long": "y" * 9_999}
    assert "embeddings" not in second and "text" not in second
    assert client.stats()["invalid"] == 0


@pytest.mark.parametrize(
    "embeddings, message",
    [
        ({"q": np.array([0.0, np.nan])}, "embeddings.q.1: must be a finite number within float32 range"),
        ({"q": np.array([np.inf], dtype=np.float32)}, "embeddings.q.0: must be a finite number within float32 range"),
        ({"q": [1.0, 1e39]}, "embeddings.q.1: must be a finite number within float32 range"),
        ({"q": [1.0, float("nan")]}, "embeddings.q.1: must be a finite number within float32 range"),
        ({"q": [1, "2"]}, "embeddings.q.1: must be a finite number within float32 range"),
        ({"q": [True]}, "embeddings.q.0: must be a finite number within float32 range"),
        ({"q": []}, "embeddings.q: must be an array of 1-4096 numbers"),
        ({"q": np.zeros(4097, dtype=np.float32)}, "embeddings.q: must be an array of 1-4096 numbers"),
        ({"q": np.zeros((2, 2))}, "embeddings.q: must be an array of 1-4096 numbers"),
        ({"q": np.array(["a"])}, "embeddings.q: must be an array of 1-4096 numbers, not <U1"),
        ({"q": 0.5}, "embeddings.q: must be an array of 1-4096 numbers"),
        ({"": [1.0]}, "embeddings: names must be strings of 1-256 characters"),
        ({f"e{i}": [1.0] for i in range(17)}, "embeddings: must have at most 16 entries"),
        ([[1.0]], "embeddings: must be a mapping of embedding name to array of numbers, not list"),
    ],
)
def test_bad_vectors_are_counted_invalid_with_the_field_named(collector, make_client, problems, embeddings, message):
    client = make_client(flush_interval=60)
    client.log("search", "v1", {}, 0.5, embeddings=embeddings)
    assert client.flush(timeout=5)
    assert client.stats()["invalid"] == 1 and collector.received() == []
    invalid = [p.message for p in problems if p.kind == "invalid"]
    assert len(invalid) == 1 and invalid[0].endswith(f" not sent: {message}"), invalid


@pytest.mark.parametrize(
    "text, message",
    [
        ({"t": 5}, "text.t: must be a string, not int"),
        ("hello", "text: must be a mapping of text name to string, not str"),
        ({f"t{i}": "x" for i in range(17)}, "text: must have at most 16 entries"),
    ],
)
def test_bad_texts_are_counted_invalid(collector, make_client, problems, text, message):
    client = make_client(flush_interval=60)
    client.log("search", "v1", {}, 0.5, text=text)
    assert client.flush(timeout=5)
    invalid = [p.message for p in problems if p.kind == "invalid"]
    assert len(invalid) == 1 and invalid[0].endswith(f" not sent: {message}"), invalid


def test_reference_rows_carry_vectors_and_texts(collector):
    with Osprey(collector.url, API_KEY) as client:
        upload = client.log_reference(
            "search", "v1",
            [
                {"features": {"x": 1}, "embeddings": {"q": np.array([1.0, 2.0], dtype=np.float32)}, "text": {"t": "a"}},
                {"features": {"x": 2}, "embeddings": {"q": [float("inf"), 1.0]}},
            ],
        )
    assert upload.rejected == [(1, "embeddings.q.0: must be a finite number within float32 range")]
    (row,) = collector.received("/v1/reference")
    assert row["embeddings"] == {"q": [1.0, 2.0]} and row["text"] == {"t": "a"}


def test_a_dataframe_reference_takes_embedding_and_text_columns(collector):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {
            "x": [1.0, 2.0, 3.0],
            "query_vec": [np.array([1.0, 2.0], dtype=np.float32), None, np.array([5.0, 6.0])],
            "prompt": ["a b", "c", None],
            "score": [0.1, 0.2, 0.3],
        }
    )
    with Osprey(collector.url, API_KEY) as client:
        upload = client.log_reference(
            "search", "v1", frame, prediction_column="score", embedding_columns=["query_vec"], text_columns=["prompt"]
        )
        with pytest.raises(ValueError, match="embeddings column 'nope' is not a column"):
            client.log_reference("search", "v1", frame, embedding_columns=["nope"])
        with pytest.raises(ValueError, match="apply to a pandas DataFrame only"):
            client.log_reference("search", "v1", [{"features": {}}], text_columns=["prompt"])
    assert upload.accepted == 3 and upload.rejected == []
    rows = collector.received("/v1/reference")
    assert [r["features"] for r in rows] == [{"x": 1.0}, {"x": 2.0}, {"x": 3.0}]
    assert [r.get("embeddings") for r in rows] == [{"query_vec": [1.0, 2.0]}, {}, {"query_vec": [5.0, 6.0]}]
    assert [r.get("text") for r in rows] == [{"prompt": "a b"}, {"prompt": "c"}, {}]
    assert [r["prediction"] for r in rows] == [0.1, 0.2, 0.3]


def test_a_float32_array_is_sent_in_nine_digits_that_name_each_float32_exactly(collector, make_client):
    client = make_client(flush_interval=60)
    rng = np.random.default_rng(7)
    vector = np.concatenate([
        rng.standard_normal(380).astype(np.float32),
        np.array([3.4028235e38, -1.1754944e-38, 1e-45, -0.0], dtype=np.float32),
    ])
    client.log("search", "v1", {}, 0.5, embeddings={"q": vector, "as_list": [0.1, 2]})
    assert client.flush(timeout=5)
    (event,) = collector.received()
    sent = np.array(event["embeddings"]["q"], dtype=np.float64)
    assert np.array_equal(sent.astype(np.float32), vector)
    assert event["embeddings"]["as_list"] == [0.1, 2.0]  # lists keep their numbers as they are
