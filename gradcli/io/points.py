"""`eval --points`: one program at many points, with numpy, a chunk of points per sweep.

With numbers.arrays.NumpyMath, a number is a numpy column of points, so engine.forward and
engine.reverse run unchanged over thousands of points at once: one pass per node and per edge,
not a Python loop per point. numpy's SIMD transcendentals may differ from the C library's in
the last bits (up to 3 ulps measured), so a point's numbers may differ there from `gradcli eval`'s.

Points come from CSV (a header naming the columns, then a row per point) or JSON Lines (an
object per line), read a block of lines at a time: memory stays flat for any number of points.
A bad row (a missing or non-numeric value, wrong cell count, not UTF-8, a NUL byte) becomes an
error record in its place and the rest go on.
"""

import csv
import json
from itertools import chain

import numpy as np

from ..core.errors import GradcliError, UsageError
from ..engine.evaluate import evaluate
from ..engine.forward import forward
from ..engine.reverse import reverse
from ..numbers.arrays import NumpyMath
from .batch import check_failures
from .lines import decimal, decode_line, is_blank, numbered_blocks
from .records import Chunk, Header


def check_sources(program_file, path):
    """The program and the points cannot both come from stdin."""
    if path == "-" and program_file == "-":
        raise UsageError("--file - and --points - both read stdin: give one of them a file")


def check_options(fmt, nodes=(), stats=False, strategy="store"):
    """What eval's other options cannot do with --points, as UsageErrors before a point is read."""
    if nodes:
        raise UsageError("--nodes picks rows of one point's node and edge tables: use --at, not --points")
    if stats:
        raise UsageError("--stats counts one evaluation, and --points makes many: use --at for one point")
    if strategy != "store":
        raise UsageError(
            "--points sweeps whole columns of points with every value stored, so --strategy does not "
            "apply: use --at for one point, or gradcli batch --strategy with a point per line (PROGRAM @ x=1)"
        )
    if fmt == "json":
        raise UsageError("--points writes a record per point: use -o jsonl, csv, plain or table")


def sweep_columns(program, inputs, n, wrt_ids):
    """The value and the partials by the inputs `wrt_ids` at n points (`inputs`: a column or a
    number per input, in program order): one forward and one reverse sweep over whole columns."""
    with np.errstate(all="ignore"):
        values = forward(program, inputs, m=NumpyMath)
        adjoints = reverse(program, values, m=NumpyMath)[0]
    shape = (n,)  # a node that depends on no column is one number: spread it over the points
    return np.broadcast_to(values[program.output], shape), [np.broadcast_to(adjoints[i], shape) for i in wrt_ids]


class Points:
    """One program at every point of a CSV or JSON Lines stream (sniffed: a first non-blank
    line starting with `{` is JSON Lines), one Chunk per block of input lines.

    `defaults` (--at) give the inputs with no CSV column or no JSON key; `wrt` chooses the
    partials; with `strict` a point whose value or a partial is not finite counts as failed;
    with `csv`, a Header (the partial columns) comes first. With a number type `m`
    (--precision) each point is swept on its own in `m`, its values read as decimals.
    """

    # Points per sweep: columns of 16,384 float64 (128 KiB) stay in the CPU's cache and below
    # malloc's mmap threshold (65,536 measured 5x slower here); fewer for a big program, so
    # that the sweeps hold at most SWEEP_FLOATS numbers.
    ROWS = 1 << 14
    SWEEP_FLOATS = 1 << 22

    def __init__(self, program, stream, defaults, wrt=(), strict=False, csv=False, m=None):
        self.program = program
        self.m = m
        self.read = float if m is None else decimal  # a cell's number
        self.csv = csv
        self.defaults = defaults
        self.names = list(wrt) or list(program.input_names)
        by_name = dict(zip(program.input_names, program.input_ids))
        self.wrt_ids = [by_name[name] for name in self.names]
        self.strict = strict
        self.total = 0
        self.failed = 0
        graph = program.graph
        self.max_rows = max(1, min(self.ROWS, self.SWEEP_FLOATS // (len(graph) + 2 * graph.edge_count() + 1)))
        self.blocks = numbered_blocks(stream)
        self.rest = self._start()

    def _start(self):
        """Read up to the first non-blank line, choose the format, read a CSV header: the
        (first line number, block) still to parse."""
        for first, block in self.blocks:
            lines = block.split(b"\n")
            for k, raw in enumerate(lines):
                if raw.strip():
                    if raw.lstrip().startswith(b"{"):
                        self.parse = self._jsonl_block
                        return first + k, b"\n".join(lines[k:])
                    self._csv_header(first + k, raw)
                    self.parse = self._csv_block
                    return first + k + 1, b"\n".join(lines[k + 1:])
        self.parse = None  # no points at all
        return 1, b""

    def _csv_header(self, number, raw):
        try:
            header = [name.strip() for name in next(csv.reader([decode_line(raw)], skipinitialspace=True))]
        except (GradcliError, csv.Error) as e:
            raise UsageError(f"points file, line {number}: not a CSV header: {e}") from None
        duplicates = sorted({name for name in header if header.count(name) > 1})
        if duplicates:
            raise UsageError(f"points file, line {number}: column {', '.join(duplicates)} appears twice in the header")
        missing = [name for name in self.program.input_names if name not in header and name not in self.defaults]
        if missing:
            raise UsageError(
                f"the points file has no column for input{'s' if len(missing) > 1 else ''} {', '.join(missing)}: "
                f"add {'them' if len(missing) > 1 else 'it'} to its header, or give --at "
                + ",".join(f"{name}=..." for name in missing)
            )
        self.ncols = len(header)
        # (input name, its column) for the inputs the file gives; --at gives the others
        self.wanted = [(name, header.index(name)) for name in self.program.input_names if name in header]

    def chunks(self):
        """One Chunk per block of input lines, in order (after the Header, for csv)."""
        if self.csv:
            yield Header(self.names)
        if self.parse is None:
            return
        for first, block in chain([self.rest], self.blocks):
            lines, columns, errors = self.parse(first, block)
            self.total += len(lines) + len(errors)
            self.failed += len(errors)
            yield self._evaluate(lines, columns, errors)

    def _evaluate(self, lines, columns, errors):
        """Sweep the good rows, max_rows at a time; the results as lists of floats."""
        if self.m is not None:
            return self._evaluate_each(lines, columns, errors)
        n = len(lines)
        value, partials = [], [[] for _ in self.wrt_ids]
        for lo in range(0, n, self.max_rows):
            hi = min(n, lo + self.max_rows)
            inputs = [
                column[lo:hi] if isinstance(column, np.ndarray) else column for column in columns
            ]
            v, ps = sweep_columns(self.program, inputs, hi - lo, self.wrt_ids)
            if self.strict:
                finite = np.isfinite(v)
                for p in ps:
                    finite &= np.isfinite(p)
                self.failed += int(np.count_nonzero(~finite))
            value += v.tolist()
            for out, p in zip(partials, ps):
                out += p.tolist()
        return Chunk(self.names, lines, value, partials, errors)

    def _evaluate_each(self, lines, columns, errors):
        """--precision: each point by its own pair of sweeps in the number type m."""
        value, partials = [], [[] for _ in self.wrt_ids]
        names, isfinite = self.program.input_names, self.m.isfinite
        for k in range(len(lines)):
            point = {name: c[k] if isinstance(c, list) else c for name, c in zip(names, columns)}
            r = evaluate(self.program, point, m=self.m)
            value.append(r.value)
            for out, name in zip(partials, self.names):
                out.append(r.gradient[name])
            if self.strict and not all(isfinite(x) for x in [r.value, *r.gradient.values()]):
                self.failed += 1
        return Chunk(self.names, lines, value, partials, errors)

    def check(self):
        check_failures(self.failed, self.total, "points")

    # -- parsing a block of lines ---------------------------------------------------------

    def _columns(self, rows_by_name):
        """An input column per program input: the file's numbers, or the --at default (as
        they are for --precision, else as float64 arrays and floats)."""
        if self.m is not None:
            return [rows_by_name.get(name, self.defaults.get(name)) for name in self.program.input_names]
        return [
            np.asarray(rows_by_name[name], dtype=float) if name in rows_by_name else float(self.defaults[name])
            for name in self.program.input_names
        ]

    def _csv_block(self, first, block):
        """(line numbers, input columns, errors) of a block of CSV rows. Clean blocks (no
        quotes, blank rows or bad cells: the usual case) are split and converted a column at
        a time; any other block goes row by row to find the bad rows."""
        fast = self._csv_fast(first, block)
        if fast is not None:
            return fast
        lines, numbers, errors = [], {name: [] for name, _ in self.wanted}, []
        for number, raw in enumerate(block.split(b"\n"), first):
            if not raw.strip():
                continue
            try:
                cells = self._csv_cells(raw)
                row = [(name, _number(name, cells[j], self.read)) for name, j in self.wanted]
            except GradcliError as e:
                errors.append((number, e.render_line()))
                continue
            lines.append(number)
            for name, x in row:
                numbers[name].append(x)
        return lines, self._columns(numbers), errors

    def _csv_fast(self, first, block):
        if not self.wanted or b'"' in block or b"\0" in block or self.m is not None:
            return None
        # Every row must have ncols - 1 commas, else the cells would shift between rows (a
        # blank row fails here, or, with one column, as a number below).
        b = np.frombuffer(block, np.uint8)
        ends = np.append(np.flatnonzero(b == ord("\n")), len(b))
        commas = np.searchsorted(np.flatnonzero(b == ord(",")), ends)
        if not (np.diff(commas, prepend=0) == self.ncols - 1).all():
            return None
        try:
            text = block.decode("utf-8")
        except UnicodeDecodeError:
            return None
        cells = text.replace("\r\n", "\n").replace("\n", ",").split(",")
        n = len(ends)
        try:
            numbers = {name: np.fromiter(map(float, cells[j::self.ncols]), float, n) for name, j in self.wanted}
        except ValueError:
            return None
        return range(first, first + n), self._columns(numbers), []

    def _csv_cells(self, raw):
        text = decode_line(raw)
        try:
            cells = next(csv.reader([text], skipinitialspace=True, strict=True)) if '"' in text else text.split(",")
        except csv.Error as e:
            raise UsageError(f"not a CSV row: {e}") from None
        if len(cells) != self.ncols:
            raise UsageError(f"{len(cells)} values for the {self.ncols} columns of the header")
        return cells

    def _jsonl_block(self, first, block):
        """(line numbers, input columns, errors) of a block of JSON Lines, a point per object."""
        lines, numbers, errors = [], {name: [] for name in self.program.input_names}, []
        for number, raw in enumerate(block.split(b"\n"), first):
            if is_blank(raw):
                continue
            try:
                row = self._json_point(decode_line(raw))
            except GradcliError as e:
                errors.append((number, e.render_line()))
                continue
            lines.append(number)
            for name, x in zip(self.program.input_names, row):
                numbers[name].append(x)
        return lines, self._columns(numbers), errors

    def _json_point(self, text):
        try:
            obj = json.loads(text) if self.m is None else json.loads(text, parse_float=str, parse_int=str)
        except ValueError as e:
            raise UsageError(f"not JSON: {e}") from None
        if not isinstance(obj, dict):
            raise UsageError("not a JSON object: a point is an object like {\"x\": 1.5}")
        row = []
        for name in self.program.input_names:
            value = obj.get(name)
            if value is None:
                if name not in self.defaults:
                    raise UsageError(f"{name}: no value (and no --at {name}=... default)")
                row.append(self.defaults[name])  # --at's value, a Literal: its text kept
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                raise UsageError(f"{name}: {json.dumps(value)} is not a number")
            row.append(_number(name, value, self.read if isinstance(value, str) else float))
        return row


def _number(name, cell, read=float):
    """A cell's number by `read` (float64, anything float() reads as for --at; or its decimal
    text for --precision), or an error naming the input."""
    if isinstance(cell, str) and not cell.strip():
        raise UsageError(f"{name}: no value")
    try:
        return read(cell)
    except (ValueError, OverflowError):
        raise UsageError(f"{name}: {cell!r} is not a number") from None
