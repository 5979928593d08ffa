"""One oracle row per op: everything the tests know about an operation, so that adding a
function to gradcli/core/ops.py is one row here.

A row holds the op's meaning for each test that needs one: `sympy` (exact, for the random-
program generator of gen.py; None for a piecewise op, whose meaning is the piece the point is
on: gen.sympy_piece), `mpmath` (its 50-digit value), `domain` (where gen.py may apply it:
xs are the arguments' values, es their error bounds; None: everywhere), `generated` (the
(arity, SymPy meaning, domain) of symgen.py's smaller generator; a piecewise meaning takes the
arguments' values too) and `value` with `points` (a float reference and points inside the
domain, away from kinks and ties, for test_ops.py's partials against central differences).
"""

import math
import operator
from collections.abc import Callable
from typing import NamedTuple

import mpmath
import sympy

M = mpmath.mp
MARGIN = 1e-6  # gen.py: least distance from a kink, a pole or a domain edge
GAP = 1e-2  # symgen.py: least distance from a kink, a pole or a domain edge


class Oracle(NamedTuple):
    sympy: Callable | None
    mpmath: Callable
    domain: Callable | None
    generated: tuple
    value: Callable
    points: list


def away(x, err, point=0):
    """Is x at least MARGIN, and 1000 times its error bound, away from `point`?"""
    return abs(x - point) >= max(MARGIN, 1000 * err)


def far(a, point=0.0):
    return abs(a - point) > GAP


def _apart(*xs):
    """No near-tie among distinct values (the same value twice is one argument, no kink)."""
    values = sorted(set(xs))
    return all(b - a > GAP for a, b in zip(values, values[1:], strict=False))


def _cbrt_mp(a):
    return M.sign(a) * M.cbrt(abs(a))


def _cbrt_piece(xs, vs):
    a = xs[0]
    third = sympy.Rational(1, 3)
    return a**third if vs[0] > 0 else -((-a) ** third)


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


def _sign(x):
    return 0.0 if x == 0 else math.copysign(1.0, x)


ORACLES = {
    "add": Oracle(
        sympy=lambda a, b: a + b,
        mpmath=lambda a, b: a + b,
        domain=None,
        generated=(2, lambda a, b: a + b, None),
        value=operator.add,
        points=[(1.5, -2.0), (0.3, 4.0), (-7.0, 0.25)],
    ),
    "sub": Oracle(
        sympy=lambda a, b: a - b,
        mpmath=lambda a, b: a - b,
        domain=None,
        generated=(2, lambda a, b: a - b, None),
        value=operator.sub,
        points=[(1.5, -2.0), (0.3, 4.0), (-7.0, 0.25)],
    ),
    "mul": Oracle(
        sympy=lambda a, b: a * b,
        mpmath=lambda a, b: a * b,
        domain=None,
        generated=(2, lambda a, b: a * b, None),
        value=operator.mul,
        points=[(1.5, -2.0), (0.3, 4.0), (-7.0, 0.25)],
    ),
    "div": Oracle(
        sympy=lambda a, b: a / b,
        mpmath=lambda a, b: a / b,
        domain=lambda xs, es: away(xs[1], es[1]),
        generated=(2, lambda a, b: a / b, lambda a, b: far(b)),
        value=operator.truediv,
        points=[(1.5, -2.0), (0.3, 4.0), (-7.0, 0.25)],
    ),
    "neg": Oracle(
        sympy=lambda a: -a,
        mpmath=lambda a: -a,
        domain=None,
        generated=(1, lambda a: -a, None),
        value=operator.neg,
        points=[(1.5,), (-3.0,), (0.0,)],
    ),
    "pow": Oracle(
        sympy=lambda a, b: a**b,
        mpmath=lambda a, b: M.power(a, b),
        domain=None,
        generated=(2, lambda a, b: a**b, lambda a, b: a > GAP and abs(b * math.log(a)) < 5),
        value=operator.pow,
        points=[(2.0, 3.0), (1.5, -0.5), (0.7, 2.5), (5.0, 0.3)],
    ),
    "sin": Oracle(
        sympy=sympy.sin,
        mpmath=M.sin,
        domain=None,
        generated=(1, sympy.sin, None),
        value=math.sin,
        points=[(-2.0,), (0.5,), (1.3,), (10.0,)],
    ),
    "cos": Oracle(
        sympy=sympy.cos,
        mpmath=M.cos,
        domain=None,
        generated=(1, sympy.cos, None),
        value=math.cos,
        points=[(-2.0,), (0.5,), (1.3,), (10.0,)],
    ),
    "tan": Oracle(
        sympy=sympy.tan,
        mpmath=M.tan,
        domain=lambda xs, es: away(M.cos(xs[0]), es[0]),
        generated=(1, sympy.tan, lambda a: far(math.cos(a))),
        value=math.tan,
        points=[(-1.0,), (0.0,), (0.5,), (1.3,)],
    ),
    "asin": Oracle(
        sympy=sympy.asin,
        mpmath=M.asin,
        domain=lambda xs, es: abs(xs[0]) < 1 and away(abs(xs[0]), es[0], 1),
        generated=(1, sympy.asin, lambda a: abs(a) < 1 - GAP),
        value=math.asin,
        points=[(-0.9,), (0.0,), (0.5,)],
    ),
    "acos": Oracle(
        sympy=sympy.acos,
        mpmath=M.acos,
        domain=lambda xs, es: abs(xs[0]) < 1 and away(abs(xs[0]), es[0], 1),
        generated=(1, sympy.acos, lambda a: abs(a) < 1 - GAP),
        value=math.acos,
        points=[(-0.9,), (0.0,), (0.5,)],
    ),
    "atan": Oracle(
        sympy=sympy.atan,
        mpmath=M.atan,
        domain=None,
        generated=(1, sympy.atan, None),
        value=math.atan,
        points=[(-3.0,), (0.0,), (0.5,), (20.0,)],
    ),
    "atan2": Oracle(
        sympy=sympy.atan2,
        mpmath=M.atan2,
        domain=lambda xs, es: away(M.hypot(*xs), es[0] + es[1]) and (xs[1] > 0 or away(xs[0], es[0])),
        generated=(2, sympy.atan2, lambda a, b: math.hypot(a, b) > GAP and (b > 0 or far(a))),
        value=math.atan2,
        points=[(1.0, 2.0), (-1.0, -0.5), (0.5, -3.0), (2.0, 0.0)],
    ),
    "sinh": Oracle(
        sympy=sympy.sinh,
        mpmath=M.sinh,
        domain=lambda xs, es: abs(xs[0]) <= 18,
        generated=(1, sympy.sinh, lambda a: abs(a) < 6),
        value=math.sinh,
        points=[(-2.0,), (0.3,), (1.5,), (5.0,)],
    ),
    "cosh": Oracle(
        sympy=sympy.cosh,
        mpmath=M.cosh,
        domain=lambda xs, es: abs(xs[0]) <= 18,
        generated=(1, sympy.cosh, lambda a: abs(a) < 6),
        value=math.cosh,
        points=[(-2.0,), (0.0,), (1.5,), (5.0,)],
    ),
    "tanh": Oracle(
        sympy=sympy.tanh,
        mpmath=M.tanh,
        domain=None,
        generated=(1, sympy.tanh, None),
        value=math.tanh,
        points=[(-2.0,), (0.0,), (0.7,), (3.0,)],
    ),
    "asinh": Oracle(
        sympy=sympy.asinh,
        mpmath=M.asinh,
        domain=None,
        generated=(1, sympy.asinh, None),
        value=math.asinh,
        points=[(-3.0,), (0.0,), (0.7,), (50.0,)],
    ),
    "acosh": Oracle(
        sympy=sympy.acosh,
        mpmath=M.acosh,
        domain=lambda xs, es: xs[0] > 1 and away(xs[0], es[0], 1),
        generated=(1, sympy.acosh, lambda a: a > 1 + GAP),
        value=math.acosh,
        points=[(1.1,), (2.0,), (10.0,)],
    ),
    "atanh": Oracle(
        sympy=sympy.atanh,
        mpmath=M.atanh,
        domain=lambda xs, es: abs(xs[0]) < 1 and away(abs(xs[0]), es[0], 1),
        generated=(1, sympy.atanh, lambda a: abs(a) < 1 - GAP),
        value=math.atanh,
        points=[(-0.8,), (0.0,), (0.5,)],
    ),
    "exp": Oracle(
        sympy=sympy.exp,
        mpmath=M.exp,
        domain=lambda xs, es: abs(xs[0]) <= 18,
        generated=(1, sympy.exp, lambda a: abs(a) < 6),
        value=math.exp,
        points=[(-3.0,), (0.0,), (1.2,), (10.0,)],
    ),
    "expm1": Oracle(
        sympy=lambda a: sympy.exp(a) - 1,
        mpmath=M.expm1,
        domain=lambda xs, es: abs(xs[0]) <= 18,
        generated=(1, lambda a: sympy.exp(a) - 1, lambda a: abs(a) < 6),
        value=math.expm1,
        points=[(-3.0,), (1e-3,), (1.2,)],
    ),
    "log": Oracle(
        sympy=sympy.log,
        mpmath=M.log,
        domain=lambda xs, es: xs[0] > 0 and away(xs[0], es[0]),
        generated=(1, sympy.log, lambda a: a > GAP),
        value=math.log,
        points=[(0.01,), (1.0,), (7.5,)],
    ),
    "log1p": Oracle(
        sympy=lambda a: sympy.log(1 + a),
        mpmath=M.log1p,
        domain=lambda xs, es: xs[0] > -1 and away(xs[0], es[0], -1),
        generated=(1, lambda a: sympy.log(1 + a), lambda a: a > GAP - 1),
        value=math.log1p,
        points=[(-0.5,), (0.0,), (3.0,)],
    ),
    "log2": Oracle(
        sympy=lambda a: sympy.log(a) / sympy.log(2),
        mpmath=lambda a: M.log(a, 2),
        domain=lambda xs, es: xs[0] > 0 and away(xs[0], es[0]),
        generated=(1, lambda a: sympy.log(a) / sympy.log(2), lambda a: a > GAP),
        value=math.log2,
        points=[(0.1,), (1.0,), (7.5,)],
    ),
    "log10": Oracle(
        sympy=lambda a: sympy.log(a) / sympy.log(10),
        mpmath=M.log10,
        domain=lambda xs, es: xs[0] > 0 and away(xs[0], es[0]),
        generated=(1, lambda a: sympy.log(a) / sympy.log(10), lambda a: a > GAP),
        value=math.log10,
        points=[(0.1,), (1.0,), (7.5,)],
    ),
    "sqrt": Oracle(
        sympy=sympy.sqrt,
        mpmath=M.sqrt,
        domain=lambda xs, es: xs[0] > 0 and away(xs[0], es[0]),
        generated=(1, sympy.sqrt, lambda a: a > GAP),
        value=math.sqrt,
        points=[(0.01,), (1.0,), (9.0,)],
    ),
    "cbrt": Oracle(
        sympy=None,
        mpmath=_cbrt_mp,
        domain=lambda xs, es: away(xs[0], es[0]),
        generated=(1, _cbrt_piece, lambda a: far(a)),
        value=lambda x: math.copysign(abs(x) ** (1.0 / 3.0), x),
        points=[(-8.0,), (-0.5,), (0.3,), (27.0,)],
    ),
    "abs": Oracle(
        sympy=None,
        mpmath=abs,
        domain=lambda xs, es: away(xs[0], es[0]),
        generated=(1, lambda xs, vs: xs[0] if vs[0] > 0 else -xs[0], lambda a: far(a)),
        value=abs,
        points=[(-2.0,), (0.5,)],
    ),
    "hypot": Oracle(
        sympy=lambda a, b: sympy.sqrt(a**2 + b**2),
        mpmath=M.hypot,
        domain=lambda xs, es: away(M.hypot(*xs), es[0] + es[1]),
        generated=(2, lambda a, b: sympy.sqrt(a**2 + b**2), lambda a, b: math.hypot(a, b) > GAP),
        value=math.hypot,
        points=[(3.0, 4.0), (-1.0, 0.5), (0.0, 2.0)],
    ),
    "sigmoid": Oracle(
        sympy=lambda a: 1 / (1 + sympy.exp(-a)),
        mpmath=lambda a: 1 / (1 + M.exp(-a)),
        domain=None,
        generated=(1, lambda a: 1 / (1 + sympy.exp(-a)), None),
        value=sigmoid,
        points=[(-5.0,), (0.0,), (2.0,), (30.0,)],
    ),
    "relu": Oracle(
        sympy=None,
        mpmath=lambda a: max(a, 0 * a),
        domain=lambda xs, es: away(xs[0], es[0]),
        generated=(1, lambda xs, vs: xs[0] if vs[0] > 0 else sympy.Integer(0), lambda a: far(a)),
        value=lambda x: max(x, 0.0),
        points=[(-1.0,), (2.5,)],
    ),
    "softplus": Oracle(
        sympy=lambda a: sympy.log(1 + sympy.exp(a)),
        mpmath=lambda a: M.log1p(M.exp(a)),
        domain=None,
        generated=(1, lambda a: sympy.log(1 + sympy.exp(a)), None),
        value=lambda x: math.log1p(math.exp(x)),
        points=[(-20.0,), (0.0,), (3.0,), (30.0,)],
    ),
    "erf": Oracle(
        sympy=sympy.erf,
        mpmath=M.erf,
        domain=None,
        generated=(1, sympy.erf, None),
        value=math.erf,
        points=[(-2.0,), (0.0,), (0.5,), (3.0,)],
    ),
    "erfc": Oracle(
        sympy=sympy.erfc,
        mpmath=M.erfc,
        domain=None,
        generated=(1, sympy.erfc, None),
        value=math.erfc,
        points=[(-2.0,), (0.0,), (0.5,), (3.0,)],
    ),
    "max": Oracle(
        sympy=None,
        mpmath=lambda *xs: max(xs),
        domain=None,
        generated=(3, lambda xs, vs: xs[vs.index(max(vs))], _apart),
        value=lambda *xs: max(xs),
        points=[(1.0, 2.0), (3.0, -1.0, 2.0), (0.5,), (4.0, 7.0, -2.0, 1.0)],
    ),
    "min": Oracle(
        sympy=None,
        mpmath=lambda *xs: min(xs),
        domain=None,
        generated=(3, lambda xs, vs: xs[vs.index(min(vs))], _apart),
        value=lambda *xs: min(xs),
        points=[(1.0, 2.0), (3.0, -1.0, 2.0), (0.5,), (4.0, 7.0, -2.0, 1.0)],
    ),
    "sign": Oracle(
        sympy=None,
        mpmath=M.sign,
        domain=lambda xs, es: away(xs[0], es[0]),
        generated=(1, lambda xs, vs: sympy.Integer(1 if vs[0] > 0 else -1), lambda a: far(a)),
        value=_sign,
        points=[(-2.0,), (3.0,)],
    ),
    "step": Oracle(
        sympy=None,
        mpmath=lambda a: M.mpf(1) if a > 0 else M.mpf(0),
        domain=lambda xs, es: away(xs[0], es[0]),
        generated=(1, lambda xs, vs: sympy.Integer(1 if vs[0] > 0 else 0), lambda a: far(a)),
        value=lambda x: 1.0 if x > 0 else 0.0,
        points=[(-2.0,), (3.0,)],
    ),
    "select": Oracle(
        sympy=None,
        mpmath=lambda c, a, b: a if c > 0 else b,
        domain=lambda xs, es: away(xs[0], es[0]),
        generated=(3, lambda xs, vs: xs[1] if vs[0] > 0 else xs[2], lambda c, a, b: far(c)),
        value=lambda c, a, b: a if c > 0 else b,
        points=[(1.0, 2.0, 3.0), (-0.5, 2.0, 3.0), (2.0, -1.0, 4.5)],
    ),
    "floor": Oracle(
        sympy=None,
        mpmath=M.floor,
        domain=lambda xs, es: away(xs[0], es[0], M.nint(xs[0])),
        generated=(1, lambda xs, vs: sympy.Integer(math.floor(vs[0])), lambda a: far(a, round(a))),
        value=lambda x: float(math.floor(x)),
        points=[(-2.5,), (0.3,), (7.9,)],
    ),
    "ceil": Oracle(
        sympy=None,
        mpmath=M.ceil,
        domain=lambda xs, es: away(xs[0], es[0], M.nint(xs[0])),
        generated=(1, lambda xs, vs: sympy.Integer(math.ceil(vs[0])), lambda a: far(a, round(a))),
        value=lambda x: float(math.ceil(x)),
        points=[(-2.5,), (0.3,), (7.9,)],
    ),
}
