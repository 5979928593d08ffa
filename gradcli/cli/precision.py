"""`--precision DIGITS`: the option, shared by eval, batch, explain and the derivative drivers, and
the number type it picks.

mpmath is imported only when the option is given (numbers/mp.py), so a float64 run never pays
for it.
"""

import math

import click

from ..core.errors import UsageError
from ..numbers import number_type

MIN_DIGITS, MAX_DIGITS = 1, 10_000  # numbers/mp.py's range, repeated so float64 runs skip mpmath


def precision_options(f):
    """The --precision option, for a command that evaluates at a point."""
    return click.option(
        "--precision", type=click.IntRange(MIN_DIGITS, MAX_DIGITS), metavar="DIGITS",
        help=f"Compute with DIGITS significant digits ({MIN_DIGITS}..{MAX_DIGITS}; mpmath, with guard "
        "digits) instead of float64; literals and input values (--at, --dir, points) are read as decimals.",
    )(f)


def batch_number_type(digits):
    """Per batch line: a function of its program, or None for float64."""
    if digits is None:
        return None
    return lambda program: number_type(digits, program)


# -- uncertainty: ±, --uncertainty, --correlation, --seed-rng ---------------------------------


def correlation_option(f):
    """--correlation: for eval and jacobian (and batch) with `±` values."""
    return click.option("--correlation", "correlation", multiple=True, metavar="X:Y=R",
                        help="Correlation of two ± inputs, -1..1 (repeatable, or comma-separated).")(f)


def uncertainty_options(f):
    """--uncertainty, --correlation, --seed-rng: for `eval` and `batch` with `±` values."""
    f = click.option("--seed-rng", type=click.IntRange(0), default=0, show_default=True, metavar="S",
                     help="Monte Carlo: the random generator's seed (named in the output).")(f)
    f = correlation_option(f)
    return click.option("--uncertainty", "uncertainty", default=None, metavar="METHOD",
                        help="With ± inputs: first-order (default), second-order, or mc:N (N Monte Carlo samples).")(f)


def parse_correlations(specs):
    """{(x, y): r} from `x:y=0.3` items."""
    found = {}
    for spec in specs:
        for part in filter(None, (p.strip() for p in spec.split(","))):
            pair, eq, text = part.partition("=")
            a, colon, b = (s.strip() for s in pair.partition(":"))
            try:
                r = float(text)
            except ValueError:
                r = math.nan
            if not (eq and colon and a and b) or not -1 <= r <= 1:
                raise UsageError(f"--correlation {part!r}: expected X:Y=R with R between -1 and 1, e.g. --correlation x:y=0.3")
            found[(a, b)] = r
    return found


NEEDS_PLUS_MINUS = "--uncertainty and --correlation need an input with an uncertainty: --at x=1.5±0.01"


def uncertainty_budget(result, point, uncertainty, correlation, seed, m):
    """The Budget, or None when no input carries `±` (then the options are refused if given)."""
    from ..derived.uncertainty import budget

    correlations = parse_correlations(correlation)
    found = budget(result, point, uncertainty, correlations, m, seed)
    if found is None and (uncertainty is not None or correlations):
        raise UsageError(NEEDS_PLUS_MINUS)
    return found


def print_budget(result, b, fmt, digits, wrt, quiet, color, write, tables):
    """eval's output with an uncertainty budget, in every format (write: text out; tables: rich out)."""
    from ..numbers.text import format_number
    from ..render.json import full_record, record, to_json
    from ..render.tables import tables as result_tables
    from ..render.text import csv_result, plain
    from ..render.uncertainty import budget_record, budget_tables, counted_pairs_text

    if fmt == "table":
        tables([*result_tables(result, digits, wrt, 40), *budget_tables(b, digits)], color)
    elif fmt == "plain":
        write(plain(result, digits, wrt, quiet) + counted_pairs_text(b.pairs(), digits))
    elif fmt in ("json", "jsonl"):
        rec = full_record(result, digits, wrt) if fmt == "json" else record(result, digits, wrt)
        write(to_json({**rec, **budget_record(b, digits)}, indent=2 if fmt == "json" else None) + "\n")
    else:
        pairs = b.columns()
        head, row = csv_result(result, digits, wrt).splitlines()
        write(head + "," + ",".join(k for k, _ in pairs) + "\n" + row + ","
              + ",".join(format_number(x, digits) for _, x in pairs) + "\n")


def with_covariance(result, point, correlation, m):
    """jacobian's result, with each output's σ and J Σ Jᵀ when an input carries `±` (without
    one, --correlation is refused)."""
    from ..derived.uncertainty import covariance

    correlations = parse_correlations(correlation)
    result.covariance = covariance(result, point, correlations, m)
    if result.covariance is None and correlations:
        raise UsageError("--correlation needs inputs with an uncertainty: --at x=1.5±0.01")
    return result


def refuse_plus_minus(point, correlation=()):
    """--points with `±` --at values (or --correlation): exit 2, saying what is accepted."""
    if correlation or any(getattr(v, "sigma", None) is not None for v in point.values()):
        raise UsageError("± values (and --correlation) are for one point, --at, not --points: "
                         "give each point's plain values in the file")


# -- check --reference precision ---------------------------------------------------------------


def reference_option(f):
    """--reference differences|precision for `check`."""
    return click.option("--reference", type=click.Choice(["differences", "precision"]), default="differences", show_default=True,
                        help="Compare with finite differences, or with a 50-digit evaluation (mpmath) of the same sweeps.")(f)


def reference_check(program, point, rtol, atol, asked):
    """check --reference precision: the report, as the finite-difference checks' (`asked`:
    commands.check_question's)."""
    from ..derived import reference

    kind, arg = asked
    if kind == "gradient" and arg:
        raise UsageError("--reference precision checks the gradient, the Jacobian or --dir: drop --hessian, "
                         "or use --reference differences")
    if kind == "direction":
        return reference.check_direction_against_precision(program, point, arg, rtol, atol)
    if kind == "jacobian":
        return reference.check_jacobian_against_precision(program, point, rtol, atol)
    return reference.check_against_precision(program, point, rtol, atol)
