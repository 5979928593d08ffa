"""JSON and JSON Lines: a command's one document, or a record per line.

JSON is strict RFC 8259: non-finite numbers are the strings "nan", "inf", "-inf". A `*_record`
function builds the JSON-ready data (tests and the library read it); @documents registers it
as its type's json renderer, which writes that data as one indented document.
"""

import functools
import json

from ..engine.evaluate import gradient_items
from ..numbers.text import format_number, json_count, json_number, raw_numbers
from . import renders
from .text import first_order_vector, stats_items


def rounded(x, digits):
    """`x` rounded to `digits` significant digits (unchanged when digits is None)."""
    if digits is None or x is None or x != x or x in (float("inf"), float("-inf")):
        return x
    if getattr(x, "shown_digits", None) is not None:  # an arbitrary-precision number stays one
        return x.context.mpf(format_number(x, digits))
    return float(f"{x:.{digits}g}")


def to_json(obj, indent=None):
    """Strict JSON; an arbitrary-precision number is a number literal with every digit."""
    return raw_numbers(json.dumps(obj, allow_nan=False, indent=indent, ensure_ascii=False))


def documents(kind):
    """Register the decorated `build(obj, **options)` (JSON-ready data) as the json renderer of
    record type `kind`: the data as one document, indented, on its own lines."""

    def register(build):
        @functools.wraps(build)  # the registry reads the options from build's signature
        def document(obj, **options):
            return to_json(build(obj, **options), indent=2) + "\n"

        renders(kind, "json")(document)
        return build

    return register


def json_result(value, gradient_items, digits=None):
    """{"value", "gradient"} with strict JSON numbers, rounded to `digits` when asked."""
    return {
        "value": json_number(rounded(value, digits)),
        "gradient": {name: json_number(rounded(g, digits)) for name, g in gradient_items},
    }


# -- one result --------------------------------------------------------------------------


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


@renders("Result", "jsonl")
def result_line(result, digits=None, wrt=None):
    return to_json(record(result, digits, wrt)) + "\n"


@documents("Result")
def full_record(result, digits=None, wrt=None):
    """The whole computation: the record plus every node and every edge, each with its role
    (engine.reverse.node_roles); a full result (evaluate(..., full=True)) gives every edge a partial."""
    graph = result.program.graph
    labels = graph.labels()
    r = lambda x: json_number(rounded(x, digits))
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


# -- records: one per batch line or point ------------------------------------------------


@renders("Record", "jsonl")
def jsonl_record(rec, digits=None):
    """One JSON line: line, value and gradient (or error), warnings and notes."""
    if "error" in rec:
        return to_json(rec) + "\n"
    out = {"line": rec["line"], **json_result(rec["value"], rec["gradient"].items(), digits)}
    out.update((key, rec[key]) for key in ("warnings", "notes") if key in rec)
    if "budget" in rec:  # a line with ± values: eval's keys
        from .uncertainty import budget_record

        out.update(budget_record(rec["budget"], digits))
    if "failed" in rec:  # --strict: the numbers, and why the line counts as failed
        out["error"] = rec["failed"]
    return to_json(out) + "\n"


@renders("Chunk", "jsonl")
def chunk_lines(chunk, digits=None):
    return "".join(jsonl_record(rec, digits) for rec in chunk.records())


# -- derivative programs, Hessians, gradient checks --------------------------------------


@documents("Derivatives")
def derivatives_record(d, inline=False):
    """`gradcli diff` as JSON: the shared program, and one program per partial (with several
    outputs, `outputs` instead of `output`, and each partial says whose it is)."""
    from ..core.printing import program_text

    several = len(d.output_names) > 1
    return {
        **({"outputs": d.output_names} if several else {"output": d.output}),
        "wrt": d.wrt,
        "order": d.order,
        "program": program_text(d.statements(inline)),
        "nodes": d.nodes(),
        "program_nodes": d.program_nodes,
        "partials": [
            {
                **({"output": of} if several else {}),
                "wrt": list(wrt),
                "name": name,
                "program": program_text(d.statements(inline, [(name, node)])),
                "nodes": d.nodes([(name, node)]),
            }
            for name, of, (wrt, node) in zip(d.names, d.of, d.partials, strict=True)
        ],
    }


@documents("SecondOrder")
def second_order_record(s, digits=None, stats=False):
    """`gradcli hessian` JSON: value, gradient, inputs, and hessian (rows) or v and hvp."""
    r = lambda x: json_number(rounded(x, digits))
    out = json_result(s.result.value, s.result.gradient.items(), digits)
    out["inputs"] = list(s.input_names)
    if s.hessian is not None:
        out["hessian"] = [[r(h) for h in row] for row in s.hessian]
    else:
        out["v"] = [r(v) for v in s.vector]
        out["hvp"] = {n: r(h) for n, h in zip(s.input_names, s.hvp, strict=True)}
    out["warnings"] = list(s.warnings)
    out["notes"] = list(s.result.notes)
    return with_sparsity(out, s, stats)


def with_sparsity(out, result, stats):
    """The record `out` of a --sparse result, with its --stats counts under "sparsity" when asked."""
    if stats:
        out["sparsity"] = dict(result.sparsity.items())
    return out


@documents("CheckReport")
def check_record(report, digits=None):
    """`gradcli check` JSON: the verdict, the tolerances and every comparison; `outputs` and
    `values` in place of `value` where a Jacobian (or J·v of several outputs) was checked."""
    r = lambda x: json_number(rounded(x, digits))
    values = ({"value": r(report.result.value)} if report.outputs is None
              else {"outputs": list(report.outputs), "values": [r(v) for v in report.result.values]})
    direction = {} if report.direction is None else {"direction": {n: r(v) for n, v in report.direction.items()}}
    return {
        **values,
        **direction,
        "ok": report.ok,
        "verdict": report.verdict,
        "rtol": report.rtol,
        "atol": report.atol,
        "checks": [
            {"label": c.label, "kind": c.kind, "output": c.output, "wrt": list(c.wrt), "gradcli": r(c.claimed),
             report.reference.replace(" ", "_"): r(c.estimate),
             "abs_error": json_number(c.abs_error), "rel_error": json_number(c.rel_error),
             "status": c.status, "explanation": c.explanation}
            for c in report.comparisons
        ],
        "warnings": list(report.result.warnings),
        "notes": list(report.result.notes),
    }


# -- the drivers: Jacobians, J·v, u·J, Taylor mode ---------------------------------------


@documents("FirstOrder")
def first_order_record(d, digits=None, stats=False):
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
        kind, names, xs = first_order_vector(d)
        out[kind] = {n: r(x) for n, x in zip(names, xs, strict=True)}
    out["warnings"] = list(d.warnings)
    out["notes"] = list(d.notes)
    if d.covariance is not None:  # ± inputs: each output's σ and J Σ Jᵀ
        from .uncertainty import covariance_record

        out.update(covariance_record(d.covariance, digits))
    return with_sparsity(out, d, stats)


@renders("PointResult", "jsonl")
def point_result_line(p):
    """A driver's record of one --points point: its line, its result's fields at full
    precision, and why --strict counts it failed."""
    out = {"line": p.line, **first_order_record(p.result)}
    if p.failed is not None:
        out["failed"] = p.failed
    return to_json(out) + "\n"


@documents("Taylor")
def taylor_record(t, digits=None):
    """`gradcli taylor` JSON: the value, the derivatives d0..dK and the direction."""
    return {
        "value": json_number(rounded(t.value, digits)),
        "derivatives": [json_number(rounded(x, digits)) for x in t.derivatives],
        "direction": {n: json_number(x) for n, x in t.direction.items()},
        "warnings": list(t.warnings),
        "notes": list(t.notes),
    }
