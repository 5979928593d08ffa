"""The derivative drivers over one DAG: jacobian, jvp, vjp (and, with them, hessian --dir and
taylor). Each parses its options, calls the library, and writes through the CLI's one output
path, so errors, warnings and exit codes are those of `gradcli eval`."""

import click

from ..core.errors import UsageError
from ..core.graph import Literal
from ..io.lines import parse_point
from .options import (
    color_option,
    digits_option,
    load_outputs,
    of_option,
    output_format,
    program_input,
    stacked,
    strict_option,
)
from .output import report, require_finite, show, show_each
from .precision import correlation_option, number_type, precision_options, refuse_plus_minus, with_covariance

_common = stacked(  # the options every driver shares: the program, the point, the format, --strict
    program_input(),
    of_option(),
    output_format("table", "plain", "json", "csv"),
    digits_option(),
    strict_option(help="Exit 1 when a value or a derivative is not finite."),
    color_option(),
    precision_options,
)


def write(result, fmt, digits, strict, color, stats=False):
    """Report warnings and notes, show `result` in its format (with --stats' sparsity counts),
    apply --strict: the path every command's output takes."""
    if stats and fmt == "csv":
        raise UsageError("--stats adds counts that have no place in csv: use -o plain, json or table")
    report(result, fmt)
    show(result, fmt, color, digits=digits, stats=stats)
    if strict:
        require_finite(result.numbers)


def sparse_options(f):
    f = click.option("--stats", is_flag=True, help="With --sparse: the pattern's nonzeros and the sweeps against the dense count.")(f)
    return click.option("--sparse", is_flag=True, help="Colour the structural sparsity pattern: one sweep per colour.")(f)


def check_stats(sparse, stats):
    if stats and not sparse:
        raise UsageError("--stats counts the sweeps of --sparse: add --sparse")


points_option = click.option(
    "--points", metavar="FILE",
    help="At every point of FILE (CSV with a header naming inputs, or JSON Lines; '-' for stdin): a jsonl record per point.")


def at_points(compute, path, defaults, fmt, strict):
    """A jsonl record per point (`compute(point)` gives the result), an error record for a bad
    row or a failed point; exit 1 when any failed (io.driver_points)."""
    from ..io.driver_points import DriverPoints, require_jsonl
    from ..io.lines import open_input

    if click.get_current_context().get_parameter_source("fmt") is click.core.ParameterSource.DEFAULT:
        fmt = None  # no -o: a record per point is jsonl, terminal or not
    require_jsonl(fmt)
    run = DriverPoints(compute, defaults, strict)
    show_each(run.records(open_input(path)), "jsonl")
    run.check()


def known(pairs, names):
    """The pairs of a --dir or --seed whose name is one of `names`: under --points the others
    are ignored, as --at's are (for one program the library refuses them: exit 2)."""
    return None if pairs is None else {n: x for n, x in pairs.items() if n in names}


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
def jacobian_command(program, at, file, of, fmt, digits, strict, color, precision, mode, sparse, stats, points, correlation):
    """Every output's value and the Jacobian of PROGRAM (rows: outputs, columns: inputs) at the
    --at point; with `±` values (x=1.5±0.01), each output's σ and their covariance J Σ Jᵀ."""
    from ..derived.sparse import sparse_jacobian
    from ..engine.jacobian import jacobian

    check_stats(sparse, stats)
    compiled, compute, point = load_outputs(program, file, of), sparse_jacobian if sparse else jacobian, parse_point(at)
    m = number_type(precision, compiled)
    if points is not None:
        refuse_plus_minus(point, correlation)
        return at_points(lambda p: compute(compiled, p, mode, m), points, point, fmt, strict)
    write(with_covariance(compute(compiled, point, mode, m), point, correlation, m), fmt, digits, strict, color, stats)


@click.command("jvp")
@_common
@click.option("--dir", "direction", multiple=True, metavar="NAME=VALUE", help="The direction v over the inputs (left out: 0).")
@points_option
def jvp_command(program, at, file, of, fmt, digits, strict, color, precision, direction, points):
    """The outputs' values and J·v at the --at point, by one forward-mode (tangent) sweep."""
    from ..engine.jacobian import jvp

    compiled, v = load_outputs(program, file, of), parse_pairs(direction, "--dir")
    m = number_type(precision, compiled)
    if points is not None:
        v = known(v, compiled.input_names)
        return at_points(lambda p: jvp(compiled, p, v, m), points, parse_point(at), fmt, strict)
    write(jvp(compiled, parse_point(at), v, m), fmt, digits, strict, color)


@click.command("vjp")
@_common
@click.option("--seed", "seed", multiple=True, metavar="NAME=VALUE",
              help="The output weights u, by output name (an unnamed output's is its text, e.g. x*w=1; left out: 0; one output: 1).")
@points_option
def vjp_command(program, at, file, of, fmt, digits, strict, color, precision, seed, points):
    """The outputs' values and u·J at the --at point, by one reverse-mode (adjoint) sweep."""
    from ..engine.jacobian import output_weights, vjp

    compiled, u = load_outputs(program, file, of), parse_point(seed, "--seed", labels=True) if seed else None
    m = number_type(precision, compiled)
    if points is not None:
        u = output_weights(compiled, known(u, compiled.output_names), m)  # checked once, before any point
        return at_points(lambda p: vjp(compiled, p, u, m), points, parse_point(at), fmt, strict)
    write(vjp(compiled, parse_point(at), u, m), fmt, digits, strict, color)


@click.command("hessian")
@_common
@click.option("--hvp", metavar="V1,V2,...", help="Only H·v, v in input order (forward over reverse: one sweep).")
@click.option("--dir", "direction", multiple=True, metavar="NAME=VALUE", help="Only H·v, v by name (left out: 0).")
@sparse_options
def hessian_command(program, at, file, of, fmt, digits, strict, color, precision, hvp, direction, sparse, stats):
    """Value, gradient and Hessian of PROGRAM at the --at point (reverse over reverse on the
    derivative graph, or --sparse: one H·v per colour), or H·v alone with --dir or --hvp
    (forward over reverse: O(edges))."""
    from ..derived.hessian import hessian, hessian_vector_product
    from ..derived.hessian import hvp as hessian_times
    from ..derived.sparse import sparse_hessian

    if hvp is not None and direction:
        raise UsageError("--hvp and --dir both give the vector v: use one (--dir NAME=VALUE, or --hvp in input order)")
    if sparse and (hvp is not None or direction):
        raise UsageError("--sparse computes the whole Hessian, and --hvp/--dir one product H·v: use one")
    check_stats(sparse, stats)
    compiled = load_outputs(program, file, of)
    point, m = parse_point(at), number_type(precision, compiled)
    if direction:
        s = hessian_times(compiled, point, parse_point(direction, "--dir"), m)
    elif hvp is not None:
        s = hessian_vector_product(compiled, point, parse_vector(hvp), m)
    else:
        s = (sparse_hessian if sparse else hessian)(compiled, point, m)
    write(s, fmt, digits, strict, color, stats)


@click.command("taylor")
@_common
@click.option("--dir", "direction", multiple=True, metavar="NAME=VALUE", help="The direction v over the inputs (left out: 0).")
@click.option("--order", type=int, default=2, show_default=True, help="The highest derivative K (0 to 40).")
def taylor_command(program, at, file, of, fmt, digits, strict, color, precision, direction, order):
    """d^k/dt^k f(x + t·v) at t = 0 for k = 0..K of a single output, by Taylor-mode propagation."""
    from ..derived.taylor import taylor

    compiled = load_outputs(program, file, of)
    result = taylor(compiled, parse_point(at), parse_pairs(direction, "--dir"), order, number_type(precision, compiled))
    write(result, fmt, digits, strict, color)


def parse_vector(text):
    """`--hvp 1,0,-2` -> [1.0, 0.0, -2.0], each keeping its decimal text (for --precision)."""
    try:
        return [Literal(part.strip()) for part in text.split(",")]
    except ValueError:
        raise UsageError(f"--hvp {text!r}: expected numbers separated by commas, one per input, e.g. --hvp 1,0") from None


COMMANDS = (jacobian_command, jvp_command, vjp_command, hessian_command, taylor_command)
