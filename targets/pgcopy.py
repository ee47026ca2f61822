"""A frame as PostgreSQL's binary COPY stream, built with numpy (no per-row Python).

The text (CSV) COPY of a national quarter's Progress rows spent more time formatting floats
(pandas ``to_csv``, ~4 s for 480,000 rows of 25 columns) and parsing them again on the
server than the engine spent judging the targets (docs/scale.md "Streaming by region").
PostgreSQL's binary format carries every value as its bytes: per row a 16-bit field count,
then per field a 32-bit length (-1 for NULL) and the value, big-endian. Rows differ in
length only by their NULLs and texts, so the whole buffer is laid out with a few vectorised
offsets per column. Only the types the Progress table uses are supported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
TRAILER = b"\xff\xff"
_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)  # PostgreSQL's timestamp zero
_FIXED = {"smallint": ">i2", "integer": ">i4", "bigint": ">i8", "double precision": ">f8",
          "boolean": "u1", "timestamp with time zone": ">i8"}


def _fixed_column(
    values: pd.Series | object, pg_type: str, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """(bytes per row as an (n, width) uint8 array, NULL mask) of a fixed-width column."""
    width_type = np.dtype(_FIXED[pg_type])
    if isinstance(values, dt.datetime):  # one time stamp for every row
        micros = (values - _EPOCH) // dt.timedelta(microseconds=1)
        data = np.full(n, micros, dtype=width_type)
        return data.view(np.uint8).reshape(n, width_type.itemsize), np.zeros(n, bool)
    if not isinstance(values, pd.Series):  # a constant (year, quarter)
        data = np.full(n, values, dtype=width_type)
        return data.view(np.uint8).reshape(n, width_type.itemsize), np.zeros(n, bool)
    null = values.isna().to_numpy()
    if values.dtype.kind == "f":
        raw = values.to_numpy(dtype="float64", na_value=np.nan)
    elif pg_type == "boolean":
        raw = values.to_numpy(dtype=bool, na_value=False)
    else:
        raw = values.to_numpy(dtype="int64", na_value=0)
    data = np.ascontiguousarray(raw.astype(width_type))
    return data.view(np.uint8).reshape(n, width_type.itemsize), null


def binary_copy(frame: pd.DataFrame, types: Sequence[str], constants: dict[str, object]) -> bytes:
    """The binary COPY of ``frame``'s columns then ``constants`` (one value for every row),
    in that order, with PostgreSQL types ``types`` (``smallint`` … ``double precision``,
    ``boolean``, ``timestamp with time zone``, or a text type). NaN and NA are NULL."""
    n = len(frame)
    columns: list[object] = [frame[c] for c in frame.columns] + list(constants.values())
    pieces: list[tuple[str, object, object]] = []  # (kind, payload, null mask)
    lengths = np.zeros((n, len(columns)), dtype=np.int64)
    for index, (values, pg_type) in enumerate(zip(columns, types, strict=True)):
        if pg_type in _FIXED:
            data, null = _fixed_column(values, pg_type, n)
            lengths[:, index] = np.where(null, 0, data.shape[1])
            pieces.append(("fixed", data, null))
        else:  # text: a handful of distinct values (status and reason words)
            codes, uniques = pd.factorize(pd.Series(values), use_na_sentinel=True)
            encoded = [str(u).encode() for u in uniques]
            sizes = np.array([len(b) for b in encoded] + [0], dtype=np.int64)
            lengths[:, index] = sizes[codes]
            pieces.append(("text", (codes, encoded), codes < 0))
    row_sizes = 2 + (4 * len(columns)) + lengths.sum(axis=1)
    starts = np.concatenate([[len(HEADER)], len(HEADER) + np.cumsum(row_sizes)[:-1]])
    buffer = np.zeros(len(HEADER) + int(row_sizes.sum()) + len(TRAILER), dtype=np.uint8)
    buffer[: len(HEADER)] = np.frombuffer(HEADER, np.uint8)
    buffer[-len(TRAILER):] = np.frombuffer(TRAILER, np.uint8)
    count = np.frombuffer(np.array(len(columns), ">i2").tobytes(), np.uint8)
    buffer[starts[:, None] + np.arange(2)] = count
    position = starts + 2
    for index, (kind, payload, null) in enumerate(pieces):  # type: ignore[assignment]
        size = np.where(null, -1, lengths[:, index]).astype(">i4")
        buffer[position[:, None] + np.arange(4)] = size.view(np.uint8).reshape(n, 4)
        body = position + 4
        if kind == "fixed":
            data = payload  # type: ignore[assignment]
            rows = ~null
            buffer[body[rows, None] + np.arange(data.shape[1])] = data[rows]
        else:
            codes, encoded = payload  # type: ignore[misc]
            for code, text in enumerate(encoded):
                rows = codes == code
                if text and rows.any():
                    buffer[body[rows, None] + np.arange(len(text))] = np.frombuffer(text, np.uint8)
        position = body + lengths[:, index]
    return buffer.tobytes()
