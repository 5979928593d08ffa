"""Rendering results: table (rich, imported only here and only when asked), plain, json, jsonl, csv.

Every renderer returns text or renderables; the CLI decides where they go. Numbers print with
repr round-trip precision unless `digits` asks for fewer significant digits. JSON is strict
RFC 8259: non-finite numbers are the strings "nan", "inf", "-inf".
"""

import csv
import heapq
import io
import json
from itertools import chain

from ..engine.evaluate import gradient_items
from ..io.records import error_record
from ..numbers.text import count_digits, count_text, format_number, json_count, json_number, raw_numbers

FORMATS = ("table", "plain", "json", "jsonl", "csv")


def rounded(x, digits):
    """`x` rounded to `digits` significant digits (unchanged when digits is None)."""
    if digits is None or x is None or x != x or x in (float("inf"), float("-inf")):
        return x
    if getattr(x, "shown_digits", None) is not None:  # an arbitrary-precision number stays one
        return x.context.mpf(format_number(x, digits))
    return float(f"{x:.{digits}g}")


# -- one result --------------------------------------------------------------------------


def plain(result, digits=None, wrt=None, quiet=False):
    """`value V` then `d/dNAME G` per input, one pair a line; bare numbers when quiet."""
    rows = [("value", result.value)] + [(f"d/d{name}", g) for name, g in gradient_items(result, wrt)]
    if quiet:
        if wrt:
            rows = rows[1:]
        text = "".join(f"{format_number(v, digits)}\n" for _, v in rows)
    else:
        text = "".join(f"{k} {format_number(v, digits)}\n" for k, v in rows)
    if result.stats is not None:
        text += "".join(f"{key} {stat_text(v, plain=True)}\n" for key, v in stats_items(result.stats))
    return text


def record(result, digits=None, wrt=None):
    """The short record of a result: value and gradient (plus warnings and notes if any)."""
    out = json_result(result.value, gradient_items(result, wrt), digits)
    if result.warnings:
        out["warnings"] = list(result.warnings)
    if result.notes:
        out["notes"] = list(result.notes)
    if result.stats is not None:
        out["stats"] = {key: json_count(v) if isinstance(v, int) else v for key, v in stats_items(result.stats)}
    return out


def full_record(result, digits=None, wrt=None):
    """The whole computation: the record plus every node and every edge, each with its role
    (engine.reverse.node_roles); a full result (evaluate(..., full=True)) gives every edge a partial."""
    graph = result.program.graph
    labels = graph.labels()
    r = lambda x: json_number(rounded(x, digits))  # noqa: E731
    out = record(result, digits, wrt)
    out["output"] = labels[result.program.output]
    out["inputs"] = list(result.program.input_names)
    out["nodes"] = [
        {
            "id": i,
            "op": op,
            "label": labels[i],
            "parents": list(graph.parents[i]),
            "value": r(result.values[i]),
            "adjoint": r(result.adjoints[i]),
            "role": result.roles[i],
        }
        for i, op in enumerate(graph.op)
    ]
    contributions = result.contributions  # a derived list: build it once, not once per edge
    roles = result.edge_roles
    out["edges"] = [
        {
            "from": parent,
            "to": child,
            "slot": slot,
            "partial": r(result.partials[e]),
            "contribution": r(contributions[e]),
            "role": roles[e],
        }
        for e, (parent, child, slot) in enumerate(graph.edges())
    ]
    out.setdefault("warnings", [])
    out.setdefault("notes", [])
    return out


def json_result(value, gradient_items, digits=None):
    """{"value", "gradient"} with strict JSON numbers, rounded to `digits` when asked."""
    return {
        "value": json_number(rounded(value, digits)),
        "gradient": {name: json_number(rounded(g, digits)) for name, g in gradient_items},
    }


def to_json(obj, indent=None):
    return raw_numbers(json.dumps(obj, allow_nan=False, indent=indent, ensure_ascii=False))


def csv_text(rows):
    """Rows of cells as CSV text (RFC 4180 quoting, \\n line ends)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerows(rows)
    return buf.getvalue()


def csv_result(result, digits=None, wrt=None):
    items = gradient_items(result, wrt)
    header = ["value"] + [f"d/d{name}" for name, _ in items]
    row = [format_number(result.value, digits)] + [format_number(g, digits) for _, g in items]
    if result.stats is not None:
        for key, v in stats_items(result.stats):
            header.append(key)
            row.append(count_digits(v) if isinstance(v, int) else v)
    return csv_text([header, row])


# -- records: one per batch line or point ------------------------------------------------
#
# A record is a dict: {"line", "value", "gradient": {name: partial}} (floats), with "warnings"
# and "notes" when there are any, or {"line", "error"}. csv and plain rows are built from
# columns (lists of floats), so a whole chunk of points prints in one formatting pass; a single
# record goes through the same code as a chunk of one, so both print alike.


def jsonl_record(rec, digits=None):
    """One JSON line: line, value and gradient (or error), warnings and notes."""
    if "error" in rec:
        return to_json(rec) + "\n"
    out = {"line": rec["line"], **json_result(rec["value"], rec["gradient"].items(), digits)}
    out.update((key, rec[key]) for key in ("warnings", "notes") if key in rec)
    if "failed" in rec:  # --strict: the numbers, and why the line counts as failed
        out["error"] = rec["failed"]
    return to_json(out) + "\n"


def csv_header(names):
    """The csv header of batch and points output: `line,value,error,d/dNAME,...`."""
    return csv_text([["line", "value", "error", *(f"d/d{name}" for name in names)]])


def csv_rows(lines, values, partials, digits=None):
    """csv rows under csv_header, from columns: line numbers, values, a list per partial; the
    error cell is empty. (Numbers and line numbers never need quoting.)"""
    spec = _number_spec(digits)
    return _fill("%d," + spec + "," + "".join("," + spec for _ in partials) + "\n", [lines, values, *partials], ",")


def csv_record(rec, names, digits=None):
    """A record as a csv row under csv_header(names); a name the record lacks has partial 0."""
    if "error" in rec:
        return csv_text([[rec["line"], "", rec["error"], *[""] * len(names)]])
    gradient = rec["gradient"]
    if "failed" in rec:  # --strict: the numbers, and why the line counts as failed
        numbers = [format_number(x, digits) for x in (rec["value"], *(gradient.get(name, 0.0) for name in names))]
        return csv_text([[rec["line"], numbers[0], rec["failed"], *numbers[1:]]])
    return csv_rows([rec["line"]], [rec["value"]], [[gradient.get(name, 0.0)] for name in names], digits)


def plain_rows(values, partials, digits=None, drop_value=False):
    """A line per result: the value, then each partial, tab-separated (only the partials
    when `drop_value`: -q with --wrt)."""
    columns = list(partials) if drop_value else [values, *partials]
    return _fill("\t".join([_number_spec(digits)] * len(columns)) + "\n", columns, "\t")


def plain_record(rec, digits=None, drop_value=False):
    """A record as a plain line; an error is `error<TAB>line N: message`."""
    if "error" in rec:
        return f"error\tline {rec['line']}: {rec['error']}\n"
    return plain_rows([rec["value"]], [[g] for g in rec["gradient"].values()], digits, drop_value)


def _number_spec(digits):
    """The %-format that writes a float as format_number does, but for the ".0" of an
    integral number: repr, or `digits` significant digits (both spell nan, inf, -inf alike)."""
    return "%r" if digits is None else f"%.{digits}g"


def _fill(row, columns, sep):
    """Rows of the %-template `row`, one per entry of the columns, in one formatting pass (no
    Python loop per number: --points writes millions); then integral numbers drop their ".0",
    as format_number does (repr writes ".0" nowhere else, and the rows hold only numbers and
    the separator `sep`)."""
    text = (row * len(columns[0])) % tuple(chain.from_iterable(zip(*columns)))
    return text.replace(".0" + sep, sep).replace(".0\n", "\n")


def point_records(names, lines, values, partials, errors):
    """A chunk of points as records, the bad rows' error records in their places."""
    good = (
        (line, {"line": line, "value": v, "gradient": dict(zip(names, g))})
        for line, v, *g in zip(lines, values, *partials)
    )
    return _in_line_order(good, ((line, error_record(line, message)) for line, message in errors))


def points_text(fmt, names, lines, values, partials, errors, digits=None, drop_value=False):
    """A chunk of points as csv (under csv_header(names)), plain or jsonl text, built a column
    at a time; the bad rows' error records in their places."""
    if fmt == "jsonl":
        return "".join(jsonl_record(rec, digits) for rec in point_records(names, lines, values, partials, errors))
    if fmt == "csv":
        rows = csv_rows(lines, values, partials, digits)
        error_text = lambda rec: csv_record(rec, names)  # noqa: E731
    else:
        rows = plain_rows(values, partials, digits, drop_value)
        error_text = plain_record
    if not errors:
        return rows
    bad = ((line, error_text(error_record(line, message))) for line, message in errors)
    return "".join(_in_line_order(zip(lines, rows.splitlines(keepends=True)), bad))


def _in_line_order(good, bad):
    """The items of two runs of (line, item) pairs, each in line order, merged in line order."""
    return (item for _, item in heapq.merge(good, bad, key=lambda pair: pair[0]))


def record_tables(rec, digits=None):
    """Rich renderables for one record: a `line N` title over its value and partials, or its error."""
    from rich.table import Table
    from rich.text import Text

    if "error" in rec:
        return [Text(f"line {rec['line']}: error: {rec['error']}", style="red")]
    table = Table(show_header=True, header_style="bold")
    table.add_column("quantity", overflow="fold")
    _number_column(table, "value")
    for label, x in [("value", rec["value"]), *((f"d/d{name}", g) for name, g in rec["gradient"].items())]:
        table.add_row(Text(label), Text(format_number(x, digits)))
    failed = [Text(f"line {rec['line']}: error: {rec['failed']}", style="red")] if "failed" in rec else []
    return [Text(f"line {rec['line']}", style="italic"), _Fitted(lambda width: table), *failed]


# -- tables ------------------------------------------------------------------------------
#
# A number is never cut or split across rows: number columns do not wrap, labels fold, and in
# the edge table a long label gives way to its node's id (#N). A table that cannot fit the
# console even so is drawn wider than the console, never with a number cut.

ROLE_TAGS = {"constant": "(not needed)", "unused": "(unused)"}  # see engine.reverse.node_roles
ROLE_WORDS = {"constant": "not needed for the gradient: depends on no input",
              "unused": "not on a path to the output"}
_LABEL_MIN = 4  # the narrowest a folding label column is made before the table grows instead


def select_nodes(program, items):
    """The node ids `--nodes` names, in id order: each item (comma-separated too) is a name
    (an input or an assigned name), a node id, or an id range A-B. Unknown ones: UsageError."""
    from ..core.errors import UsageError

    graph = program.graph
    n = len(graph)
    by_name = {name: i for i, name in graph.names.items()}
    by_name.update(zip(program.input_names, program.input_ids))
    chosen = bytearray(n)
    for item in (part.strip() for text in items for part in text.split(",")):
        lo, dash, hi = item.partition("-")
        if item.isdigit() or (dash and lo.strip().isdigit() and hi.strip().isdigit()):
            a, b = int(lo), int(hi) if dash else int(lo)
            if not (a <= b < n):
                raise UsageError(f"--nodes {item}: the nodes are numbered 0 to {n - 1}")
            chosen[a:b + 1] = b"\x01" * (b - a + 1)
        elif item in by_name:
            chosen[by_name[item]] = 1
        else:
            names = ", ".join(dict.fromkeys([*program.input_names, *graph.names.values()])) or "none"
            raise UsageError(f"--nodes {item or repr(item)}: not a node id (0 to {n - 1}), "
                             f"an id range A-B, or a name of the program (names: {names})")
    return [i for i in range(n) if chosen[i]]


class _Fitted:
    """A table built for the width it is drawn at (`build(width)` returns it), drawn wider
    than that when its numbers and narrowest labels need more: numbers are never cut."""

    def __init__(self, build):
        self.build = build

    def __rich_console__(self, console, options):
        table = self.build(options.max_width)
        need = _least_width(table)
        yield from console.render(table, options.update_width(need) if need > options.max_width else options)


def _least_width(table):
    """The narrowest `table` can be drawn without cutting a number: no-wrap columns at their
    widest cell, folding ones at _LABEL_MIN (or their widest cell, if less), plus padding and
    the vertical lines."""
    from rich.cells import cell_len

    total = len(table.columns) + 1
    for column in table.columns:
        widest = max([_cell_width(c) for c in column._cells] + [cell_len(str(column.header))])
        total += 2 + (widest if column.no_wrap else min(widest, _LABEL_MIN))
    return total


def _cell_width(cell):
    from rich.cells import cell_len

    return cell.cell_len if hasattr(cell, "cell_len") else cell_len(str(cell))


def _number_column(table, name):
    table.add_column(name, justify="right", no_wrap=True)


def tables(result, digits=None, wrt=None, max_rows=40, nodes=None):
    """Rich renderables: the gradient, every node (value, adjoint), every edge (local partial,
    contribution), each table followed by a legend of the marks it uses. `nodes` (ids, from
    select_nodes) keeps only those nodes and the edges touching them. Past `max_rows` rows a
    table says how many more there are."""
    from rich.table import Table
    from rich.text import Text

    num = lambda x: Text("not computed" if x is None else format_number(x, digits))  # noqa: E731
    program = result.program
    graph = program.graph
    labels = graph.labels()
    roles, edge_roles = result.roles, result.edge_roles
    out_label = labels[program.output]
    # Titles are lines of their own: a table's title wraps at the table's width.
    title = lambda text: Text(text, style="italic")  # noqa: E731
    d_out = out_label if out_label.isidentifier() else f"({out_label})"  # ∂(x + y)/∂x

    summary = Table(show_header=True, header_style="bold")
    summary.add_column("quantity", overflow="fold")
    _number_column(summary, "value")
    summary.add_row(Text(f"{out_label}"), num(result.value))
    for name, g in gradient_items(result, wrt):
        summary.add_row(Text(f"∂{d_out}/∂{name}"), num(g))

    picked = list(range(len(graph))) if nodes is None else list(nodes)
    of = "" if nodes is None else f" of {len(graph)}"
    nodes_title = title(f"Nodes ({len(picked)}{of}; forward sweep computes value, reverse sweep adjoint = ∂{d_out}/∂node)")
    table = Table(header_style="bold")
    table.add_column("id", justify="right", no_wrap=True)
    table.add_column("node", overflow="fold")
    table.add_column("op", no_wrap=True)
    table.add_column("parents", overflow="fold")
    _number_column(table, "value")
    _number_column(table, "adjoint")
    shown = picked if max_rows is None else picked[:max_rows]
    marks = set()
    for i in shown:
        table.add_row(
            str(i),
            _labelled(labels[i], roles[i], marks),
            graph.op[i],
            Text(", ".join(map(str, graph.parents[i]))),
            num(result.values[i]),
            num(result.adjoints[i]),
        )
    parts = [title("Result"), _Fitted(lambda width: summary), nodes_title, _Fitted(lambda width: table)]
    if len(shown) < len(picked):
        parts.append(Text(f"… {len(picked) - len(shown)} more nodes (--all shows every row)"))
    parts += _legend(marks, "node")

    if nodes is None:
        picked_edges = list(range(len(result.partials)))
    else:
        keep = bytearray(len(graph))
        for i in nodes:
            keep[i] = 1
        picked_edges = [e for e, (p, c, _) in enumerate(graph.edges()) if keep[p] or keep[c]]
    of = "" if nodes is None else f" of {len(result.partials)}"
    edges_title = title(f"Edges ({len(picked_edges)}{of}; contribution = adjoint(child) × local partial ∂child/∂parent)")
    edge_list = list(graph.edges()) if picked_edges else []
    shown = picked_edges if max_rows is None else picked_edges[:max_rows]
    contributions = result.contributions  # a derived list: build it once, not once per row
    rows = [(edge_list[e][0], edge_list[e][1], edge_roles[e], num(result.partials[e]), num(contributions[e]))
            for e in shown]
    edge_marks = set()
    parts += [edges_title, _Fitted(lambda width: _edge_table(rows, labels, width, edge_marks))]
    if len(shown) < len(picked_edges):
        parts.append(Text(f"… {len(picked_edges) - len(shown)} more edges (--all shows every row)"))
    parts.append(_Legend(edge_marks, "edge"))
    if result.stats is not None:
        parts.append(_Fitted(lambda width: stats_table(result.stats)))
    for note in result.notes:
        parts.append(Text(f"note: {note}"))
    return parts


def _labelled(label, role, marks):
    """A label cell: the label, then the role's tag when the row is not on the gradient's path;
    `marks` collects what the legend must explain."""
    from rich.text import Text

    cell = Text(label)
    if "#" in label:
        marks.add("#")
    if role in ROLE_TAGS:
        marks.add(role)
        cell.append(" " + ROLE_TAGS[role], style="dim")
    return cell


def _edge_table(rows, labels, width, marks):
    """The edge table for `width` columns: `parent → child` in labels, a long label giving way
    to its node id `#N` where the labels would fold."""
    from rich.table import Table

    table = Table(header_style="bold")
    table.add_column("parent → child", overflow="fold")
    _number_column(table, "local partial")
    _number_column(table, "contribution")
    numbers = [max([len(h)] + [r[k].cell_len for r in rows]) for h, k in (("local partial", 3), ("contribution", 4))]
    room = max(width - sum(numbers) - 10, _LABEL_MIN)  # 4 vertical lines, 3 paddings of 2
    marks.clear()
    for parent, child, role, partial, contribution in rows:
        a, b = labels[parent], labels[child]
        if len(a) + len(b) + 3 > room:  # the longer label gives way first, then the other
            if len(a) >= len(b):
                a = f"#{parent}"
            else:
                b = f"#{child}"
            if len(a) + len(b) + 3 > room:
                a, b = f"#{parent}", f"#{child}"
        table.add_row(_labelled(f"{a} → {b}", role, marks), partial, contribution)
    return table


_LEGENDS = {
    "node": {
        "#": "#N in a label is node N (the id column), written so when its own label is long.",
        "constant": "(not needed): depends on no input, so the gradient does not need it; its "
                    "adjoint is still the true ∂output/∂node.",
        "unused": "(unused): the output does not depend on it: adjoint 0.",
    },
    "edge": {
        "#": "#N is node N of the Nodes table (a long label gives way to its id; --nodes N shows its row).",
        "constant": "(not needed): out of a node that depends on no input: the gradient does "
                    "not need it; partial and contribution are still the true numbers.",
        "unused": "(unused): into a node the output does not depend on: it contributes 0.",
    },
}


def _legend(marks, kind):
    """The legend lines for the marks a table used, in a fixed order."""
    from rich.text import Text

    return [Text(_LEGENDS[kind][m], style="dim") for m in ("#", "constant", "unused") if m in marks]


class _Legend:
    """The legend of a table built at draw time (the edge table): its marks are known only
    once it is drawn, which is just before this is."""

    def __init__(self, marks, kind):
        self.marks, self.kind = marks, kind

    def __rich_console__(self, console, options):
        yield from _legend(self.marks, self.kind)


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
_UNSHARED = ("paths", "tree_size")  # what the chain rule would cost without sharing


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


def stats_table(stats):
    """The Stats as a rich table: this sweep's own counts, then the unshared chain rule's."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title="Stats (counted while the gradient's sweeps ran)", title_justify="left", header_style="bold")
    table.add_column("quantity", overflow="fold")
    _number_column(table, "value")
    for key, v in stats_items(stats):
        if key == _UNSHARED[0]:
            table.add_section()
            table.add_row(Text("the chain rule without sharing:", style="italic"), "")
        table.add_row(Text(STAT_LABELS[key]), Text(stat_text(v)))
    return table


# -- derivative programs, Hessians, gradient checks --------------------------------------


def _table(*columns, whole_numbers=False):
    """A rich Table with these (name, justify) columns, numbers folding instead of cut; with
    `whole_numbers` the right-justified ones hold numbers that never wrap (draw it through
    _Fitted, so that nothing is cut either)."""
    from rich.table import Table

    table = Table(header_style="bold")
    for name, justify in columns:
        if whole_numbers and justify == "right":
            _number_column(table, name)
        else:
            table.add_column(name, justify=justify, overflow="fold")
    return table


def derivatives_record(d, inline=False):
    """`gradcli diff` as JSON: the shared program, and one program per partial."""
    from ..core.printing import program_text

    return {
        "output": d.output,
        "wrt": d.wrt,
        "order": d.order,
        "program": program_text(d.statements(inline)),
        "nodes": d.nodes(),
        "program_nodes": d.program_nodes,
        "partials": [
            {
                "wrt": list(wrt),
                "name": name,
                "program": program_text(d.statements(inline, [(name, node)])),
                "nodes": d.nodes([(name, node)]),
            }
            for name, (wrt, node) in zip(d.names, d.partials)
        ],
    }


def derivatives_tables(d, inline=False):
    """The derivative program as a table of statements, the partials in bold."""
    from rich.text import Text

    table = _table(("name", "left"), ("expression", "left"))
    outputs = set(d.names)
    for name, text in d.statements(inline):
        table.add_row(Text(name or "", style="bold" if name in outputs else ""), Text(text))
    title = (f"Derivative program, order {d.order}: {d.nodes()} nodes "
             f"(the program has {d.program_nodes})")
    return [Text(title, style="italic"), table]


def _second_items(s):
    """(label, number) rows of a SecondOrder: value, gradient, then the Hessian or H·v."""
    names = s.input_names
    rows = [("value", s.result.value), *((f"d/d{n}", g) for n, g in s.result.gradient.items())]
    if s.hessian is not None:
        rows += [(f"d2/d{a}/d{b}", h) for a, row in zip(names, s.hessian) for b, h in zip(names, row)]
    else:
        rows += [(f"Hv[{n}]", h) for n, h in zip(names, s.hvp)]
    return rows


def second_order_plain(s, digits=None):
    """`gradcli hessian` plain: one `name value` pair a line, as `gradcli eval` prints."""
    return "".join(f"{k} {format_number(v, digits)}\n" for k, v in _second_items(s))


def second_order_record(s, digits=None):
    """`gradcli hessian` JSON: value, gradient, inputs, and hessian (rows) or v and hvp."""
    r = lambda x: json_number(rounded(x, digits))  # noqa: E731
    out = json_result(s.result.value, s.result.gradient.items(), digits)
    out["inputs"] = list(s.input_names)
    if s.hessian is not None:
        out["hessian"] = [[r(h) for h in row] for row in s.hessian]
    else:
        out["v"] = [r(v) for v in s.vector]
        out["hvp"] = {n: r(h) for n, h in zip(s.input_names, s.hvp)}
    out["warnings"] = list(s.warnings)
    out["notes"] = list(s.result.notes)
    return out


def second_order_csv(s, digits=None):
    """`gradcli hessian` csv: one row per input: its partial, then its Hessian row (or v, Hv)."""
    names = s.input_names
    f = lambda x: format_number(x, digits)  # noqa: E731
    gradient = list(s.result.gradient.values())
    if s.hessian is not None:
        rows = [["input", "gradient", *names]]
        rows += [[n, f(g), *map(f, row)] for n, g, row in zip(names, gradient, s.hessian)]
    else:
        rows = [["input", "gradient", "v", "hvp"]]
        rows += [[n, f(g), f(v), f(h)] for n, g, v, h in zip(names, gradient, s.vector, s.hvp)]
    return csv_text(rows)


def second_order_tables(s, digits=None):
    """The value and gradient, then the Hessian as a matrix (or v and H·v per input)."""
    from rich.text import Text

    num = lambda x: Text(format_number(x, digits))  # noqa: E731
    names = s.input_names
    summary = _table(("quantity", "left"), ("value", "right"), whole_numbers=True)
    summary.add_row("value", num(s.result.value))
    for n, g in s.result.gradient.items():
        summary.add_row(Text(f"∂/∂{n}"), num(g))
    if s.hessian is not None:
        title = "Hessian (row ∂/∂a, column ∂/∂b: ∂²/∂a∂b)"
        matrix = _table(("", "left"), *((n, "right") for n in names), whole_numbers=True)
        for n, row in zip(names, s.hessian):
            matrix.add_row(Text(n, style="bold"), *map(num, row))
    else:
        title = "Hessian-vector product"
        matrix = _table(("input", "left"), ("v", "right"), ("H·v", "right"), whole_numbers=True)
        for n, v, h in zip(names, s.vector, s.hvp):
            matrix.add_row(Text(n), num(v), num(h))
    parts = [Text("Result", style="italic"), _Fitted(lambda width: summary), Text(title, style="italic"),
             _Fitted(lambda width: matrix)]
    return parts + [Text(f"note: {note}") for note in s.result.notes]


def _check_rows(report, digits):
    f = lambda x: format_number(x, digits)  # noqa: E731
    return [(c.label, f(c.claimed), f(c.estimate), format_number(c.abs_error, 2),
             format_number(c.rel_error, 2), c.status) for c in report.comparisons]


def _check_columns(report):
    return ("partial", "gradcli", report.reference, "abs error", "rel error", "status")


def check_plain(report, digits=None):
    """`gradcli check` plain: a header line, then one space-separated line per partial."""
    lines = [" ".join(c.replace(" ", "_") for c in _check_columns(report))]
    lines += [" ".join(row) for row in _check_rows(report, digits)]
    return "\n".join(lines) + "\n"


def check_record(report, digits=None):
    """`gradcli check` JSON: the verdict, the tolerances and every comparison."""
    r = lambda x: json_number(rounded(x, digits))  # noqa: E731
    return {
        "value": r(report.result.value),
        "ok": report.ok,
        "verdict": report.verdict,
        "rtol": report.rtol,
        "atol": report.atol,
        "checks": [
            {"wrt": list(c.wrt), "gradcli": r(c.claimed), report.reference.replace(" ", "_"): r(c.estimate),
             "abs_error": json_number(c.abs_error), "rel_error": json_number(c.rel_error),
             "status": c.status, "explanation": c.explanation}
            for c in report.comparisons
        ],
        "warnings": list(report.result.warnings),
        "notes": list(report.result.notes),
    }


def check_tables(report, digits=None):
    """The comparisons as a table, then each explanation and the verdict."""
    from rich.text import Text

    table = _table(*((c, "left" if k in (0, 5) else "right") for k, c in enumerate(_check_columns(report))))
    styles = {"ok": "green", "convention": "yellow", "inconclusive": "magenta", "cannot_check": "magenta", "mismatch": "bold red"}
    for row, c in zip(_check_rows(report, digits), report.comparisons):
        table.add_row(*map(Text, row[:-1]), Text(row[-1], style=styles[c.status]))
    title = f"Gradient check against {report.reference} (rtol {report.rtol:g}, atol {report.atol:g})"
    parts = [Text(title, style="italic"), table]
    parts += [Text(f"{c.label}: {c.explanation}") for c in report.comparisons if c.explanation]
    return parts + [Text(f"verdict: {report.verdict}", style=styles[report.verdict])]
