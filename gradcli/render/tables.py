"""Tables (rich renderables): one result's nodes and edges, records, derivative programs,
Hessians, the drivers' results (Jacobians, J·v, u·J, Taylor mode), gradient checks, stats. Each renderer returns a list to print, numbers never cut
(see fitted.py); rich is imported only when a table is drawn.
"""

from ..engine.evaluate import gradient_items, named_numbers
from ..numbers.text import format_number
from . import renders
from .fitted import LABEL_MIN, Fitted, Legend, fitted, labelled, legend, new_table, number_column, quantity_table, title
from .text import STAT_LABELS, check_columns, check_rows, first_order_vector, stat_text, stats_items


def select_nodes(program, items):
    """The node ids `--nodes` names, in id order: each item (comma-separated too) is a name
    (an input or an assigned name), a node id, or an id range A-B. Unknown ones: UsageError."""
    from ..core.errors import UsageError

    graph = program.graph
    n = len(graph)
    by_name = {name: i for i, name in graph.names.items()}
    by_name.update(zip(program.input_names, program.input_ids, strict=True))
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


def _numbers(digits):
    """A number cell: the number at `digits`, or `not computed` for a partial the sweep skipped."""
    from rich.text import Text

    return lambda x: Text("not computed" if x is None else format_number(x, digits))


# -- one result --------------------------------------------------------------------------


@renders("Result", "table")
def tables(result, digits=None, wrt=None, max_rows=40, nodes=None):
    """The gradient, every node (value, adjoint), every edge (local partial, contribution),
    each table followed by a legend of the marks it uses. `nodes` (ids, from select_nodes)
    keeps only those nodes and the edges touching them. Past `max_rows` rows (None: no limit)
    a table says how many more there are."""
    from rich.text import Text

    num = _numbers(digits)
    out_label = result.program.graph.labels()[result.program.output]
    d_out = out_label if out_label.isidentifier() else f"({out_label})"  # ∂(x + y)/∂x
    summary = quantity_table()
    summary.add_row(Text(f"{out_label}"), num(result.value))
    for name, g in gradient_items(result, wrt):
        summary.add_row(Text(f"∂{d_out}/∂{name}"), num(g))
    parts = [title("Result"), fitted(summary)]
    parts += _node_parts(result, num, d_out, max_rows, nodes)
    parts += _edge_parts(result, num, max_rows, nodes)
    if result.stats is not None:
        parts.append(Fitted(lambda width: stats_table(result.stats)))
    return parts + [Text(f"note: {note}") for note in result.notes]


def _more(shown, picked, what):
    """The line under a table cut at --max-rows."""
    from rich.text import Text

    if len(shown) == len(picked):
        return []
    return [Text(f"… {len(picked) - len(shown)} more {what} (--all shows every row)")]


def _node_parts(result, num, d_out, max_rows, nodes):
    """The Nodes table's title, the table, and its legend."""
    from rich.table import Table
    from rich.text import Text

    graph = result.program.graph
    labels = graph.labels()
    picked = list(range(len(graph))) if nodes is None else list(nodes)
    of = "" if nodes is None else f" of {len(graph)}"
    table = Table(header_style="bold")
    table.add_column("id", justify="right", no_wrap=True)
    table.add_column("node", overflow="fold")
    table.add_column("op", no_wrap=True)
    table.add_column("parents", overflow="fold")
    number_column(table, "value")
    number_column(table, "adjoint")
    shown = picked if max_rows is None else picked[:max_rows]
    marks = set()
    for i in shown:
        table.add_row(str(i), labelled(labels[i], result.roles[i], marks), graph.op[i],
                      Text(", ".join(map(str, graph.parents[i]))), num(result.values[i]), num(result.adjoints[i]))
    head = title(f"Nodes ({len(picked)}{of}; forward sweep computes value, reverse sweep adjoint = ∂{d_out}/∂node)")
    return [head, fitted(table), *_more(shown, picked, "nodes"), *legend(marks, "node")]


def _edge_parts(result, num, max_rows, nodes):
    """The Edges table's title, the table (built at the width it is drawn at), and its legend."""
    graph = result.program.graph
    if nodes is None:
        picked = list(range(len(result.partials)))
    else:
        keep = bytearray(len(graph))
        for i in nodes:
            keep[i] = 1
        picked = [e for e, (p, c, _) in enumerate(graph.edges()) if keep[p] or keep[c]]
    of = "" if nodes is None else f" of {len(result.partials)}"
    head = title(f"Edges ({len(picked)}{of}; contribution = adjoint(child) × local partial ∂child/∂parent)")
    edge_list = list(graph.edges()) if picked else []
    shown = picked if max_rows is None else picked[:max_rows]
    contributions = result.contributions  # a derived list: build it once, not once per row
    rows = [(edge_list[e][0], edge_list[e][1], result.edge_roles[e], num(result.partials[e]), num(contributions[e]))
            for e in shown]
    marks = set()
    labels = graph.labels()
    table = Fitted(lambda width: _edge_table(rows, labels, width, marks))
    return [head, table, *_more(shown, picked, "edges"), Legend(marks, "edge")]


def _edge_table(rows, labels, width, marks):
    """The edge table for `width` columns: `parent → child` in labels, a long label giving way
    to its node id `#N` where the labels would fold."""
    from rich.table import Table

    table = Table(header_style="bold")
    table.add_column("parent → child", overflow="fold")
    number_column(table, "local partial")
    number_column(table, "contribution")
    numbers = [max([len(h)] + [r[k].cell_len for r in rows]) for h, k in (("local partial", 3), ("contribution", 4))]
    room = max(width - sum(numbers) - 10, LABEL_MIN)  # 4 vertical lines, 3 paddings of 2
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
        table.add_row(labelled(f"{a} → {b}", role, marks), partial, contribution)
    return table


_UNSHARED = ("paths", "tree_size")  # what the chain rule would cost without sharing


def stats_table(stats):
    """The Stats as a rich table: this sweep's own counts, then the unshared chain rule's."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title="Stats (counted while the gradient's sweeps ran)", title_justify="left", header_style="bold")
    table.add_column("quantity", overflow="fold")
    number_column(table, "value")
    for key, v in stats_items(stats):
        if key == _UNSHARED[0]:
            table.add_section()
            table.add_row(Text("the chain rule without sharing:", style="italic"), "")
        table.add_row(Text(STAT_LABELS[key]), Text(stat_text(v)))
    return table


# -- records: one per batch line or point ------------------------------------------------


@renders("Record", "table")
def record_tables(rec, digits=None):
    """A `line N` title over the record's value and partials, or its error."""
    from rich.text import Text

    if "error" in rec:
        return [Text(f"line {rec['line']}: error: {rec['error']}", style="red")]
    table = quantity_table()
    for label, x in named_numbers(rec["value"], rec["gradient"].items()):
        table.add_row(Text(label), Text(format_number(x, digits)))
    below = [Text(f"line {rec['line']}: error: {rec['failed']}", style="red")] if "failed" in rec else []
    if "budget" in rec:  # a line with ± values: eval's budget tables
        from .uncertainty import budget_tables

        below = [*budget_tables(rec["budget"], digits), *below]
    return [title(f"line {rec['line']}"), fitted(table), *below]


@renders("Chunk", "table")
def chunk_tables(chunk, digits=None):
    return [r for rec in chunk.records() for r in record_tables(rec, digits)]


# -- derivative programs, Hessians, gradient checks --------------------------------------


@renders("Derivatives", "table")
def derivatives_tables(d, inline=False):
    """The derivative program as a table of statements, the partials in bold (with several
    outputs, a column says whose partial each is)."""
    from rich.text import Text

    several = len(d.output_names) > 1
    table = new_table(("name", "left"), *([("of", "left")] if several else []), ("expression", "left"))
    outputs = dict(zip(d.names, d.of, strict=True))
    for name, text in d.statements(inline):
        of = [Text(outputs.get(name, ""))] if several else []
        table.add_row(Text(name or "", style="bold" if name in outputs else ""), *of, Text(text))
    return [title(f"Derivative program, order {d.order}: {d.nodes()} nodes (the program has {d.program_nodes})"), table]


@renders("SecondOrder", "table")
def second_order_tables(s, digits=None, stats=False):
    """The value and gradient, then the Hessian as a matrix (or v and H·v per input)."""
    from rich.text import Text

    num = lambda x: Text(format_number(x, digits))
    names = s.input_names
    summary = quantity_table()
    summary.add_row("value", num(s.result.value))
    for n, g in s.result.gradient.items():
        summary.add_row(Text(f"∂/∂{n}"), num(g))
    if s.hessian is not None:
        head = "Hessian (row ∂/∂a, column ∂/∂b: ∂²/∂a∂b)"
        matrix = new_table(("", "left"), *((n, "right") for n in names), whole_numbers=True)
        for n, row in zip(names, s.hessian, strict=True):
            matrix.add_row(Text(n, style="bold"), *map(num, row))
    else:
        head = "Hessian-vector product"
        matrix = new_table(("input", "left"), ("v", "right"), ("H·v", "right"), whole_numbers=True)
        for n, v, h in zip(names, s.vector, s.hvp, strict=True):
            matrix.add_row(Text(n), num(v), num(h))
    parts = [title("Result"), fitted(summary), title(head), fitted(matrix)]
    return parts + [Text(f"note: {note}") for note in s.result.notes] + sparsity_parts(s, stats)


def sparsity_parts(result, stats):
    """--stats under a --sparse result's tables: the pattern's nonzeros and the sweeps against
    the dense count."""
    if not stats:
        return []
    c = dict(result.sparsity.items())
    dense = " (the pattern is dense: colouring saves nothing)" if c["dense"] else ""
    return [title(f"sparsity: {c['nonzeros']} structural nonzeros; {c['sweeps']} sweeps, "
                  f"dense: {c['dense_sweeps']}{dense}")]


_STYLES = {"ok": "green", "convention": "yellow", "inconclusive": "magenta", "cannot_check": "magenta",
           "mismatch": "bold red"}


@renders("CheckReport", "table")
def check_tables(report, digits=None):
    """The comparisons as a table, then each explanation and the verdict."""
    from rich.text import Text

    table = new_table(*((c, "left" if k in (0, 5) else "right") for k, c in enumerate(check_columns(report))))
    for row, c in zip(check_rows(report, digits), report.comparisons, strict=True):
        table.add_row(*map(Text, row[:-1]), Text(row[-1], style=_STYLES[c.status]))
    parts = [title(f"{report.title[:1].upper()}{report.title[1:]} against {report.reference} (rtol {report.rtol:g}, atol {report.atol:g})"), table]
    parts += [Text(f"{c.label}: {c.explanation}") for c in report.comparisons if c.explanation]
    return parts + [Text(f"verdict: {report.verdict}", style=_STYLES[report.verdict])]


# -- the drivers: Jacobians, J·v, u·J, Taylor mode ---------------------------------------


@renders("FirstOrder", "table")
def first_order_tables(d, digits=None, stats=False):
    """The outputs' values, then the Jacobian (rows = outputs, columns = inputs) or the vector."""
    from rich.text import Text

    num = lambda x: Text(format_number(x, digits))
    values = new_table(("output", "left"), ("value", "right"), whole_numbers=True)
    for o, v in zip(d.outputs, d.values, strict=True):
        values.add_row(Text(o), num(v))
    if d.jacobian is not None:
        head = f"Jacobian (row: output, column: input; {d.mode} mode, {d.sweeps} sweeps)"
        matrix = new_table(("", "left"), *((n, "right") for n in d.inputs), whole_numbers=True)
        for o, row in zip(d.outputs, d.jacobian, strict=True):
            matrix.add_row(Text(o, style="bold"), *map(num, row))
    else:
        kind, names, xs = first_order_vector(d)
        head = "J·v (one forward-mode sweep)" if kind == "jvp" else "u·J (one reverse-mode sweep)"
        matrix = new_table(("output" if kind == "jvp" else "input", "left"), (kind, "right"), whole_numbers=True)
        for n, x in zip(names, xs, strict=True):
            matrix.add_row(Text(n), num(x))
    parts = [title("Values"), fitted(values), title(head), fitted(matrix)]
    if d.covariance is not None:
        from .uncertainty import covariance_tables

        parts += covariance_tables(d.covariance, digits)
    return parts + [Text(f"note: {note}") for note in d.notes] + sparsity_parts(d, stats)


@renders("Taylor", "table")
def taylor_tables(t, digits=None):
    """The k-th derivatives along v, one row each, under the direction."""
    from rich.text import Text

    table = new_table(("k", "right"), ("d^k/dt^k f(x + t·v)", "right"), whole_numbers=True)
    for k, x in enumerate(t.derivatives):
        table.add_row(Text(str(k)), Text(format_number(x, digits)))
    v = ", ".join(f"{n}={format_number(x)}" for n, x in t.direction.items())
    return [title(f"Taylor mode along v = ({v})"), fitted(table), *(Text(f"note: {note}") for note in t.notes)]
