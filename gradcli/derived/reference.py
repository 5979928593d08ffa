"""`check --reference precision`: the float64 gradient against the same sweeps at 50 digits.

Finite differences leave a verdict inconclusive where the function changes on a scale below
their steps or rounding drowns them; a 50-digit evaluation of the very same program has no
step and about 34 more digits, so it settles the question: the float64 partial is compared
with the reference rounded to float64, within atol + rtol·|reference|.
"""

import math

from ..engine.evaluate import evaluate
from ..numbers.mp import MpMath
from .check import CheckReport, Comparison
from .diff import compiled

DIGITS = 50


class ReferenceReport(CheckReport):
    reference = f"precision {DIGITS}"


def check_against_precision(program, point, rtol, atol, digits=DIGITS):
    """Every partial of the float64 reverse sweep against the `digits`-digit one."""
    program = compiled(program)
    result = evaluate(program, point)
    exact = evaluate(program, point, m=MpMath(digits, len(program.graph))).gradient
    comparisons = [_compare(name, claimed, float(exact[name]), rtol, atol) for name, claimed in result.gradient.items()]
    return ReferenceReport(result, comparisons, rtol, atol)


def _compare(name, claimed, reference, rtol, atol):
    error = abs(claimed - reference)
    rel = error / abs(reference) if reference else (0.0 if error == 0 else math.inf)
    if not (math.isfinite(claimed) and math.isfinite(reference)):
        same = claimed == reference or (claimed != claimed and reference != reference)
        status, why = ("ok", None) if same else ("mismatch", f"float64 gives {claimed}, {DIGITS} digits {reference}")
        return Comparison((name,), claimed, reference, math.nan if same else math.inf, math.nan if same else math.inf, status, why)
    if error <= atol + rtol * abs(reference):
        return Comparison((name,), claimed, reference, error, rel, "ok")
    why = f"differs from the {DIGITS}-digit value by {error:.3g} (relative {rel:.3g}): float64 rounding lost it"
    return Comparison((name,), claimed, reference, error, rel, "mismatch", why)
