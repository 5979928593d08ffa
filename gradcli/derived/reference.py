"""`check --reference precision`: the float64 derivatives against the same sweeps at 50 digits.

Finite differences leave a verdict inconclusive where the function changes on a scale below
their steps or rounding drowns them; a 50-digit evaluation of the very same program has no
step and about 34 more digits, so it settles the question: the float64 partial is compared
with the reference rounded to float64, within atol + rtol·|reference|. The gradient, every
Jacobian entry (each output's 50-digit gradient), and along --dir J·v (those gradients · v)
and H·v (the dual-number sweep at 50 digits).
"""

import math

from ..engine.evaluate import evaluate
from ..engine.forward import point_values
from ..engine.jacobian import jacobian, jvp
from ..numbers.mp import MpMath
from .check import CheckReport, Comparison
from .check_drivers import direction_vector, report_of
from .diff import compiled

DIGITS = 50


class ReferenceReport(CheckReport):
    reference = f"precision {DIGITS}"


def check_against_precision(program, point, rtol, atol, digits=DIGITS):
    """Every partial of the float64 reverse sweep against the `digits`-digit one."""
    program = compiled(program)
    result = evaluate(program, point)
    exact = _exact_gradient(program, point, digits)
    comparisons = [_compare((name,), claimed, float(exact[name]), rtol, atol) for name, claimed in result.gradient.items()]
    return ReferenceReport(result, comparisons, rtol, atol)


def check_jacobian_against_precision(program, point, rtol, atol, digits=DIGITS):
    """Every Jacobian entry (engine.jacobian's) against each output's `digits`-digit gradient."""
    program = compiled(program)
    found, names = jacobian(program, point), program.input_names
    comparisons = []
    for k, output in enumerate(program.output_names):
        exact = _exact_gradient(program.single(k), point, digits)
        comparisons += [_compare((name,), c, float(exact[name]), rtol, atol, kind="jacobian", output=output)
                        for name, c in zip(names, found.jacobian[k], strict=True)]
    return report_of(found, comparisons, rtol, atol, program.output_names, kind=ReferenceReport)


def check_direction_against_precision(program, point, direction, rtol, atol, digits=DIGITS):
    """J·v against each output's `digits`-digit gradient · v, and for one output H·v against
    the dual-number sweep in `digits` digits."""
    from .hessian import dual_sweep, hvp

    program = compiled(program)
    v = direction_vector(program, direction)
    found, names = jvp(program, point, direction), program.input_names
    m = MpMath(digits, len(program.graph))
    comparisons = []
    for k, output in enumerate(program.output_names):
        exact = _exact_gradient(program.single(k), point, digits)
        along = m.ctx.fsum(exact[name] * x for name, x in zip(names, v, strict=True))
        comparisons.append(_compare((), found.jvp[k], float(along), rtol, atol, kind="jvp", output=output))
    if len(program.outputs) > 1:
        return report_of(found, comparisons, rtol, atol, program.output_names, v, ReferenceReport)
    second = hvp(program, point, direction)
    exact = dual_sweep(program, point_values(program, point, m), [m.mpf(x) for x in v], m)
    comparisons += [_compare((name,), c, float(e), rtol, atol, kind="hvp")
                    for name, c, e in zip(names, second.hvp, exact, strict=True)]
    return report_of(second.result, comparisons, rtol, atol, None, v, ReferenceReport)


def _exact_gradient(program, point, digits):
    return evaluate(program, point, m=MpMath(digits, len(program.graph))).gradient


def _compare(wrt, claimed, reference, rtol, atol, **labels):
    error = abs(claimed - reference)
    rel = error / abs(reference) if reference else (0.0 if error == 0 else math.inf)
    if not (math.isfinite(claimed) and math.isfinite(reference)):
        same = claimed == reference or (claimed != claimed and reference != reference)
        status, why = ("ok", None) if same else ("mismatch", f"float64 gives {claimed}, {DIGITS} digits {reference}")
        return Comparison(wrt, claimed, reference, math.nan if same else math.inf, math.nan if same else math.inf, status, why,
                          **labels)
    if error <= atol + rtol * abs(reference):
        return Comparison(wrt, claimed, reference, error, rel, "ok", **labels)
    why = f"differs from the {DIGITS}-digit value by {error:.3g} (relative {rel:.3g}): float64 rounding lost it"
    return Comparison(wrt, claimed, reference, error, rel, "mismatch", why, **labels)
