"""Points for the derivative drivers (jacobian, jvp, vjp --points): one point at a time.

A CSV file with a header naming inputs (the header is line 1), or JSON Lines of objects (the
first row that is not blank or a `#` comment decides which); each row is a point over the --at
defaults, its values keeping their decimal text (a Literal), so that --precision reads `0.1` as
one tenth. A row that cannot be read, or a point whose computation fails, is an error record for
its line only, and the run goes on; as in io.batch, only reading and computing are inside the
except, and writing the records is the caller's.
"""

import csv
import io
import json

from ..core.errors import GradcliError, UsageError, not_finite
from .batch import check_failures
from .lines import decimal, numbered_lines
from .records import error_record


class PointResult:
    """One point's result: its line, the driver's result, and why --strict counts it failed
    (None when it does not)."""

    def __init__(self, line, result, failed=None):
        self.line = line
        self.result = result
        self.failed = failed


class DriverPoints:
    """`compute(point)` at every point of a stream, over the --at `defaults`: a PointResult per
    point, or an error Record for a bad row or a failed computation; with `strict`, a point
    with a number that is not finite counts as failed too. check() ends the run as eval
    --points and batch do."""

    def __init__(self, compute, defaults, strict=False):
        self.compute = compute
        self.defaults = defaults
        self.strict = strict
        self.total = 0
        self.failed = 0

    def records(self, stream):
        for line, point in points(stream):
            self.total += 1
            yield self.record(line, point)

    def record(self, line, point):
        try:
            if isinstance(point, str):
                raise UsageError(point)
            result = self.compute({**self.defaults, **point})
        except GradcliError as e:
            self.failed += 1
            return error_record(line, e.render_line())
        failure = not_finite(result.numbers) if self.strict else None
        self.failed += failure is not None
        return PointResult(line, result, None if failure is None else failure.message)

    def check(self):
        check_failures(self.failed, self.total, "points")


def points(stream):
    """(line number, point or error message) for every row that is not blank or a comment, in
    order, streamed."""
    header = jsonl = None
    for number, raw in numbered_lines(stream):
        text = raw.decode("utf-8", "replace").strip()
        if not text or text.startswith("#"):
            continue
        if jsonl is None:
            jsonl = text.startswith("{")
            if not jsonl:
                header = next(csv.reader([text]))
                continue
        yield number, (_json_row(text) if jsonl else _csv_row(header, text))


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
