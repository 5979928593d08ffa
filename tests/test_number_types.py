"""One conformance test for the number-type protocol: every op's value and every local partial,
through every number type, at points that include each convention's (0, ties, 0^0, (0, 0),
c = 0, integers) and IEEE's awkward values, agree with float64 bit for bit (or nan for nan).

- float64: numerics.FloatMath on Python floats;
- numpy: vector.NumpyMath on a column holding all the points at once;
- symbolic: symbolic.SymbolicMath builds the value and partials as graph nodes over input
  nodes, and the graph is then evaluated with float64 (engine.forward).

Zeros compare equal whatever their sign (the symbolic type's x + 0 = x, as --simplify).
numpy's SIMD exp, log, sin, ... may differ from the C library in the last bits, so where an
op's float64 result is not exact numpy may be 4 ulps off; its conventions never are.
"""

import itertools
import math

import numpy as np
import pytest

from gradcli.core.graph import Graph
from gradcli.core.ops import OPS
from gradcli.core.program import Program
from gradcli.engine.forward import forward
from gradcli.numbers.arrays import NumpyMath
from gradcli.numbers.float64 import FloatMath
from gradcli.numbers.symbolic import SymbolicMath

inf, nan = math.inf, math.nan
VALUES = [0.0, -0.0, 1.0, -1.0, 0.5, 2.0, -2.5, 3.0, inf, -inf, nan, 1e308, 5e-324]
# ops whose numpy kernel or rule goes through a SIMD transcendental function
EXACT = {"add", "sub", "mul", "div", "neg", "abs", "relu", "sign", "step", "max", "min", "select",
         "floor", "ceil", "sqrt", "hypot"}


def points(op):
    """Every combination of VALUES (fewer for three arguments), the conventions' points first."""
    arities = [op.arity] if op.arity is not None else [1, 2, 3]
    out = []
    for n in arities:
        pool = VALUES if n < 3 else [0.0, -0.0, 1.0, -1.0, 2.0, inf, nan]
        out += [xs for xs in itertools.product(pool, repeat=n)]
    return out


def by_float(op, xs):
    y = getattr(FloatMath, op.value)(*xs)
    return [y, *op.partials(FloatMath, y, *xs)]


def by_numpy(op, columns):
    with np.errstate(all="ignore"):
        y = getattr(NumpyMath, op.value)(*columns)
        return [np.broadcast_to(v, columns[0].shape) for v in (y, *op.partials(NumpyMath, y, *columns))]


def by_graph(op, arity, rows):
    """The value and partials as nodes of one graph over inputs x0, x1, ...; then that graph
    evaluated with float64 at each row."""
    graph = Graph()
    ids = [graph.input(f"x{k}") for k in range(arity)]
    m = SymbolicMath(graph)
    xs = [m.value(i) for i in ids]
    y = getattr(m, op.value)(*xs)
    nodes = [m.node(v) for v in (y, *op.partials(m, y, *xs))]
    program = Program(graph, nodes[0], "")
    program.input_ids, program.input_names = ids, [f"x{k}" for k in range(arity)]
    results = []
    for xs in rows:
        values = forward(program, list(xs))
        results.append([values[n] for n in nodes])
    return results


def same(a, b, ulps=0):
    a, b = float(a), float(b)
    if a != a or b != b:
        return a != a and b != b
    if a == b:
        return True
    return ulps > 0 and math.isfinite(a) and math.isfinite(b) and abs(a - b) <= ulps * math.ulp(max(abs(a), abs(b)))


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_number_type_gives_float64s_numbers(name):
    op = OPS[name]
    rows = points(op)
    for arity in sorted({len(xs) for xs in rows}):
        group = [xs for xs in rows if len(xs) == arity]
        want = [by_float(op, xs) for xs in group]
        columns = [np.array([xs[k] for xs in group]) for k in range(arity)]
        vector = by_numpy(op, columns)
        symbolic = by_graph(op, arity, group)
        ulps = 0 if name in EXACT else 4
        for j, xs in enumerate(group):
            for k, w in enumerate(want[j]):
                what = "value" if k == 0 else f"d/dx{k - 1}"
                assert same(vector[k][j], w, ulps), f"numpy {name}{xs} {what}: {vector[k][j]!r}, float64 {w!r}"
                assert same(symbolic[j][k], w), f"symbolic {name}{xs} {what}: {symbolic[j][k]!r}, float64 {w!r}"


def test_the_conventions_points_are_among_the_points():
    """The test is only as good as its points: each convention's point is in them."""
    assert (0.0, 0.0) in points(OPS["pow"]) and (0.0, 0.0) in points(OPS["hypot"])
    assert (2.0, 2.0, 1.0) in points(OPS["max"]) and (inf, inf) in points(OPS["min"])
    assert (0.0, 1.0, 2.0) in points(OPS["select"]) and (nan, 1.0, 2.0) in points(OPS["select"])


def test_constants_come_from_the_type():
    for m in (FloatMath, NumpyMath, SymbolicMath):
        assert (m.zero, m.one) == (0.0, 1.0)
        assert m.ln2 == math.log(2) and m.ln10 == math.log(10) and m.two_over_sqrt_pi == 2 / math.sqrt(math.pi)
