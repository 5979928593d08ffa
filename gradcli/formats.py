"""Rendering results: table (rich, imported only here and only when asked), plain, json, jsonl, csv.

Every renderer returns text or renderables; the CLI decides where they go. Numbers print with
repr round-trip precision unless `digits` asks for fewer significant digits. JSON is strict
RFC 8259: non-finite numbers are the strings "nan", "inf", "-inf".
"""

import csv
import io
import json

from .numerics import format_number, json_number

FORMATS = ("table", "plain", "json", "jsonl", "csv")


def rounded(x, digits):
    """`x` rounded to `digits` significant digits (unchanged when digits is None)."""
    if digits is None or x is None or x != x or x in (float("inf"), float("-inf")):
        return x
    return float(f"{x:.{digits}g}")


def gradient_items(result, wrt=None):
    """(input name, partial) pairs, all inputs or those in `wrt`, in the order asked."""
    gradient = result.gradient
    names = wrt if wrt else list(gradient)
    return [(name, gradient[name]) for name in names]


# -- one result --------------------------------------------------------------------------


def plain(result, digits=None, wrt=None, quiet=False):
    """`value V` then `d/dNAME G` per input, one pair a line; bare numbers when quiet."""
    rows = [("value", result.value)] + [(f"d/d{name}", g) for name, g in gradient_items(result, wrt)]
    if quiet:
        if wrt:
            rows = rows[1:]
        return "".join(f"{format_number(v, digits)}\n" for _, v in rows)
    return "".join(f"{k} {format_number(v, digits)}\n" for k, v in rows)


def record(result, digits=None, wrt=None):
    """The short record of a result: value and gradient (plus warnings and notes if any)."""
    out = {
        "value": json_number(rounded(result.value, digits)),
        "gradient": {name: json_number(rounded(g, digits)) for name, g in gradient_items(result, wrt)},
    }
    if result.warnings:
        out["warnings"] = list(result.warnings)
    if result.notes:
        out["notes"] = list(result.notes)
    return out


def full_record(result, digits=None, wrt=None):
    """The whole computation: the record plus every node and every edge."""
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
        }
        for i, op in enumerate(graph.op)
    ]
    out["edges"] = [
        {
            "from": parent,
            "to": child,
            "slot": slot,
            "partial": r(result.partials[e]),
            "contribution": r(result.contributions[e]),
        }
        for e, (parent, child, slot) in enumerate(graph.edges())
    ]
    out.setdefault("warnings", [])
    out.setdefault("notes", [])
    return out


def to_json(obj, indent=None):
    return json.dumps(obj, allow_nan=False, indent=indent, ensure_ascii=False)


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
    return csv_text([header, row])


# -- tables ------------------------------------------------------------------------------


def tables(result, digits=None, wrt=None, max_rows=40):
    """Rich renderables: the gradient, every node (value, adjoint), every edge (local partial,
    contribution). Past `max_rows` rows a table says how many more there are."""
    from rich.table import Table
    from rich.text import Text

    num = lambda x: Text("—" if x is None else format_number(x, digits))  # noqa: E731
    program = result.program
    graph = program.graph
    labels = graph.labels()
    out_label = labels[program.output]

    summary = Table(title="Result", title_justify="left", show_header=True, header_style="bold")
    summary.add_column("quantity", overflow="fold")
    summary.add_column("value", justify="right", overflow="fold")
    summary.add_row(Text(f"{out_label}"), num(result.value))
    for name, g in gradient_items(result, wrt):
        summary.add_row(Text(f"∂{out_label}/∂{name}"), num(g))

    nodes = Table(
        title=f"Nodes ({len(graph)}; forward sweep computes value, reverse sweep adjoint = ∂{out_label}/∂node)",
        title_justify="left",
        header_style="bold",
    )
    for col, kw in [
        ("id", {"justify": "right"}),
        ("node", {"overflow": "fold"}),
        ("op", {}),
        ("parents", {"overflow": "fold"}),
        ("value", {"justify": "right", "overflow": "fold"}),
        ("adjoint", {"justify": "right", "overflow": "fold"}),
    ]:
        nodes.add_column(col, **kw)
    shown = len(graph) if max_rows is None else min(len(graph), max_rows)
    for i in range(shown):
        nodes.add_row(
            str(i),
            Text(labels[i]),
            graph.op[i],
            Text(", ".join(map(str, graph.parents[i]))),
            num(result.values[i]),
            num(result.adjoints[i]),
        )
    parts = [summary, nodes]
    if shown < len(graph):
        parts.append(Text(f"… {len(graph) - shown} more nodes (--all shows every row)"))

    n_edges = len(result.partials)
    edges = Table(
        title=f"Edges ({n_edges}; contribution = adjoint(child) × local partial ∂child/∂parent)",
        title_justify="left",
        header_style="bold",
    )
    for col, kw in [
        ("parent → child", {"overflow": "fold"}),
        ("local partial", {"justify": "right", "overflow": "fold"}),
        ("contribution", {"justify": "right", "overflow": "fold"}),
    ]:
        edges.add_column(col, **kw)
    shown = n_edges if max_rows is None else min(n_edges, max_rows)
    for e, (parent, child, _slot) in enumerate(graph.edges()):
        if e >= shown:
            break
        edges.add_row(
            Text(f"{labels[parent]} → {labels[child]}"),
            num(result.partials[e]),
            num(result.contributions[e]),
        )
    parts.append(edges)
    if shown < n_edges:
        parts.append(Text(f"… {n_edges - shown} more edges (--all shows every row)"))
    for note in result.notes:
        parts.append(Text(f"note: {note}"))
    return parts
