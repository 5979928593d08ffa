"""`--precision DIGITS`: the option, shared by eval, batch and explain, and the number type it picks.

mpmath is imported only when the option is given (numbers/mp.py), so a float64 run never pays
for it.
"""

import math

import click

from ..core.errors import UsageError
from ..numbers.float64 import FloatMath

MIN_DIGITS, MAX_DIGITS = 1, 10_000  # numbers/mp.py's range, repeated so float64 runs skip mpmath


def precision_options(f):
    """The --precision option, for a command that evaluates at a point."""
    return click.option(
        "--precision", type=click.IntRange(MIN_DIGITS, MAX_DIGITS), metavar="DIGITS",
        help=f"Compute with DIGITS significant digits ({MIN_DIGITS}..{MAX_DIGITS}; mpmath, with guard "
        "digits) instead of float64; literals and --at values are read as decimals.",
    )(f)


def number_type(digits, program):
    """The number type for `program`: float64, or mpmath at `digits` digits."""
    if digits is None:
        return FloatMath
    from ..numbers.mp import precision_math

    return precision_math(digits, program)


def batch_number_type(digits):
    """Per batch line: a function of its program, or None for float64."""
    if digits is None:
        return None
    return lambda program: number_type(digits, program)


# -- uncertainty: ±, --uncertainty, --correlation, --seed-rng ---------------------------------


def uncertainty_options(f):
    """--uncertainty, --correlation, --seed-rng: for `eval` at a point with `±` values."""
    f = click.option("--seed-rng", type=click.IntRange(0), default=0, show_default=True, metavar="S",
                     help="Monte Carlo: the random generator's seed (named in the output).")(f)
    f = click.option("--correlation", "correlation", multiple=True, metavar="X:Y=R",
                     help="Correlation of two ± inputs, -1..1 (repeatable, or comma-separated).")(f)
    return click.option("--uncertainty", "uncertainty", default=None, metavar="METHOD",
                        help="With ± inputs: first-order (default), second-order, or mc:N (N Monte Carlo samples).")(f)


def parse_method(text):
    """(method, samples) from --uncertainty's text."""
    if text is None or text == "first-order":
        return "first-order", None
    if text == "second-order":
        return text, None
    if text.startswith("mc:"):
        n = text[3:]
        if n.isdigit() and int(n) > 0:
            return "mc", int(n)
    raise UsageError(f"--uncertainty {text!r}: expected first-order, second-order or mc:N with N a whole number >= 1")


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


def uncertainty_budget(result, point, uncertainty, correlation, seed, m):
    """The Budget, or None when no input carries `±` (then the options are refused if given)."""
    from ..derived.uncertainty import budget, sigmas_of

    method, samples = parse_method(uncertainty)
    correlations = parse_correlations(correlation)
    if not sigmas_of(result.program, point):
        if uncertainty is not None or correlations:
            raise UsageError("--uncertainty and --correlation need an input with an uncertainty: --at x=1.5±0.01")
        return None
    return budget(result, point, method, correlations, m, samples, seed)


def budget_record(b, digits=None):
    """The contract's JSON keys: uncertainty, first_order, budget, and the optional ones."""
    from ..numbers.text import json_number
    from ..render.json import rounded

    r = lambda x: json_number(rounded(x, digits))
    out = {"uncertainty": r(b.uncertainty), "first_order": r(b.first_order),
           "budget": {row.name: {"value": r(row.value), "sigma": r(row.sigma), "sensitivity": r(row.sensitivity),
                                 "contribution": r(row.contribution), "share": r(row.share)} for row in b.rows}}
    if b.correlations:
        out["correlations"] = {f"{a}:{c}": v for (a, c), v in b.correlations.items()}
    if b.second_order is not None:
        out["second_order"] = r(b.second_order)
    if b.monte_carlo is not None:
        mc = b.monte_carlo
        out["monte_carlo"] = {"mean": r(mc["mean"]), "sigma": r(mc["sigma"]),
                              "interval95": [r(x) for x in mc["interval95"]], "samples": mc["samples"], "seed": mc["seed"]}
    return out


def budget_pairs(b):
    """(label, number) lines of plain output, after the value and the partials."""
    pairs = [("uncertainty", b.uncertainty), ("first_order", b.first_order)]
    if b.second_order is not None:
        pairs.append(("second_order", b.second_order))
    if b.monte_carlo is not None:
        mc = b.monte_carlo
        pairs += [("mc_mean", mc["mean"]), ("mc_sigma", mc["sigma"]), ("mc_low95", mc["interval95"][0]),
                  ("mc_high95", mc["interval95"][1]), ("mc_samples", mc["samples"]), ("mc_seed", mc["seed"])]
    for row in b.rows:
        pairs += [(f"sensitivity.{row.name}", row.sensitivity), (f"contribution.{row.name}", row.contribution),
                  (f"share.{row.name}", row.share)]
    return pairs


def budget_tables(b, digits=None):
    """The GUM's budget table, and the output's σ by each method computed."""
    from rich.table import Table
    from rich.text import Text

    from ..numbers.text import format_number

    num = lambda x: Text(format_number(x, digits))
    table = Table(title="Uncertainty budget", header_style="bold",
                  caption="u: standard uncertainty; ∂f/∂x: sensitivity; |∂f/∂x|·u: contribution; share: of the output's u²")
    table.add_column("input", no_wrap=True)
    for name in ("value", "u", "∂f/∂x", "|∂f/∂x|·u", "share"):
        table.add_column(name, justify="right", no_wrap=True)
    for row in b.rows:
        table.add_row(Text(row.name), *(num(x) for x in (row.value, row.sigma, row.sensitivity, row.contribution, row.share)))
    summary = Table(title="Output uncertainty", header_style="bold")
    summary.add_column("method")
    summary.add_column("value", justify="right", no_wrap=True)
    for label, x in budget_pairs(b):
        if "." not in label:
            summary.add_row(Text(label), num(x) if not isinstance(x, int) else Text(str(x)))
    return [table, summary]


def print_budget(result, b, fmt, digits, wrt, quiet, color, write, tables):
    """eval's output with an uncertainty budget, in every format (write: text out; tables: rich out)."""
    from ..numbers.text import format_number
    from ..render.json import full_record, record, to_json
    from ..render.tables import tables as result_tables
    from ..render.text import csv_result, plain

    if fmt == "table":
        tables([*result_tables(result, digits, wrt, 40), *budget_tables(b, digits)], color)
    elif fmt == "plain":
        write(plain(result, digits, wrt, quiet) + "".join(
            f"{k} {x if isinstance(x, int) else format_number(x, digits)}\n" for k, x in budget_pairs(b)))
    elif fmt in ("json", "jsonl"):
        rec = full_record(result, digits, wrt) if fmt == "json" else record(result, digits, wrt)
        write(to_json({**rec, **budget_record(b, digits)}, indent=2 if fmt == "json" else None) + "\n")
    else:
        pairs = [(k, x) for k, x in budget_pairs(b) if not isinstance(x, int)]
        head, row = csv_result(result, digits, wrt).splitlines()
        write(head + "," + ",".join(k for k, _ in pairs) + "\n" + row + ","
              + ",".join(format_number(x, digits) for _, x in pairs) + "\n")


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
