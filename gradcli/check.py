"""Gradient checks: the reverse sweep's partials (and the Hessian) against finite differences.

Central differences have error O(h²) from the function's curvature and O(ε/h) from rounding.
Ridders' method takes them at steps halving from a large one and extrapolates to step 0
(Richardson), keeping the estimate whose neighbours agree best: typically 1e-13 relative, so
smooth functions pass tight tolerances while a wrong rule, off by O(1), fails them. At a point
where gradcli applied a convention (relu at 0, a max tie, ...) finite differences see the
average of the one-sided slopes, or a jump; the check then says so, and accepts the convention
when it lies between the one-sided slopes or nothing else could (a jump, an infinite slope).
"""

import math
from dataclasses import dataclass
from typing import Optional

from .numerics import format_number
from .sweep import evaluate, forward, point_values, reverse

RTOL = 1e-6
ATOL = 1e-8
FIRST_STEP = 2.0**-6  # Ridders' first step, relative to max(1, |x|) (or to |x|),
TABLEAU = 12  # ... halved this many times
STEP = 2.0**-10  # the one-sided steps that explain a difference at a kink


@dataclass
class Comparison:
    """One partial: gradcli's value, the finite-difference estimate, and the verdict."""

    wrt: tuple  # ("w",) for a partial, ("x", "y") for a Hessian entry
    claimed: float
    estimate: float
    abs_error: float
    rel_error: float
    status: str  # "ok", "convention" (a documented convention explains the difference), "mismatch"
    explanation: Optional[str] = None

    @property
    def label(self):
        k = len(self.wrt)
        return f"d{k if k > 1 else ''}/" + "/".join(f"d{w}" for w in self.wrt)


class CheckReport:
    """Every comparison at one point, with the evaluation's warnings and notes."""

    def __init__(self, result, comparisons, rtol, atol):
        self.result = result
        self.comparisons = comparisons
        self.rtol = rtol
        self.atol = atol

    @property
    def failures(self):
        return [c for c in self.comparisons if c.status == "mismatch"]

    @property
    def ok(self):
        return not self.failures


def check_gradient(program, point, rtol=RTOL, atol=ATOL, with_hessian=False):
    """Compare the gradient (and with `with_hessian` the Hessian, row by row) with finite
    differences of the value (of the gradient) at `point`. `program`: text or a Program."""
    from .symbolic import compiled, hessian  # the Hessian's machinery, only when a check runs

    program = compiled(program)
    x = point_values(program, point)
    result = evaluate(program, point)
    names = program.input_names
    out = program.output

    def value(xs):
        return [forward(program, xs)[out]]

    comparisons = _compare_jacobian(value, x, [list(result.gradient.values())], names, (), "the value", result.notes, rtol, atol)
    if with_hessian:
        def gradient(xs):
            adjoints = reverse(program, forward(program, xs))[0]
            return [adjoints[i] for i in program.input_ids]

        matrix = hessian(program, point).hessian
        for i, name in enumerate(names):
            comparisons += _compare_jacobian(gradient, x, matrix, names, (name,), f"d/d{name}", result.notes, rtol, atol, i)
    return CheckReport(result, comparisons, rtol, atol)


def _compare_jacobian(fn, x, claimed, names, prefix, what, notes, rtol, atol, row=0):
    """Compare claimed[row][j] with d fn(x)[row] / d x_j for every input j (fn(x)[row] is
    `what`: the value, or one partial)."""
    found = []
    for j, name in enumerate(names):
        c = claimed[row][j]
        e = _central(fn, x, j)[row]
        abs_error = abs(c - e)
        rel_error = abs_error / abs(e) if e else (0.0 if abs_error == 0 else math.inf)
        same = c == e or (c != c and e != e) or abs_error <= atol + rtol * abs(e)
        status, explanation = "ok", None
        if not same:
            said = f"finite differences give {format_number(e)}"
            status, explanation = "mismatch", f"{said}, gradcli gives {format_number(c)}"
            why = _explained(fn, x, j, row, c, atol) if notes else None
            if why:
                status = "convention"
                if why == "jump":
                    said = f"{what} jumps here, so {said} (growing as the step shrinks)"
                explanation = f"{'; '.join(notes)}: {said}, the convention gives {format_number(c)}"
        found.append(Comparison(prefix + (name,), c, e, abs_error, rel_error, status, explanation))
    return found


def _central(fn, x, j):
    """d fn / d x_j by Ridders' method: central differences at steps shrinking by halves,
    extrapolated to step 0 (Richardson's tableau), keeping the entry whose neighbours agree
    best. Two first steps are tried, absolute and relative to |x_j|, and the one with the
    smaller error estimate wins: f = 1e6 + x wants the first, 1/x at x = 1e-5 the second."""
    t = abs(x[j])
    starts = [FIRST_STEP * max(1.0, t)] + ([FIRST_STEP * t] if 0 < t < 1 else [])
    return min((_ridders(fn, x, j, h) for h in starts), key=lambda found: found[1])[0]


def _ridders(fn, x, j, h):
    """(estimates, error estimate) from the first step h, halved until fn stays finite."""
    for _ in range(64):
        if x[j] + h / 2 == x[j] or all(map(math.isfinite, _moved(fn, x, j, h) + _moved(fn, x, j, -h))):
            break
        h /= 2
    best, error = None, math.inf
    previous = row = []
    for i in range(TABLEAU):
        step = (x[j] + h) - (x[j] - h)
        if not step:
            break
        p, m = _moved(fn, x, j, h), _moved(fn, x, j, -h)
        row = [[(a - b) / step for a, b in zip(p, m)]]
        factor = 4.0  # central differences have error terms in h², h⁴, ...
        for k in range(1, i + 1):
            row.append([(factor * a - b) / (factor - 1) for a, b in zip(row[k - 1], previous[k - 1])])
            factor *= 4.0
            err = max(max(abs(a - b), abs(a - c)) for a, b, c in zip(row[k], row[k - 1], previous[k - 1]))
            if err <= error:
                best, error = row[k], err
        previous = row
        h /= 2
    return (best or (row[0] if row else [math.nan] * len(fn(x)))), error


def _moved(fn, x, j, h):
    """fn at x + h·e_j."""
    moved = list(x)
    moved[j] = x[j] + h
    return fn(moved)


def _explained(fn, x, j, row, c, atol):
    """Why a convention at a kink can account for c, or None: "infinite" (sqrt at 0), "jump"
    (fn jumps at x along input j, as the gradient of relu does at 0: no derivative exists,
    so any value is a convention), "between" (c lies between the one-sided slopes, as
    relu'(0) = 0 lies between 0 and 1)."""
    if math.isinf(c):
        return "infinite"
    f0 = fn(x)[row]
    h = STEP * max(1.0, abs(x[j]))
    slopes = []
    for side in (h, -h):
        a, b = _moved(fn, x, j, side)[row] - f0, _moved(fn, x, j, side / 2)[row] - f0
        if abs(b) > atol and abs(b) > 0.85 * abs(a):  # halving the step did not halve it
            return "jump"
        slope = (4 * b - a) / side  # one-sided, Richardson: good to O(h²)
        if math.isfinite(slope):
            slopes.append(slope)
    if not slopes:
        return None
    lo, hi = min(slopes), max(slopes)
    tol = atol + 1e-4 * max(1.0, abs(lo), abs(hi))
    return "between" if lo - tol <= c <= hi + tol else None
