"""Uncertainty budgets and output covariances as JSON data, `label number` pairs and rich tables:
the pieces that eval, batch records and jacobian add to their own output."""

from ..numbers.text import format_number, json_number
from .fitted import fitted, new_table, title
from .json import rounded


def budget_record(b, digits=None):
    """The contract's JSON keys: uncertainty, first_order, budget, and the optional ones."""
    r = lambda x: json_number(rounded(x, digits))
    out = {"uncertainty": r(b.uncertainty), "first_order": r(b.first_order),
           "budget": {row.name: {"value": r(row.value), "sigma": r(row.sigma), "sensitivity": r(row.sensitivity),
                                 "contribution": r(row.contribution), "share": r(row.share)} for row in b.rows}}
    if b.correlations:
        out["correlations"] = _correlations(b.correlations)
    if b.second_order is not None:
        out["second_order"] = r(b.second_order)
    if b.monte_carlo is not None:
        mc = b.monte_carlo
        out["monte_carlo"] = {"mean": r(mc["mean"]), "sigma": r(mc["sigma"]),
                              "interval95": [r(x) for x in mc["interval95"]], "samples": mc["samples"], "seed": mc["seed"]}
    return out


def _correlations(correlations):
    return {f"{a}:{c}": v for (a, c), v in correlations.items()}


def counted_pairs_text(pairs, digits=None):
    """`label number` lines; a count is written as a whole number."""
    return "".join(f"{k} {x if isinstance(x, int) else format_number(x, digits)}\n" for k, x in pairs)


def budget_tables(b, digits=None):
    """The GUM's budget table, and the output's σ by each method computed (numbers never cut)."""
    from rich.text import Text

    num = lambda x: Text(format_number(x, digits))
    table = new_table(("input", "left"), *((name, "right") for name in ("value", "u", "∂f/∂x", "|∂f/∂x|·u", "share")),
                      whole_numbers=True)
    for row in b.rows:
        table.add_row(Text(row.name), *(num(x) for x in (row.value, row.sigma, row.sensitivity, row.contribution, row.share)))
    summary = new_table(("method", "left"), ("value", "right"), whole_numbers=True)
    for label, x in b.pairs():
        if "." not in label:
            summary.add_row(Text(label), num(x) if not isinstance(x, int) else Text(str(x)))
    legend = "u: standard uncertainty; ∂f/∂x: sensitivity; |∂f/∂x|·u: contribution; share: of the output's u²"
    return [title("Uncertainty budget"), fitted(table), Text(legend), title("Output uncertainty"), fitted(summary)]


# -- several outputs: jacobian with ± inputs ----------------------------------------------


def covariance_record(c, digits=None):
    """The contract's JSON keys: "uncertainty" {output: σ} and "covariance" (rows in output order)."""
    r = lambda x: json_number(rounded(x, digits))
    out = {"uncertainty": {o: r(s) for o, s in zip(c.outputs, c.sigmas)},
           "covariance": [[r(x) for x in row] for row in c.matrix]}
    if c.correlations:
        out["correlations"] = _correlations(c.correlations)
    return out


def covariance_pairs(c):
    """`uncertainty[y]` per output, then `cov[y,z]` per entry: plain output after the Jacobian's."""
    return [*((f"uncertainty[{o}]", s) for o, s in zip(c.outputs, c.sigmas)),
            *((f"cov[{o},{p}]", x) for o, row in zip(c.outputs, c.matrix) for p, x in zip(c.outputs, row))]


def covariance_columns(c):
    """csv's extra columns, a row per output: its σ, then its row of the covariance."""
    return ["uncertainty", *(f"cov[{o}]" for o in c.outputs)], [[s, *row] for s, row in zip(c.sigmas, c.matrix)]


def covariance_tables(c, digits=None):
    """Each output's σ and the covariance matrix J Σ Jᵀ, under the Jacobian's tables."""
    from rich.text import Text

    num = lambda x: Text(format_number(x, digits))
    table = new_table(("output", "left"), ("u", "right"), *((f"cov {o}", "right") for o in c.outputs), whole_numbers=True)
    for o, s, row in zip(c.outputs, c.sigmas, c.matrix):
        table.add_row(Text(o), num(s), *map(num, row))
    return [title("Output uncertainty (first order: u, and the covariance J Σ Jᵀ of the outputs)"), fitted(table)]
