"""Checks of the other drivers: every Jacobian entry, and J·v and H·v along a direction, against
finite differences by check.py's estimator and verdicts.

A Jacobian entry d output_k / d x_j is differenced along input j exactly as a partial is; a
directional derivative along v is differenced along the line x + t·v, with the values (J·v) or
the float64 gradient (H·v, one output only) as the function of t. Each output brings its own
convention notes and rounding noise (from its own reverse sweep), so a kink met by one output
explains nothing about another.
"""

import math

from ..core.errors import UsageError
from ..engine.evaluate import evaluate
from ..engine.forward import forward, point_values
from ..engine.jacobian import jacobian, jvp, require_inputs_of
from .check import (
    ATOL,
    RTOL,
    CheckReport,
    Comparison,
    Line,
    compare,
    compare_rows,
    gradient_function,
    jumps_across,
    rounding,
)
from .diff import compiled


def check_jacobian(program, point, rtol=RTOL, atol=ATOL):
    """Every entry of the Jacobian (engine.jacobian's, all outputs × inputs) against finite
    differences of each output's value. `program`: text or a Program."""
    program = compiled(program)
    found = jacobian(program, point)
    x, values = point_values(program, point), _values_function(program)
    comparisons = []
    slopes, jumps = (lambda xs: jacobian(program, _at(program, xs)).jacobian), jumps_across(program)
    for k, (name, single) in enumerate(_each_output(program, point)):
        comparisons += compare_rows(values, x, found.jacobian, program.input_names, (), f"the value of {name}",
                                    single.notes, rtol, atol, k, rounding(single), slopes, jumps, kind="jacobian", output=name)
    return report_of(found, comparisons, rtol, atol, program.output_names)


def check_direction(program, point, direction, rtol=RTOL, atol=ATOL):
    """J·v (forward mode) against finite differences of the values along x + t·v and, for a
    program with one output, H·v (forward over reverse) against those of the gradient.
    `direction` maps input names to v (left out: 0)."""
    from .hessian import hvp  # the dual numbers, only when a check runs

    program = compiled(program)
    v, jumps = direction_vector(program, direction), jumps_across(program)
    found = jvp(program, point, direction)
    x, values = point_values(program, point), _values_function(program)
    outputs = _each_output(program, point)
    line = Line(values, x, values(x), v=v, noisy=True)  # rounding(..., inputs=True) covers the moved point
    comparisons = []
    for k, (name, single) in enumerate(outputs):
        said = compare(line, k, found.jvp[k], f"the value of {name}", single.notes, rtol, atol, rounding(single, inputs=True),
                       lambda xs, k=k: jvp(program, _at(program, xs), direction).jvp[k], jumps)
        comparisons.append(Comparison((), found.jvp[k], *said, kind="jvp", output=name))
    if len(outputs) > 1:
        return report_of(found, comparisons, rtol, atol, program.output_names, v)
    (_, single), = outputs
    claimed, gradient = hvp(program, point, direction).hvp, gradient_function(program)
    line = Line(gradient, x, gradient(x), v=v)
    for i, name in enumerate(program.input_names):
        said = compare(line, i, claimed[i], f"d/d{name}", single.notes, rtol, atol,
                       claimed_at=lambda xs, i=i: hvp(program, _at(program, xs), direction).hvp[i], jumps=jumps,
                       precise=gradient_function(program, 30))
        comparisons.append(Comparison((name,), claimed[i], *said, kind="hvp"))
    return report_of(single, comparisons, rtol, atol, None, v)


def direction_vector(program, direction):
    """v in input order: every name an input, some component nonzero, all finite."""
    names = program.input_names
    require_inputs_of(direction, names, "--dir", "input")
    v = [float(direction.get(name, 0.0)) for name in names]
    if not all(map(math.isfinite, v)) or not any(v):
        raise UsageError(f"--dir needs a finite, nonzero direction to check along (inputs: {', '.join(names) or 'none'})")
    return v


def _at(program, xs):
    """The point of input values xs (program order), by name."""
    return dict(zip(program.input_names, xs))


def _values_function(program):
    """Every output's value at input values xs: one forward sweep."""
    def values(xs):
        swept = forward(program, xs)
        return [swept[o] for o in program.outputs]
    return values


def _each_output(program, point):
    """(name, its reverse sweep's Result) per output: its notes and its rounding noise."""
    return [(name, evaluate(program.single(k), point)) for k, name in enumerate(program.output_names)]


def report_of(result, comparisons, rtol, atol, outputs, direction=None, kind=CheckReport):
    """A Jacobian check's report (`direction` None), or a check along --dir's."""
    if direction is None:
        return kind(result, comparisons, rtol, atol, "Jacobian check", outputs)
    v = dict(zip(result.program.input_names, direction))
    what = "J·v" if outputs else "J·v and H·v"
    return kind(result, comparisons, rtol, atol, f"check of {what} along --dir", outputs, v)
