"""`eval --points`: one program at many points, with numpy, a chunk of points per sweep.

NumpyMath is the number type of numerics.FloatMath with a numpy column of points for each
number: every kernel, and every primitive the op table's rules use, is one vectorised pass over
the column (erf and erfc, which numpy lacks, go point by point through math's). So engine.forward
and engine.reverse run unchanged over thousands of points at once: one pass per node and per
edge, not a Python loop per point. The semantics are the float64
kernels': IEEE nan/inf instead of errors (the sweeps run under np.errstate(all="ignore")), the
same conventions at non-differentiable points, the same stable forms of sigmoid and softplus.
numpy's SIMD versions of exp, log, tanh, pow, ... may differ from the C library's in the last
bits (up to 3 ulps measured), so a point's numbers may differ there from `gradcli eval`'s.

Points come from CSV (a header naming the columns, then a row per point) or JSON Lines (an
object per line), read a block of lines at a time: memory stays flat for any number of points.
A bad row (a missing or non-numeric value, wrong cell count, not UTF-8, a NUL byte) becomes an
error record in its place and the rest go on.
"""

import csv
import json
import math
from itertools import chain

import numpy as np

from .batch import BOM, check_failures, decode_line, is_blank
from ..core.errors import GradcliError, UsageError
from ..engine.forward import forward
from ..engine.reverse import reverse


def _elementwise(f):
    """A kernel numpy lacks (erf, erfc), applied point by point with the same math function."""
    ufunc = np.frompyfunc(f, 1, 1)
    return lambda x: np.asarray(ufunc(x), dtype=float)


def _sigmoid(x):
    """1 / (1 + e^-x) for x >= 0, e^x / (1 + e^x) below: numerics.sigmoid's two forms, with
    one division for both."""
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0, z) / (1.0 + z)


def _extreme(better):
    """max / min of columns: the first of the best (as Python's max keeps it), nan if any is."""

    def kernel(*xs):
        best = xs[0]
        for x in xs[1:]:
            best = np.where(better(x, best), x, best)
        anynan = np.isnan(xs[0])
        for x in xs[1:]:
            anynan = anynan | np.isnan(x)
        return np.where(anynan, np.nan, best)

    return kernel


class NumpyMath:
    """The numpy number type: numerics.FloatMath's names, each vectorised over points."""

    name = "numpy"

    zero = 0.0  # a constant is one number; it broadcasts against any column
    one = 1.0
    ln2 = math.log(2.0)
    ln10 = math.log(10.0)
    two_over_sqrt_pi = 2.0 / math.sqrt(math.pi)
    number = staticmethod(lambda x: x if isinstance(x, np.ndarray) else float(x))
    const = staticmethod(float)

    # a condition is a bool, or a column of bools (one per point)
    true = True
    false = False
    eq = np.equal
    gt = np.greater
    ge = np.greater_equal
    where = staticmethod(np.where)
    known = staticmethod(lambda c: bool(c) if np.ndim(c) == 0 else None)
    add = np.add
    sub = np.subtract
    mul = np.multiply
    neg = np.negative
    div = np.divide
    pow = np.power
    sin = np.sin
    cos = np.cos
    tan = np.tan
    asin = np.arcsin
    acos = np.arccos
    atan = np.arctan
    atan2 = np.arctan2
    sinh = np.sinh
    cosh = np.cosh
    tanh = np.tanh
    asinh = np.arcsinh
    acosh = np.arccosh
    atanh = np.arctanh
    exp = np.exp
    expm1 = np.expm1
    log = np.log
    log1p = np.log1p
    log2 = np.log2
    log10 = np.log10
    sqrt = np.sqrt
    cbrt = np.cbrt
    abs = np.abs
    hypot = np.hypot
    sigmoid = staticmethod(_sigmoid)
    relu = staticmethod(lambda x: np.where((x > 0) | np.isnan(x), x, 0.0))
    softplus = staticmethod(lambda x: np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x))))
    erf = staticmethod(_elementwise(math.erf))
    erfc = staticmethod(_elementwise(math.erfc))
    max = staticmethod(_extreme(np.greater))
    min = staticmethod(_extreme(np.less))
    sign = staticmethod(lambda x: np.sign(x) + 0.0)  # + 0.0: sign(-0.0) is 0, as for floats
    step = staticmethod(lambda x: np.where(np.isnan(x), x, (x > 0) * 1.0))
    select = staticmethod(lambda c, a, b: np.where(np.greater(c, 0.0), a, b))
    floor = np.floor
    ceil = np.ceil

def sweep_columns(program, inputs, n, wrt_ids):
    """The value and the partials by the inputs `wrt_ids` at n points (`inputs`: a column or a
    number per input, in program order): one forward and one reverse sweep over whole columns."""
    with np.errstate(all="ignore"):
        values = forward(program, inputs, m=NumpyMath)
        adjoints = reverse(program, values, m=NumpyMath)[0]
    shape = (n,)  # a node that depends on no column is one number: spread it over the points
    return np.broadcast_to(values[program.output], shape), [np.broadcast_to(adjoints[i], shape) for i in wrt_ids]


def line_blocks(stream, size=1 << 20):
    """Runs of complete lines (bytes, the last one without its newline), one per read: a file
    goes by the megabyte, and a pipe that delivers a few lines at a time gets them answered."""
    pieces = []  # the line not ended yet, in pieces (a long line costs no quadratic copying)
    while True:
        data = stream.read1(size)
        if not data:
            break
        end = data.rfind(b"\n")
        if end < 0:
            pieces.append(data)
            continue
        pieces.append(data[:end])
        yield b"".join(pieces)
        pieces = [data[end + 1:]]
    rest = b"".join(pieces)
    if rest:
        yield rest


def numbered_blocks(stream):
    """(number of the first line, block) per block; a UTF-8 byte-order mark before line 1 is
    dropped. Lines keep the CR of a CRLF end."""
    number = 1
    for block in line_blocks(stream):
        if number == 1:
            block = block.removeprefix(BOM)
        yield number, block
        number += block.count(b"\n") + 1


class Chunk:
    """Consecutive points' results: the good rows as columns of floats, the bad rows as
    (line, message) pairs; both in line order."""

    def __init__(self, lines, value, partials, errors):
        self.lines = lines
        self.value = value
        self.partials = partials
        self.errors = errors


class Points:
    """One program at every point of a CSV or JSON Lines stream (sniffed: a first non-blank
    line starting with `{` is JSON Lines), one Chunk per block of input lines.

    `defaults` (--at) give the inputs with no CSV column or no JSON key; `wrt` chooses the
    partials; with `strict` a point whose value or a partial is not finite counts as failed.
    """

    # Points per sweep: columns of 16,384 float64 (128 KiB) stay in the CPU's cache and below
    # malloc's mmap threshold (65,536 measured 5x slower here); fewer for a big program, so
    # that the sweeps hold at most SWEEP_FLOATS numbers.
    ROWS = 1 << 14
    SWEEP_FLOATS = 1 << 22

    def __init__(self, program, stream, defaults, wrt=(), strict=False):
        self.program = program
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
        """One Chunk per block of input lines, in order."""
        if self.parse is None:
            return
        for first, block in chain([self.rest], self.blocks):
            lines, columns, errors = self.parse(first, block)
            self.total += len(lines) + len(errors)
            self.failed += len(errors)
            yield self._evaluate(lines, columns, errors)

    def _evaluate(self, lines, columns, errors):
        """Sweep the good rows, max_rows at a time; the results as lists of floats."""
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
        return Chunk(lines, value, partials, errors)

    def check(self):
        check_failures(self.failed, self.total, "points")

    # -- parsing a block of lines ---------------------------------------------------------

    def _columns(self, rows_by_name):
        """An input column per program input: the file's numbers, or the --at default."""
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
                row = [(name, _number(name, cells[j])) for name, j in self.wanted]
            except GradcliError as e:
                errors.append((number, e.render_line()))
                continue
            lines.append(number)
            for name, x in row:
                numbers[name].append(x)
        return lines, self._columns(numbers), errors

    def _csv_fast(self, first, block):
        if not self.wanted or b'"' in block or b"\0" in block:
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
        return lines, [np.array(numbers[name], dtype=float) for name in self.program.input_names], errors

    def _json_point(self, text):
        try:
            obj = json.loads(text)
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
                value = self.defaults[name]
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                raise UsageError(f"{name}: {json.dumps(value)} is not a number")
            row.append(_number(name, value))
        return row


def _number(name, cell):
    """A cell's float64 (anything float() reads, as for --at), or an error naming the input."""
    if isinstance(cell, str) and not cell.strip():
        raise UsageError(f"{name}: no value")
    try:
        return float(cell)
    except (ValueError, OverflowError):
        raise UsageError(f"{name}: {cell!r} is not a number") from None
