"""Taylor mode: d^k/dt^k f(x + t·v) at t = 0 for k = 0..K, by one sweep of Taylor series.

Every node carries K+1 coefficients, built in creation order from its parents' by the op's
recurrence (numbers.taylor.rules(m), in the number type m): O(K²) per edge, and no nesting of first derivatives. The
inputs' series are x + t·v; constants' are their value. Order 1 is the jvp, order 2 is vᵀHv.
"""

import math

from ..core.errors import Located, UsageError
from ..engine.diagnostics import describe
from ..engine.evaluate import single_output
from ..engine.jacobian import require_inputs_of, sweep_at
from ..numbers.float64 import FloatMath
from ..numbers.taylor import rules
from ..numbers.text import format_number

MAX_ORDER = 40  # k! and the coefficients' recurrences stay well inside float64 up to here


class Taylor:
    """The output's value and its derivatives along the direction, with the warnings and notes."""

    def __init__(self, program, derivatives, direction, warnings, notes):
        self.program = program
        self.derivatives = derivatives
        self.direction = direction
        self.warnings = warnings
        self.notes = notes

    @property
    def value(self):
        return self.derivatives[0]

    @property
    def numbers(self):
        return [(f"d{k}", d) for k, d in enumerate(self.derivatives)]


def taylor(program, point, direction, order, m=FloatMath):
    """d^k/dt^k f(x + t·v) for k = 0..order; `direction` maps input names to v (left out: 0)."""
    from ..core.compiler import compile_program

    if isinstance(program, str):
        program = compile_program(program)
    single_output(program, "taylor", "pick one with --of NAME")
    if not 0 <= order <= MAX_ORDER:
        raise UsageError(f"--order {order}: the order must be 0 to {MAX_ORDER}")
    require_inputs_of(direction, program.input_names, "--dir", "input")
    values, warnings, notes = sweep_at(program, point, m)
    series = _series(program, values, direction, order, m)
    coefficients = series[program.output]
    derivatives = [c * math.factorial(k) for k, c in enumerate(coefficients)]
    if not warnings and not all(map(m.isfinite, derivatives)):
        warnings = warnings + [_first_bad(program, series, m.isfinite)]
    return Taylor(program, derivatives, {n: m.number(direction.get(n, 0.0)) for n in program.input_names}, warnings, notes)


def _series(program, values, direction, order, m):
    """Every needed node's K+1 Taylor coefficients, in creation order (no recursion)."""
    graph = program.graph
    relevant = graph.ancestors(program.output)
    series = [None] * (program.output + 1)
    table = rules(m)
    for i in range(program.output + 1):
        if not relevant[i]:
            continue
        ps, op = graph.parents[i], graph.op[i]
        if not ps:
            series[i] = [values[i]] + [m.zero] * order
            if op == "input" and order:
                series[i][1] = m.number(direction.get(graph.data[i], 0.0))
        else:
            series[i] = table[op](*[series[p] for p in ps])
            series[i][0] = values[i]  # the sweep's kernel's value, bit for bit
    return series


def _first_bad(program, series, isfinite):
    """A warning naming the first node whose coefficients went non-finite from finite ones."""
    graph = program.graph
    for i, s in enumerate(series):
        if s is None or all(map(isfinite, s)):
            continue
        if all(isfinite(x) for p in graph.parents[i] for x in series[p]):
            k = next(k for k, x in enumerate(s) if not isfinite(x))
            message = f"the Taylor coefficient of order {k} of {describe(program, i)} is {format_number(s[k])}"
            return Located(message, program.source, program.position(i))
    return "a derivative is not finite"
