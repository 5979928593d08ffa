"""The commands: eval, explain, graph, diff, check, batch (hessian and the other drivers: derivatives.py). Each parses its options,
calls the library and shows what it returns (output.show); the library is imported inside a
command, so that each command loads only what it uses.
"""

import click

from ..core.errors import EvaluationFailed, UsageError
from ..derived.check import ATOL, RTOL
from ..io.lines import parse_point
from .options import (
    at_option,
    color_option,
    digits_option,
    format_option,
    json_option,
    load_outputs,
    load_program,
    of_option,
    output_format,
    program_input,
    quiet_option,
    strategy_option,
    strict_option,
    wrt_option,
)
from .output import Messages, out, print_tables, report, reported, require_finite, show, show_each, write
from .precision import (
    batch_number_type,
    number_type,
    parse_correlations,
    precision_options,
    print_budget,
    reference_check,
    reference_option,
    refuse_plus_minus,
    uncertainty_budget,
    uncertainty_options,
)


@click.command("eval")
@program_input()
@output_format("table", "plain", "json", "jsonl", "csv")
@digits_option()
@wrt_option()
@quiet_option()
@click.option("--all", "show_all", is_flag=True, help="Tables: show every node and edge.")
@click.option("--max-rows", type=click.IntRange(1), default=40, show_default=True, help="Tables: rows shown per table.")
@click.option(
    "--nodes", multiple=True, metavar="NAME|ID|A-B",
    help="Tables: only these nodes (names, ids, id ranges; repeatable or comma-separated) and the edges touching them.",
)
@strict_option()
@color_option()
@strategy_option()
@click.option("--stats", is_flag=True, help="Add what the sweeps counted, and the chain rule's size without sharing.")
@click.option(
    "--points", metavar="FILE",
    help="Evaluate at every point of FILE, a record per point: CSV with a header naming the inputs, "
         "or JSON Lines ('-' for stdin).",
)
@precision_options
@uncertainty_options
def eval_command(program, at, file, fmt, digits, wrt, quiet, show_all, max_rows, nodes, strict, color, strategy, stats,
                 points, precision, uncertainty, correlation, seed_rng):
    """Evaluate PROGRAM and every partial derivative at the --at point (or at every point of --points FILE)."""
    from ..engine.evaluate import check_wrt, evaluate, named_numbers
    from ..render.tables import select_nodes

    if points is not None:
        refuse_plus_minus(parse_point(at), correlation)
        eval_points(program, file, points, at, fmt, digits, wrt, quiet, strict, color, precision, nodes=nodes,
                    stats=stats, strategy=strategy)
        return
    compiled = load_program(program, file)
    wrt = check_wrt(wrt, compiled.input_names)
    if nodes and fmt != "table":
        raise UsageError("--nodes picks rows of the node and edge tables: use it with -o table")
    selected = select_nodes(compiled, nodes) if nodes else None
    # every edge's partial and every adjoint where nodes and edges are printed
    m, point = number_type(precision, compiled), parse_point(at)
    result = evaluate(compiled, point, strategy, stats, full=fmt in ("table", "json"), m=m)
    report(result, fmt)
    if (budget := uncertainty_budget(result, point, uncertainty, correlation, seed_rng, m)) is not None:
        return print_budget(result, budget, fmt, digits, wrt, quiet, color, out, print_tables)
    show(result, fmt, color, digits=digits, wrt=wrt, quiet=quiet, max_rows=None if show_all else max_rows,
         nodes=selected)
    if strict:
        require_finite(named_numbers(result.value, result.gradient.items()))


def eval_points(program, file, path, at, fmt, digits, wrt, quiet, strict, color, precision=None, **refused):
    """eval --points: a record per point, each chunk of points computed by one pair of sweeps
    (with --precision, point by point in mpmath)."""
    from ..engine.evaluate import check_wrt
    from ..io.lines import open_input
    from ..io.points import Points, check_options, check_sources

    check_sources(file, path)
    compiled = load_program(program, file)
    wrt = check_wrt(wrt, compiled.input_names)
    check_options(fmt, **refused)
    m = None if precision is None else number_type(precision, compiled)
    points = Points(compiled, open_input(path), parse_point(at), wrt, strict, csv=fmt == "csv", m=m)
    show_each(points.chunks(), fmt, color, digits=digits, drop_value=quiet and bool(wrt))
    points.check()


@click.command("explain")
@program_input()
@digits_option(4, "Significant digits in the steps.")
@click.option("--all", "show_all", is_flag=True, help="Show every node and step (default: the first and last 10).")
@json_option("The steps as JSON, at full precision.")
@color_option("Colour (default: on a terminal, unless NO_COLOR).")
@of_option("Explain only these outputs (assigned names), one reverse sweep each.")
@precision_options
def explain_command(program, at, file, digits, show_all, as_json, color, of, precision):
    """Write out the reverse sweep step by step: each node's adjoint as the sum over its
    children of adjoint × local partial, with symbols and numbers, ending with the gradient
    (with several outputs: the forward sweep once, then a reverse sweep per output)."""
    from ..derived.explain import explain

    compiled = load_outputs(program, file, of)
    ex = explain(compiled, parse_point(at), number_type(precision, compiled))
    report(ex)
    show(ex, "json" if as_json else "table" if color else "plain", True, digits=digits, show_all=show_all)


@click.command("graph")
@program_input(at="Input values: label the graph with numbers.")
@format_option("dot", "mermaid", "tree", default="tree",
               help="Graphviz DOT, a Mermaid flowchart, or a tree in the terminal.")
@click.option("--backward", is_flag=True, help="Draw the backprop graph B (adjoints, local partials) instead of G.")
@digits_option(4, "Significant digits.")
@click.option("--max-depth", type=click.IntRange(1), default=12, show_default=True, help="Tree: levels shown.")
@color_option("Colour in the tree (default: on a terminal, unless NO_COLOR).")
@of_option("Draw only these outputs (assigned names); B then has an adjoint for each.")
def graph_command(program, at, file, fmt, backward, digits, max_depth, color, of):
    """Draw the forward graph G of PROGRAM (or, with --backward, the backprop graph B, with
    an adjoint per output when there are several)."""
    from ..derived.explain import messages, output_results
    from ..render.drawing import Drawing

    compiled = load_outputs(program, file, of)
    results = output_results(compiled, parse_point(at)) if at else None
    if results is not None:
        report(Messages(*messages(results)))
    show(Drawing(compiled, results, backward, digits), fmt, color, max_depth=max_depth)


@click.command("diff")
@program_input(at=None)
@wrt_option("Differentiate by these inputs only (repeatable).")
@click.option("--order", type=click.IntRange(1), default=1, show_default=True,
              help="Order of the partials: 2 for second partials, ...")
@click.option("--inline", is_flag=True, help="Each partial as one expression, refused when that would be far larger.")
@output_format("table", "plain", "json")
@color_option()
@of_option("Differentiate only these outputs (assigned names).")
def diff_command(program, file, wrt, order, inline, fmt, color, of):
    """Print the partial derivatives of PROGRAM as a program in gradcli's own language
    (with several outputs: every output's partials, in one program)."""
    from ..derived.diff import Derivatives
    from ..engine.evaluate import check_wrt

    compiled = load_outputs(program, file, of)
    show(Derivatives(compiled, check_wrt(wrt, compiled.input_names), order), fmt, color, inline=inline)


@click.command("check")
@program_input()
@click.option("--of", "of", metavar="NAME[,NAME...]", help="These assigned names are the outputs.")
@click.option("--rtol", type=click.FloatRange(0), default=RTOL, show_default=True, help="Relative tolerance.")
@click.option("--atol", type=click.FloatRange(0), default=ATOL, show_default=True, help="Absolute tolerance.")
@click.option("--hessian", "with_hessian", is_flag=True,
              help="Check the Hessian too (finite differences of the gradient; one output).")
@click.option("--jacobian", "with_jacobian", is_flag=True,
              help="Check every Jacobian entry (finite differences of each output; implied by several outputs).")
@click.option("--dir", "direction", multiple=True, metavar="NAME=VALUE",
              help="Check J·v, and for one output H·v, along this direction (left out: 0).")
@output_format("table", "plain", "json")
@digits_option()
@color_option()
@reference_option
def check_command(program, at, file, of, rtol, atol, with_hessian, with_jacobian, direction, fmt, digits, color, reference):
    """Compare the reverse sweep's gradient (and Hessian), every Jacobian entry (several
    outputs), or J·v and H·v (--dir) with finite differences at the --at point; exit 1 when one
    differs by more than atol + rtol × |finite difference|."""
    from .derivatives import load_outputs

    compiled = load_outputs(program, file, of)
    asked = check_question(compiled, with_hessian, with_jacobian, direction)
    checked = run_check(compiled, parse_point(at), rtol, atol, asked, reference)
    report(check_messages(checked, fmt), fmt)
    show(checked, fmt, color, digits=digits)
    if not checked.ok:
        failed = "; ".join(f"{c.label}: {c.explanation}" for c in checked.failures)
        raise EvaluationFailed(f"{checked.title} failed (rtol {rtol:g}, atol {atol:g}): {failed}")


def check_question(compiled, with_hessian, with_jacobian, direction):
    """What `check` compares: ("gradient", with_hessian), ("jacobian", None) (asked for, or a
    program with several outputs) or ("direction", v)."""
    names = compiled.output_names
    if with_hessian + with_jacobian + bool(direction) > 1:
        raise UsageError("--hessian, --jacobian and --dir each say what to check: give one of them")
    if direction:
        return "direction", parse_point(direction, "--dir")
    if with_hessian and len(names) > 1:
        raise UsageError(f"--hessian checks one output's Hessian and the program has {len(names)} outputs "
                         f"({', '.join(names)}): pick one with --of NAME, or drop --hessian to check the Jacobian")
    if with_jacobian or len(names) > 1:
        return "jacobian", None
    return "gradient", with_hessian


def run_check(compiled, point, rtol, atol, asked, reference):
    """The report for `asked` (check_question's), against finite differences or 50 digits."""
    if reference == "precision":
        return reference_check(compiled, point, rtol, atol, asked)
    from ..derived.check import check_gradient
    from ..derived.check_drivers import check_direction, check_jacobian

    kind, arg = asked
    if kind == "direction":
        return check_direction(compiled, point, arg, rtol, atol)
    if kind == "jacobian":
        return check_jacobian(compiled, point, rtol, atol)
    return check_gradient(compiled, point, rtol, atol, arg)


def check_messages(checked, fmt):
    """A check's warnings, and as notes what the format has no place for: each partial's
    explanation in plain (the table and the JSON carry them), and an unsure verdict."""
    notes = [f"{c.label}: {c.explanation}" if c.status == "convention" else f"{c.label}: {c.status}: {c.explanation}"
             for c in checked.comparisons if c.status in ("convention", "inconclusive", "cannot_check")]
    notes = notes if fmt == "plain" else []
    if checked.verdict in ("inconclusive", "cannot_check"):
        notes.append(f"verdict: {checked.verdict} "
                     "(exit 0: no partial was found wrong, but not every one could be confirmed)")
    return Messages(checked.result.warnings, notes)


@click.command("batch")
@click.argument("path", required=False, default="-")
@at_option("Input values for every line; a line's own `@ NAME=VALUE` wins.")
@format_option("table", "plain", "jsonl", "csv")
@digits_option()
@wrt_option()
@quiet_option()
@strict_option()
@color_option()
@strategy_option()
@precision_options
@uncertainty_options
def batch_command(path, at, fmt, digits, wrt, quiet, strict, color, strategy, precision, uncertainty, correlation,
                  seed_rng):
    """Evaluate one program per line of PATH (stdin when PATH is - or absent): one record per
    line, in order, written as it is computed. A line may carry its own point:
    `sin(w)*w @ w=1, x=2`; a value with ± (`x=1.5±0.01`) adds the line's uncertainty budget.
    Blank lines and # comment lines are skipped. A bad line gets an error record and the batch
    goes on; the exit status is then 1."""
    from ..derived.uncertainty import parse_method
    from ..io.batch import Batch
    from ..io.lines import open_input
    from ..render import render

    parse_method(uncertainty)  # a bad method stops the run before the first line
    batch = Batch(parse_point(at), wrt, strict, csv=fmt == "csv", strategy=strategy,
                  number_type=batch_number_type(precision), uncertainty=uncertainty,
                  correlations=parse_correlations(correlation), seed=seed_rng)
    records = reported(batch.records(open_input(path)), fmt)
    # batch.columns is read as each record is rendered: csv's columns are fixed by the first result
    write((render(rec, fmt, digits=digits, names=batch.columns, uncertainty=batch.budget_columns,
                  drop_value=quiet and bool(wrt)) for rec in records), fmt, color)
    batch.check()


COMMANDS = (eval_command, explain_command, graph_command, diff_command, check_command, batch_command)
