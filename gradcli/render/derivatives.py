"""Several outputs on the page: values, the Jacobian, J·v and u·J as plain, JSON, CSV and tables."""

from ..numbers.text import format_number, json_number
from .fitted import Fitted as _Fitted
from .fitted import new_table as _table
from .json import rounded
from .text import csv_text


def _vector(d):
    """(kind, names, numbers) of the one vector a jvp or vjp result holds."""
    if d.jvp is not None:
        return "jvp", d.outputs, d.jvp
    return "vjp", d.inputs, d.vjp


def plain(d, digits=None):
    """One `name value` pair a line: `value[y]` per output, then `J[y,w]` (or `jvp[y]`, `vjp[w]`)."""
    f = lambda x: format_number(x, digits)
    lines = [f"value[{o}] {f(v)}" for o, v in zip(d.outputs, d.values)]
    if d.jacobian is not None:
        lines += [f"J[{o},{i}] {f(x)}" for o, row in zip(d.outputs, d.jacobian) for i, x in zip(d.inputs, row)]
    else:
        kind, names, xs = _vector(d)
        lines += [f"{kind}[{n}] {f(x)}" for n, x in zip(names, xs)]
    return "".join(line + "\n" for line in lines)


def record(d, digits=None):
    """The contract's JSON: outputs and values, then the jacobian (rows) or the jvp / vjp
    object keyed by name, then warnings and notes."""
    r = lambda x: json_number(rounded(x, digits))
    out = {"outputs": list(d.outputs)}
    if d.jacobian is not None:
        out["inputs"] = list(d.inputs)
    out["values"] = [r(v) for v in d.values]
    if d.jacobian is not None:
        out["jacobian"] = [[r(x) for x in row] for row in d.jacobian]
        out["mode"] = d.mode
        out["sweeps"] = d.sweeps
    else:
        kind, names, xs = _vector(d)
        out[kind] = {n: r(x) for n, x in zip(names, xs)}
    out["warnings"] = list(d.warnings)
    out["notes"] = list(d.notes)
    return out


def csv(d, digits=None):
    """A row per output (its value, then its Jacobian row or its jvp), or per input for a vjp."""
    f = lambda x: format_number(x, digits)
    if d.jacobian is not None:
        rows = [["output", "value", *d.inputs]]
        rows += [[o, f(v), *map(f, row)] for o, v, row in zip(d.outputs, d.values, d.jacobian)]
    elif d.jvp is not None:
        rows = [["output", "value", "jvp"]] + [[o, f(v), f(x)] for o, v, x in zip(d.outputs, d.values, d.jvp)]
    else:
        rows = [["input", "vjp"]] + [[n, f(x)] for n, x in zip(d.inputs, d.vjp)]
    return csv_text(rows)


def tables(d, digits=None):
    """The outputs' values, then the Jacobian (rows = outputs, columns = inputs) or the vector."""
    from rich.text import Text

    num = lambda x: Text(format_number(x, digits))
    values = _table(("output", "left"), ("value", "right"), whole_numbers=True)
    for o, v in zip(d.outputs, d.values):
        values.add_row(Text(o), num(v))
    if d.jacobian is not None:
        title = f"Jacobian (row: output, column: input; {d.mode} mode, {d.sweeps} sweeps)"
        matrix = _table(("", "left"), *((n, "right") for n in d.inputs), whole_numbers=True)
        for o, row in zip(d.outputs, d.jacobian):
            matrix.add_row(Text(o, style="bold"), *map(num, row))
    else:
        kind, names, xs = _vector(d)
        title = "J·v (one forward-mode sweep)" if kind == "jvp" else "u·J (one reverse-mode sweep)"
        matrix = _table(("output" if kind == "jvp" else "input", "left"), (kind, "right"), whole_numbers=True)
        for n, x in zip(names, xs):
            matrix.add_row(Text(n), num(x))
    parts = [Text("Values", style="italic"), _Fitted(lambda width: values), Text(title, style="italic"),
             _Fitted(lambda width: matrix)]
    return parts + [Text(f"note: {note}") for note in d.notes]



def sparsity_tables(counts):
    """--stats under the tables: the pattern's nonzeros and the sweeps against the dense count."""
    from rich.text import Text

    if not counts:
        return []
    c = dict(counts)
    dense = " (the pattern is dense: colouring saves nothing)" if c["dense"] else ""
    return [Text(f"sparsity: {c['nonzeros']} structural nonzeros; {c['sweeps']} sweeps, "
                 f"dense: {c['dense_sweeps']}{dense}", style="italic")]
