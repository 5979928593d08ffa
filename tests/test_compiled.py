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
