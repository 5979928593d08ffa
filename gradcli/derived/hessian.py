"""Second derivatives at a point: the full Hessian by reverse over reverse on the derivative graph,
or a Hessian-vector product as the gradient of g·v (one sweep more, not n)."""

import copy
import math
from functools import cached_property

from ..core.compiler import Program
from ..core.errors import UsageError
from ..engine.evaluate import evaluate, named_numbers
from ..engine.forward import forward, point_values
from ..numbers.symbolic import SymbolicMath
from .diff import compiled, gradient_nodes, require_inputs

# -- Hessians --------------------------------------------------------------------------


class SecondOrder:
    """Value, gradient, notes and warnings of the reverse sweep at a point (`result`, as
    `gradcli eval` computes them), with a second-order quantity from the derivative graph:
    `hessian` (a list of rows) or `hvp` (H·v)."""

    def __init__(self, result, hessian=None, hvp=None, vector=None):
        self.result = result
        self.hessian = hessian
        self.hvp = hvp
        self.vector = vector

    @property
    def input_names(self):
        return self.result.program.input_names

    def entries(self):
        """(label, number) of every second-order entry: `H[x, y]` row by row, or `Hv[x]`."""
        names = self.input_names
        if self.hessian is not None:
            return [(f"H[{a}, {b}]", h) for a, row in zip(names, self.hessian) for b, h in zip(names, row)]
        return [(f"Hv[{a}]", h) for a, h in zip(names, self.hvp)]

    @property
    def numbers(self):
        """(label, number) of everything computed: value, partials, second-order entries
        (what --strict requires to be finite)."""
        return [*named_numbers(self.result.value, self.result.gradient.items()), *self.entries()]

    @cached_property
    def warnings(self):
        """The sweep's warnings, then one per second-order entry that is not finite: a nan
        there comes from the derivative graph, which the sweep's warnings do not see."""
        what = "the Hessian entry" if self.hessian is not None else "the Hessian-vector product's entry"
        bad = [f"{what} {label} is {_word(h)}" for label, h in self.entries() if not math.isfinite(h)]
        return [*self.result.warnings, *bad]

    @property
    def notes(self):
        return self.result.notes


def _word(x):
    return "nan" if x != x else ("inf" if x > 0 else "-inf")


def _values_at(program, graph, point):
    """Every node of the extended graph, checked once it is built, at the point: one forward sweep."""
    graph.validate()
    return forward(Program(graph, program.output, program.source), point_values(program, point))


def hessian(program, point):
    """The full Hessian by reverse over reverse: n sweeps over the derivative graph, one row
    each (the whole row, so symmetry is a check, not a copy)."""
    program = compiled(program)
    require_inputs(program)
    result = evaluate(program, point)
    graph = copy.deepcopy(program.graph)
    ids = program.input_ids
    rows = [gradient_nodes(graph, g, ids) for g in gradient_nodes(graph, program.output, ids)]
    values = _values_at(program, graph, point)
    return SecondOrder(result, hessian=[[values[h] for h in row] for row in rows])


def hessian_vector_product(program, point, vector):
    """H·v as the gradient of the scalar g·v: one more sweep, not n."""
    program = compiled(program)
    require_inputs(program)
    n = len(program.input_ids)
    if len(vector) != n:
        raise UsageError(
            f"--hvp has {len(vector)} component{'s' if len(vector) != 1 else ''}, the program "
            f"{n} input{'s' if n != 1 else ''} ({', '.join(program.input_names)})"
        )
    result = evaluate(program, point)
    graph = copy.deepcopy(program.graph)
    ids = program.input_ids
    m = SymbolicMath(graph)
    dot = 0.0
    for g, v in zip(gradient_nodes(graph, program.output, ids), vector):
        dot = m.add(dot, m.mul(m.value(g), float(v)))
    hv = gradient_nodes(graph, m.node(dot), ids)
    values = _values_at(program, graph, point)
    return SecondOrder(result, hvp=[values[h] for h in hv], vector=[float(v) for v in vector])
