"""Second derivatives at a point: the full Hessian by reverse over reverse on the derivative graph,
or a Hessian-vector product by forward over reverse (dual numbers through one reverse sweep)."""

import copy
from functools import cached_property, partial

from ..core.errors import UsageError, finite
from ..core.ops import OPS
from ..core.program import Program
from ..engine.diagnostics import describe, nonfinite_warnings
from ..engine.evaluate import Result, evaluate, named_numbers, single_output
from ..engine.forward import forward, point_values
from ..engine.jacobian import require_inputs_of
from ..engine.reverse import plan, reverse
from ..engine.tangent import convention_notes
from ..engine.tiers import tiered
from ..numbers.dual import Dual, dual_math
from ..numbers.float64 import FloatMath
from ..numbers.staged import TANGENT, VALUE
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
        bad = [f"{what} {label} is {_word(h)}" for label, h in self.entries() if not finite(h)]
        return [*self.result.warnings, *bad]

    @property
    def notes(self):
        return self.result.notes


def _word(x):
    return "nan" if x != x else ("inf" if x > 0 else "-inf")


def _values_at(program, graph, point, m):
    """Every node of the extended graph, checked once it is built, at the point: one forward sweep."""
    graph.validate()
    return forward(Program(graph, program.output, program.source), point_values(program, point, m), m)


def hessian(program, point, m=FloatMath):
    """The full Hessian by reverse over reverse: n sweeps over the derivative graph, one row
    each (the whole row, so symmetry is a check, not a copy). In the number type `m`, the
    derivative graph's constants folded in it too."""
    program = compiled(program)
    single_output(program, "hessian", "pick one with --of NAME")
    require_inputs(program)
    result = evaluate(program, point, m=m)
    graph = copy.deepcopy(program.graph)
    ids = program.input_ids
    rows = [gradient_nodes(graph, g, ids, m) for g in gradient_nodes(graph, program.output, ids, m)]
    values = _values_at(program, graph, point, m)
    return SecondOrder(result, hessian=[[values[h] for h in row] for row in rows])


def hessian_vector_product(program, point, vector, m=FloatMath):
    """H·v for v in input order (`--hvp V1,V2,...`): forward over reverse, as hvp."""
    program = compiled(program)
    n = len(program.input_ids)
    if len(vector) != n:
        raise UsageError(
            f"--hvp has {len(vector)} component{'s' if len(vector) != 1 else ''}, the program "
            f"{n} input{'s' if n != 1 else ''} ({', '.join(program.input_names)})"
        )
    return hvp(program, point, dict(zip(program.input_names, vector)), m)


def hvp(program, point, direction, m=FloatMath):
    """H·v by forward over reverse: the forward and reverse sweeps run once with dual numbers
    (value, tangent) whose inputs' tangents are v, so every adjoint's tangent is d adjoint /
    dt along x + t·v, and the inputs' are H·v: O(edges), no derivative graph, no n sweeps.
    The value parts are the gradient sweep's own, so value, gradient, warnings and notes come
    from the same sweep. `direction` maps input names to v (left out: 0)."""
    program = compiled(program)
    single_output(program, "hessian", "pick one with --of NAME")
    require_inputs(program)
    require_inputs_of(direction, program.input_names, "--dir", "input")
    v = [m.number(direction.get(name, 0.0)) for name in program.input_names]
    inputs = point_values(program, point, m)
    if m is not FloatMath:
        return SecondOrder(evaluate(program, point, m=m), hvp=dual_sweep(program, inputs, v, m), vector=v)
    values, adjoints, partials, products = _float_hvp(program, inputs, v)
    warnings = nonfinite_warnings(program, values, partials, adjoints)
    said = convention_notes(program, values)[::-1]  # in the reverse sweep's order, as eval's
    pairs = program.graph.label_pairs() if said else None
    notes = [f"{describe(program, i, pairs)}: {what}" for i, what in said]
    return SecondOrder(Result(program, values, adjoints, partials, warnings, notes), hvp=products, vector=v)


def dual_sweep(program, inputs, v, m=FloatMath):
    """H·v at the input values `inputs` (program order): one forward and one reverse sweep of
    dual numbers over `m` whose inputs' tangents are v (float64: float_dual_sweep, the same
    numbers, staged once it pays)."""
    if m is FloatMath:
        return _float_hvp(program, inputs, v)[3]
    D = dual_math(m)
    adjoints, _, _ = reverse(program, forward(program, [Dual(x, t) for x, t in zip(inputs, v)], D), D)
    return [adjoints[i].tangent for i in program.input_ids]


# -- float64 H·v, interpreted and staged ---------------------------------------------------

def _float_hvp(program, inputs, v):
    """float_dual_sweep, staged once it pays (engine.tiers): the same numbers."""
    return tiered(program, "hvp", partial(hvp_sweep, program), [inputs, v], [VALUE, TANGENT])


def hvp_sweep(program, s, x, t):
    """float_dual_sweep as engine.tiers takes a sweep: a list, the number type first."""
    return list(float_dual_sweep(program, x, t, s))


def float_dual_sweep(program, inputs, v, s=FloatMath):
    """dual_sweep in float64 with the adjoints flat: the forward sweep of dual numbers gives
    every value and tangent, each node's local partials come from the op table's rule over
    dual numbers (numbers.dual), and numbers.dual's arithmetic for adjoint += adjoint ×
    partial is written inline on floats. Returns (values, adjoints, partials per edge, H·v);
    values, adjoints and partials are the gradient sweep's, bit for bit. `s` is float64's
    own type, or a numbers.staged Tape recording the same arithmetic."""
    D = dual_math(s)
    duals = forward(program, [Dual(x, t) for x, t in zip(inputs, v)], D)
    adjoints, adjoint_tangents, partials = _dual_adjoints(program, duals, D)
    return [d.value for d in duals], adjoints, partials, [adjoint_tangents[i] for i in program.input_ids]


def _dual_adjoints(program, duals, D):
    """The reverse sweep of dual numbers, flat: (adjoints, their tangents, partials per edge).
    engine.reverse's order and conventions: only edges out of nodes that depend on an input;
    a select passes nothing to its condition or its dead branch, nor a node reached only
    through dead branches to its parents (their partials are still recorded)."""
    graph = program.graph
    op, parents = graph.op, graph.parents
    active, order, offset, selects = plan(program)
    rules = {name: o.partials for name, o in OPS.items()}
    n, out = len(graph), program.output
    adjoints, adjoint_tangents, partials = [0.0] * n, [0.0] * n, [None] * offset[-1]
    adjoints[out] = 1.0
    live = bytearray(n) if selects else None
    if live is not None:
        live[out] = 1
    for i in order:
        ps = parents[i]
        local = rules[op[i]](D, duals[i], *[duals[p] for p in ps])
        a, ta = adjoints[i], adjoint_tangents[i]
        passes = live is None or (live[i] and op[i] != "select")
        for k, p in enumerate(ps):
            if not active[p]:
                continue
            d = local[k]
            partials[offset[i] + k] = dk = d.value
            if not passes and (not live[i] or k == 0 or (k == 1) != (duals[ps[0]].value > 0)):
                continue
            if live is not None:
                live[p] = 1
            adjoints[p] += a * dk
            # numbers.dual: c = a·d as duals, then adjoint += c; a zero tangent scales to itself
            s1 = d.tangent
            s1 = s1 if s1 == 0 else a * s1
            adjoint_tangents[p] += s1 + (ta if ta == 0 else dk * ta)
    return adjoints, adjoint_tangents, partials
