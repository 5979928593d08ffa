"""Points for the derivative drivers (jacobian, jvp, vjp --points): one point at a time.

A CSV file with a header naming inputs (the header is line 1), or JSON Lines of objects; each
row is a point over the --at defaults; its values keep their decimal text (a Literal), so that
--precision reads `0.1` as one tenth. A row that cannot be read is an error for its line only,
so the caller writes an error record and goes on.
"""

import csv
import io
import json

from ..core.errors import UsageError
from .lines import decimal, numbered_lines


def points(stream):
    """(line number, point or error message) for every non-blank row, in order, streamed."""
    header = None
    for number, raw in numbered_lines(stream):
        text = raw.decode("utf-8", "replace").strip()
        if not text or text.startswith("#"):
            continue
        if header is None and not text.startswith("{"):
            header = next(csv.reader([text]))
            continue
        yield number, (_json_row(text) if header is None else _csv_row(header, text))


def _csv_row(header, text):
    cells = next(csv.reader(io.StringIO(text)))
    if len(cells) != len(header):
        return f"{len(cells)} cells, the header has {len(header)}"
    return _numbers(dict(zip((h.strip() for h in header), cells)))


def _json_row(text):
    try:
        row = json.loads(text, parse_float=str, parse_int=str)  # a number's text, every digit
    except ValueError:
        return "not a JSON object"
    return _numbers(row) if isinstance(row, dict) else "not a JSON object"


def _numbers(row):
    point = {}
    for name, cell in row.items():
        try:
            point[name] = decimal(cell) if isinstance(cell, str) else float(cell)
        except (TypeError, ValueError):
            return f"the value of {name}, {cell!r}, is not a number"
    return point


def require_jsonl(fmt):
    if fmt not in (None, "jsonl"):
        raise UsageError("--points writes a jsonl record per point: leave out -o")
