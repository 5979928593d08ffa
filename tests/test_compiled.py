"""The op table's rules compiled to float64 code return FloatMath's partials bit for bit (a
nan's sign bit aside: C compilers swap a multiplication's operands, so which nan survives
differs between `operator.mul` and `*`; gradcli shows every nan as nan)."""

import itertools
import math
import struct

import pytest

from gradcli.core.ops import OPS
from gradcli.numbers.compiled import rules_for
from gradcli.numbers.float64 import FloatMath

SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.0, 1e-300, 1e300, 40.0, math.inf, -math.inf, math.nan]


def bits(xs):
    return ["nan" if x != x else struct.pack("<d", x) for x in xs]


@pytest.mark.parametrize("name", [n for n, op in OPS.items() if op.arity])
def test_a_compiled_rule_is_the_rule_bit_for_bit(name):
    arity = OPS[name].arity
    kernel = getattr(FloatMath, name)
    compiled = rules_for(FloatMath)[name]
    for xs in itertools.product(SPECIAL, repeat=arity):
        y = kernel(*xs)
        assert bits(compiled(FloatMath, y, *xs)) == bits(OPS[name].partials(FloatMath, y, *xs)), (name, xs)


def test_the_float_dual_sweep_is_the_dual_number_sweep():
    """derived.hessian's float64 forward over reverse (compiled dual kernels and partials) gives
    numbers.dual's H·v, gradient and values exactly, selects, ties and kinks included."""
    import gradcli
    from gradcli.derived.hessian import float_dual_sweep
    from gradcli.engine.forward import forward, point_values
    from gradcli.engine.reverse import reverse
    from gradcli.numbers.dual import Dual, dual_math

    from symgen import example

    D = dual_math(FloatMath)
    texts = [(example(seed, ops=8, inputs=3).text, example(seed, ops=8, inputs=3).point) for seed in range(20)]
    texts += [("select(w - 1, log(w), w*w*x) + max(w, x, 2)*sqrt(x) + abs(w - x)^x", {"w": 0.5, "x": 0.5}),
              ("hypot(w, x) * atan2(w, x) + relu(w) * tanh(x) / w", {"w": 0.0, "x": 0.0})]
    for text, point in texts:
        program = gradcli.compile_program(text)
        inputs = point_values(program, point)
        v = [1.0 - 0.5 * k for k in range(len(inputs))]
        values, adjoints, _, hv = float_dual_sweep(program, inputs, v)
        duals = forward(program, [Dual(x, t) for x, t in zip(inputs, v)], D)
        adj = reverse(program, duals, D)[0]
        want = [adj[i].tangent for i in program.input_ids]
        assert bits(hv) == bits(want), text
        assert bits(values) == bits([d.value for d in duals])
        assert bits(adjoints) == bits([a.value for a in adj])
