"""Plain text and csv: one result, records and chunks of points, Hessians, the drivers'
results (Jacobians, J·v, u·J, Taylor mode), checks, stats.

Numbers print with repr round-trip precision unless `digits` asks for fewer significant
digits. csv and plain rows of many points are built from columns (lists of floats), so a whole
chunk of points prints in one formatting pass; a single record goes through the same code as a
chunk of one, so both print alike.
"""

import csv
import io
from itertools import chain

from ..engine.evaluate import gradient_items, named_numbers
from ..io.records import error_record, in_line_order
from ..numbers.text import count_digits, count_text, format_number
from . import renders

ROLE_WORDS = {"constant": "not needed for the gradient: depends on no input",
              "unused": "not on a path to the output"}  # see engine.reverse.node_roles


def pairs_text(rows, digits=None):
    """`label number` a line, for (label, number) rows."""
    return "".join(f"{k} {format_number(v, digits)}\n" for k, v in rows)


# -- one result --------------------------------------------------------------------------


@renders("Result", "plain")
def plain(result, digits=None, wrt=None, quiet=False):
    """`value V` then `d/dNAME G` per input, one pair a line; bare numbers when quiet."""
    rows = named_numbers(result.value, gradient_items(result, wrt))
    if quiet:
        if wrt:
            rows = rows[1:]
        text = "".join(f"{format_number(v, digits)}\n" for _, v in rows)
    else:
        text = pairs_text(rows, digits)
    if result.stats is not None:
        text += "".join(f"{key} {stat_text(v, plain=True)}\n" for key, v in stats_items(result.stats))
    return text


def csv_text(rows):
    """Rows of cells as CSV text (RFC 4180 quoting, \\n line ends)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerows(rows)
    return buf.getvalue()


@renders("Result", "csv")
def csv_result(result, digits=None, wrt=None):
    items = gradient_items(result, wrt)
    header = ["value"] + [f"d/d{name}" for name, _ in items]
    row = [format_number(result.value, digits)] + [format_number(g, digits) for _, g in items]
    if result.stats is not None:
        for key, v in stats_items(result.stats):
            header.append(key)
            row.append(count_digits(v) if isinstance(v, int) else v)
    return csv_text([header, row])


# -- records and chunks of points --------------------------------------------------------


@renders("Header", "csv")
def csv_header(header):
    """The csv header of batch and points output: `line,value,error,d/dNAME,...`, then the
    uncertainty columns when the first result had a budget."""
    return csv_text([["line", "value", "error", *(f"d/d{name}" for name in header.names), *header.uncertainty]])


def csv_rows(lines, values, partials, digits=None):
    """csv rows under the header, from columns: line numbers, values, a list per partial; the
    error cell is empty. (Numbers and line numbers never need quoting.)"""
    spec, (values, *partials) = _number_columns([values, *partials], digits)
    return _fill("%d," + spec + "," + "".join("," + spec for _ in partials) + "\n", [lines, values, *partials], ",")


@renders("Record", "csv")
def csv_record(rec, names, digits=None, uncertainty=None):
    """A record as a csv row under the header of `names` (and the `uncertainty` columns); a
    name the record lacks has partial 0, an uncertainty column its budget lacks an empty cell."""
    extra = len(uncertainty or ())
    if "error" in rec:
        return csv_text([[rec["line"], "", rec["error"], *[""] * (len(names) + extra)]])
    gradient = rec["gradient"]
    if "failed" in rec or extra:  # --strict: the numbers, and why the line counts as failed
        numbers = [format_number(x, digits) for x in (rec["value"], *(gradient.get(name, 0.0) for name in names))]
        found = dict(rec["budget"].columns()) if "budget" in rec else {}
        budget = [format_number(found[label], digits) if label in found else "" for label in uncertainty or ()]
        return csv_text([[rec["line"], numbers[0], rec.get("failed", ""), *numbers[1:], *budget]])
    return csv_rows([rec["line"]], [rec["value"]], [[gradient.get(name, 0.0)] for name in names], digits)


def plain_rows(values, partials, digits=None, drop_value=False):
    """A line per result: the value, then each partial, tab-separated (only the partials
    when `drop_value`: -q with --wrt)."""
    spec, columns = _number_columns(list(partials) if drop_value else [values, *partials], digits)
    return _fill("\t".join([spec] * len(columns)) + "\n", columns, "\t")


@renders("Record", "plain")
def plain_record(rec, digits=None, drop_value=False):
    """A record as a plain line; an error is `error<TAB>line N: message`."""
    if "error" in rec:
        return f"error\tline {rec['line']}: {rec['error']}\n"
    budget = [[x] for _, x in rec["budget"].columns()] if "budget" in rec else []
    return plain_rows([rec["value"]], [*([g] for g in rec["gradient"].values()), *budget], digits, drop_value)


def _number_spec(digits):
    """The %-format that writes a float as format_number does, but for the ".0" of an
    integral number: repr, or `digits` significant digits (both spell nan, inf, -inf alike)."""
    return "%r" if digits is None else f"%.{digits}g"


def _number_columns(columns, digits):
    """(%-format, columns) for columns of numbers: floats as they are; mpmath numbers
    (--precision), whose repr is no number, as format_number's text."""
    if any(getattr(c[0], "shown_digits", None) is not None for c in columns if len(c)):
        return "%s", [[format_number(x, digits) for x in c] for c in columns]
    return _number_spec(digits), columns


def _fill(row, columns, sep):
    """Rows of the %-template `row`, one per entry of the columns, in one formatting pass (no
    Python loop per number: --points writes millions); then integral numbers drop their ".0",
    as format_number does (repr writes ".0" nowhere else, and the rows hold only numbers and
    the separator `sep`)."""
    text = (row * len(columns[0])) % tuple(chain.from_iterable(zip(*columns, strict=True)))
    return text.replace(".0" + sep, sep).replace(".0\n", "\n")


@renders("Chunk", "csv")
def chunk_csv(chunk, digits=None):
    """A chunk of points as csv rows under the header of its names, built a column at a time."""
    rows = csv_rows(chunk.lines, chunk.value, chunk.partials, digits)
    return _with_errors(chunk, rows, lambda rec: csv_record(rec, chunk.names))


@renders("Chunk", "plain")
def chunk_plain(chunk, digits=None, drop_value=False):
    """A chunk of points as plain lines, built a column at a time."""
    return _with_errors(chunk, plain_rows(chunk.value, chunk.partials, digits, drop_value), plain_record)


def _with_errors(chunk, rows, error_text):
    """The good rows' text `rows` with the bad rows' error records in their places."""
    if not chunk.errors:
        return rows
    bad = ((line, error_text(error_record(line, message))) for line, message in chunk.errors)
    return "".join(in_line_order(zip(chunk.lines, rows.splitlines(keepends=True), strict=True), bad))


# -- stats -------------------------------------------------------------------------------

STAT_LABELS = {
    "strategy": "strategy",
    "nodes": "nodes",
    "edges": "edges",
    "forward_ops": "op evaluations in the forward sweep",
    "recomputed_ops": "op evaluations recomputed for the reverse sweep",
    "partials": "local partials computed",
    "multiply_adds": "multiply-adds in the reverse sweep",
    "peak_values": "peak node values held at once",
    "segments": "checkpoint segments",
    "forward_seconds": "forward sweep time",
    "reverse_seconds": "reverse sweep time (with recomputation)",
    "paths": "input→output paths (terms of the expanded chain rule)",
    "tree_size": "size of the expression written as a tree",
}


def stats_items(stats):
    """(key, value) pairs in STAT_LABELS order, leaving out what the strategy does not have."""
    return [(key, getattr(stats, key)) for key in STAT_LABELS if getattr(stats, key) is not None]


def stat_text(v, plain=False):
    """One stats figure as text: counts abbreviated, times in seconds (plain) or ms (tables)."""
    if isinstance(v, str):
        return v
    if isinstance(v, float):
        return format_number(v, 3) if plain else f"{v * 1000:.3g} ms"
    return count_text(v)


# -- derivative programs, Hessians, gradient checks --------------------------------------


@renders("Derivatives", "plain")
def derivatives_plain(d, inline=False):
    """`gradcli diff` plain: the derivative program in gradcli's own language."""
    return d.text(inline)


def second_items(s):
    """(label, number) rows of a SecondOrder: value, gradient, then the Hessian or H·v."""
    names = s.input_names
    rows = named_numbers(s.result.value, s.result.gradient.items())
    if s.hessian is not None:
        rows += [(f"d2/d{a}/d{b}", h)
                 for a, row in zip(names, s.hessian, strict=True) for b, h in zip(names, row, strict=True)]
    else:
        rows += [(f"Hv[{n}]", h) for n, h in zip(names, s.hvp, strict=True)]
    return rows


@renders("SecondOrder", "plain")
def second_order_plain(s, digits=None, stats=False):
    """`gradcli hessian` plain: one `name value` pair a line, as `gradcli eval` prints."""
    return pairs_text(second_items(s), digits) + sparsity_text(s, stats)


@renders("SecondOrder", "csv")
def second_order_csv(s, digits=None):
    """`gradcli hessian` csv: one row per input: its partial, then its Hessian row (or v, Hv)."""
    names = s.input_names
    f = lambda x: format_number(x, digits)
    gradient = list(s.result.gradient.values())
    if s.hessian is not None:
        rows = [["input", "gradient", *names]]
        rows += [[n, f(g), *map(f, row)] for n, g, row in zip(names, gradient, s.hessian, strict=True)]
    else:
        rows = [["input", "gradient", "v", "hvp"]]
        rows += [[n, f(g), f(v), f(h)] for n, g, v, h in zip(names, gradient, s.vector, s.hvp, strict=True)]
    return csv_text(rows)


def sparsity_text(result, stats):
    """--stats of a --sparse result in plain: `nonzeros N`, `sweeps N`, `dense_sweeps N`, `dense false`."""
    return "".join(f"{key} {str(v).lower()}\n" for key, v in result.sparsity.items()) if stats else ""


def check_columns(report):
    """The check's columns: the reference is finite differences or a 50-digit evaluation."""
    return ("partial", "gradcli", report.reference, "abs error", "rel error", "status")


def check_rows(report, digits):
    """A row of cells per comparison, under check_columns(report)."""
    f = lambda x: format_number(x, digits)
    return [(c.label, f(c.claimed), f(c.estimate), format_number(c.abs_error, 2),
             format_number(c.rel_error, 2), c.status) for c in report.comparisons]


@renders("CheckReport", "plain")
def check_plain(report, digits=None):
    """`gradcli check` plain: a header line, then one space-separated line per partial."""
    lines = [" ".join(c.replace(" ", "_") for c in check_columns(report))]
    lines += [" ".join(row) for row in check_rows(report, digits)]
    return "\n".join(lines) + "\n"


# -- the drivers: Jacobians, J·v, u·J, Taylor mode ---------------------------------------


def first_order_vector(d):
    """(kind, names, numbers) of the one vector a jvp or vjp result holds."""
    if d.jvp is not None:
        return "jvp", d.outputs, d.jvp
    return "vjp", d.inputs, d.vjp


@renders("FirstOrder", "plain")
def first_order_plain(d, digits=None, stats=False):
    """One `name value` pair a line: `value[y]` per output, then `J[y,w]` (or `jvp[y]`, `vjp[w]`)."""
    rows = [(f"value[{o}]", v) for o, v in zip(d.outputs, d.values, strict=True)]
    if d.jacobian is not None:
        rows += [(f"J[{o},{i}]", x) for o, row in zip(d.outputs, d.jacobian, strict=True)
                 for i, x in zip(d.inputs, row, strict=True)]
    else:
        kind, names, xs = first_order_vector(d)
        rows += [(f"{kind}[{n}]", x) for n, x in zip(names, xs, strict=True)]
    if d.covariance is not None:
        from .uncertainty import covariance_pairs

        rows += covariance_pairs(d.covariance)
    return pairs_text(rows, digits) + sparsity_text(d, stats)


@renders("FirstOrder", "csv")
def first_order_csv(d, digits=None):
    """A row per output (its value, then its Jacobian row or its jvp), or per input for a vjp."""
    f = lambda x: format_number(x, digits)
    if d.jacobian is not None:
        rows = [["output", "value", *d.inputs]]
        rows += [[o, f(v), *map(f, row)] for o, v, row in zip(d.outputs, d.values, d.jacobian, strict=True)]
        if d.covariance is not None:  # each output's σ and its covariance row beside its Jacobian row
            from .uncertainty import covariance_columns

            head, extra = covariance_columns(d.covariance)
            rows = [row + cells for row, cells in zip(rows, [head, *([f(x) for x in r] for r in extra)], strict=True)]
    elif d.jvp is not None:
        rows = [["output", "value", "jvp"]]
        rows += [[o, f(v), f(x)] for o, v, x in zip(d.outputs, d.values, d.jvp, strict=True)]
    else:
        rows = [["input", "vjp"]] + [[n, f(x)] for n, x in zip(d.inputs, d.vjp, strict=True)]
    return csv_text(rows)


@renders("Taylor", "plain")
def taylor_plain(t, digits=None):
    """`d0 V`, `d1 ...`: the k-th derivative along the direction, one a line."""
    return pairs_text(t.numbers, digits)


@renders("Taylor", "csv")
def taylor_csv(t, digits=None):
    return csv_text([["k", "derivative"], *([k, format_number(x, digits)] for k, x in enumerate(t.derivatives))])
