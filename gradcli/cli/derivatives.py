"""The derivative drivers over one DAG: jacobian, jvp, vjp (and, with them, hessian --dir and
taylor). Each parses its options, calls the library, and writes through the CLI's one output
path, so errors, warnings and exit codes are those of `gradcli eval`."""

import click

from ..core.errors import UsageError, not_finite
from ..io.lines import parse_point
from .options import color_option, digits_option, load_program, output_format, program_input, stacked, strict_option
from .output import out, print_tables, report
from .precision import correlation_option, refuse_plus_minus, with_covariance

_common = stacked(  # the options every driver shares: the program, the point, the format, --strict
    program_input(),
    click.option("--of", "of", metavar="NAME[,NAME...]", help="These assigned names are the outputs."),
    output_format("table", "plain", "json", "csv"),
    digits_option(),
    strict_option(help="Exit 1 when a value or a derivative is not finite."),
    color_option(),
)


def load_outputs(program, file, of):
    """The compiled program, with the outputs `--of` names when given."""
    compiled = load_program(program, file)
    if of is not None:
        compiled = compiled.with_outputs([n.strip() for n in of.split(",") if n.strip()])
    return compiled


def write(result, fmt, digits, strict, color, views, stats=False):
    """Report warnings and notes, print `result` in its format by `views` (a module with
    tables, record, csv and plain for it), add --stats' sparsity counts, apply --strict."""
    from ..render import derivatives as render
    from ..render.json import to_json

    if stats and fmt == "csv":
        raise UsageError("--stats adds counts that have no place in csv: use -o plain, json or table")
    report(result, fmt)
    counts = result.sparsity.items() if stats else []
    if fmt == "table":
        print_tables([*views.tables(result, digits), *render.sparsity_tables(counts)], color)
    elif fmt == "json":
        record = views.record(result, digits)
        if stats:
            record["sparsity"] = dict(counts)
        out(to_json(record, indent=2) + "\n")
    elif fmt == "csv":
        out(views.csv(result, digits))
    else:
        out(views.plain(result, digits) + "".join(f"{k} {str(v).lower()}\n" for k, v in counts))
    failure = not_finite(result.numbers) if strict else None
    if failure is not None:
        raise failure


def sparse_options(f):
    f = click.option("--stats", is_flag=True, help="With --sparse: the pattern's nonzeros and the sweeps against the dense count.")(f)
    return click.option("--sparse", is_flag=True, help="Colour the structural sparsity pattern: one sweep per colour.")(f)


def check_stats(sparse, stats):
    if stats and not sparse:
        raise UsageError("--stats counts the sweeps of --sparse: add --sparse")


points_option = click.option(
    "--points", metavar="FILE",
    help="At every point of FILE (CSV with a header naming inputs, or JSON Lines; '-' for stdin): a jsonl record per point.")


def at_points(compute, views, path, defaults, fmt, strict):
    """A jsonl record per point (`compute(point)` gives the result), an error record for a bad
    row or a failed point; exit 1 when any failed. Only the computation is inside the except."""
    from ..core.errors import EvaluationFailed, GradcliError
    from ..io.driver_points import points, require_jsonl
    from ..io.lines import open_input
    from ..render.json import to_json

    if click.get_current_context().get_parameter_source("fmt") is click.core.ParameterSource.DEFAULT:
        fmt = None  # no -o: a record per point is jsonl, terminal or not
    require_jsonl(fmt)
    failed = 0
    for line, point in points(open_input(path)):
        try:
            if isinstance(point, str):
                raise UsageError(point)
            result = compute({**defaults, **point})
            problem = not_finite(result.numbers) if strict else None
        except GradcliError as e:
            record, problem = {"line": line, "error": e.render_line()}, None
            failed += 1
        else:
            record = {"line": line, **views.record(result)}
            if problem is not None:
                record["failed"] = problem.message
                failed += 1
        out(to_json(record) + "\n")
    if failed:
        raise EvaluationFailed(f"{failed} point{'s' if failed != 1 else ''} failed")


def parse_pairs(specs, option):
    """`--dir w=1,x=0` -> {"w": 1.0, "x": 0.0}; required."""
    if not specs:
        raise UsageError(f"{option} is required: give NAME=VALUE pairs, e.g. {option} w=1 (names left out are 0)")
    return parse_point(specs, option)


@click.command("jacobian")
@_common
@click.option("--mode", type=click.Choice(["auto", "forward", "reverse"]), default="auto", show_default=True,
              help="Forward: one tangent sweep per input; reverse: one adjoint sweep per output; auto: the fewer.")
@sparse_options
@points_option
@correlation_option
def jacobian_command(program, at, file, of, fmt, digits, strict, color, mode, sparse, stats, points, correlation):
    """Every output's value and the Jacobian of PROGRAM (rows: outputs, columns: inputs) at the
    --at point; with `±` values (x=1.5±0.01), each output's σ and their covariance J Σ Jᵀ."""
    from ..derived.sparse import sparse_jacobian
    from ..engine.jacobian import jacobian
    from ..render import derivatives as views

    check_stats(sparse, stats)
    compiled, compute, point = load_outputs(program, file, of), sparse_jacobian if sparse else jacobian, parse_point(at)
    if points is not None:
        refuse_plus_minus(point, correlation)
        return at_points(lambda p: compute(compiled, p, mode), views, points, point, fmt, strict)
    result = compute(compiled, point, mode)
    write(result, fmt, digits, strict, color, with_covariance(views, result, point, correlation), stats)


@click.command("jvp")
@_common
@click.option("--dir", "direction", multiple=True, metavar="NAME=VALUE", help="The direction v over the inputs (left out: 0).")
@points_option
def jvp_command(program, at, file, of, fmt, digits, strict, color, direction, points):
    """The outputs' values and J·v at the --at point, by one forward-mode (tangent) sweep."""
    from ..engine.jacobian import jvp
    from ..render import derivatives as views

    compiled, v = load_outputs(program, file, of), parse_pairs(direction, "--dir")
    if points is not None:
        return at_points(lambda p: jvp(compiled, p, v), views, points, parse_point(at), fmt, strict)
    write(jvp(compiled, parse_point(at), v), fmt, digits, strict, color, views)


@click.command("vjp")
@_common
@click.option("--seed", "seed", multiple=True, metavar="NAME=VALUE", help="The output weights u (left out: 0; one output: 1).")
@points_option
def vjp_command(program, at, file, of, fmt, digits, strict, color, seed, points):
    """The outputs' values and u·J at the --at point, by one reverse-mode (adjoint) sweep."""
    from ..engine.jacobian import vjp
    from ..render import derivatives as views

    compiled, u = load_outputs(program, file, of), parse_point(seed, "--seed") if seed else None
    if points is not None:
        return at_points(lambda p: vjp(compiled, p, u), views, points, parse_point(at), fmt, strict)
    write(vjp(compiled, parse_point(at), u), fmt, digits, strict, color, views)


@click.command("hessian")
@_common
@click.option("--hvp", metavar="V1,V2,...", help="Only H·v, v in input order (forward over reverse: one sweep).")
@click.option("--dir", "direction", multiple=True, metavar="NAME=VALUE", help="Only H·v, v by name (left out: 0).")
@sparse_options
def hessian_command(program, at, file, of, fmt, digits, strict, color, hvp, direction, sparse, stats):
    """Value, gradient and Hessian of PROGRAM at the --at point (reverse over reverse on the
    derivative graph, or --sparse: one H·v per colour), or H·v alone with --dir or --hvp
    (forward over reverse: O(edges))."""
    from ..derived.hessian import hessian, hessian_vector_product
    from ..derived.hessian import hvp as hessian_times
    from ..derived.sparse import sparse_hessian
    from ..render import second_order as views

    if hvp is not None and direction:
        raise UsageError("--hvp and --dir both give the vector v: use one (--dir NAME=VALUE, or --hvp in input order)")
    if sparse and (hvp is not None or direction):
        raise UsageError("--sparse computes the whole Hessian, and --hvp/--dir one product H·v: use one")
    check_stats(sparse, stats)
    compiled = load_outputs(program, file, of)
    point = parse_point(at)
    if direction:
        s = hessian_times(compiled, point, parse_point(direction, "--dir"))
    elif hvp is not None:
        s = hessian_vector_product(compiled, point, parse_vector(hvp))
    else:
        s = (sparse_hessian if sparse else hessian)(compiled, point)
    write(s, fmt, digits, strict, color, views, stats)


@click.command("taylor")
@_common
@click.option("--dir", "direction", multiple=True, metavar="NAME=VALUE", help="The direction v over the inputs (left out: 0).")
@click.option("--order", type=int, default=2, show_default=True, help="The highest derivative K (0 to 40).")
def taylor_command(program, at, file, of, fmt, digits, strict, color, direction, order):
    """d^k/dt^k f(x + t·v) at t = 0 for k = 0..K of a single output, by Taylor-mode propagation."""
    from ..derived.taylor import taylor
    from ..render import taylor as views

    result = taylor(load_outputs(program, file, of), parse_point(at), parse_pairs(direction, "--dir"), order)
    write(result, fmt, digits, strict, color, views)


def parse_vector(text):
    """`--hvp 1,0,-2` -> [1.0, 0.0, -2.0]."""
    try:
        return [float(part) for part in text.split(",")]
    except ValueError:
        raise UsageError(f"--hvp {text!r}: expected numbers separated by commas, one per input, e.g. --hvp 1,0") from None


COMMANDS = (jacobian_command, jvp_command, vjp_command, hessian_command, taylor_command)
