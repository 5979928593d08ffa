"""A small generator of random programs with their SymPy meaning, for derivative tests.

Each program is a chain of assignments `v1 = ...; v2 = ...` over inputs x, y, z, built one
operation at a time over the whole function list; an operation is kept only when its
arguments, at the chosen point, are inside its domain, away from kinks (abs, relu, sign,
step at 0, max/min ties, atan2's branch cut) and from poles, and its value is moderate. So
every program is smooth at its point, where SymPy's derivatives are the truth.
"""

import math
import random

import sympy

from gradcli.numbers.float64 import FloatMath

INPUTS = ("x", "y", "z")
SYMBOLS = {name: sympy.Symbol(name, real=True) for name in INPUTS}
GAP = 1e-2  # least distance from a kink, a pole or a domain edge
BIG = 1e3  # largest magnitude of a value


def _far(a, point=0.0):
    return abs(a - point) > GAP


def _apart(*xs):
    """No near-tie among distinct values (the same value twice is one argument, no kink)."""
    values = sorted(set(xs))
    return all(b - a > GAP for a, b in zip(values, values[1:], strict=False))


def _cbrt(xs, vs):
    a = xs[0]
    third = sympy.Rational(1, 3)
    return a**third if vs[0] > 0 else -((-a) ** third)


# name -> (arity, SymPy meaning of the arguments (and their values), domain test on the values)
FUNCTIONS = {
    "add": (2, lambda a, b: a + b, None),
    "sub": (2, lambda a, b: a - b, None),
    "mul": (2, lambda a, b: a * b, None),
    "div": (2, lambda a, b: a / b, lambda a, b: _far(b)),
    "neg": (1, lambda a: -a, None),
    "pow": (2, lambda a, b: a**b, lambda a, b: a > GAP and abs(b * math.log(a)) < 5),
    "sin": (1, sympy.sin, None),
    "cos": (1, sympy.cos, None),
    "tan": (1, sympy.tan, lambda a: _far(math.cos(a))),
    "asin": (1, sympy.asin, lambda a: abs(a) < 1 - GAP),
    "acos": (1, sympy.acos, lambda a: abs(a) < 1 - GAP),
    "atan": (1, sympy.atan, None),
    "atan2": (2, sympy.atan2, lambda a, b: math.hypot(a, b) > GAP and (b > 0 or _far(a))),
    "sinh": (1, sympy.sinh, lambda a: abs(a) < 6),
    "cosh": (1, sympy.cosh, lambda a: abs(a) < 6),
    "tanh": (1, sympy.tanh, None),
    "asinh": (1, sympy.asinh, None),
    "acosh": (1, sympy.acosh, lambda a: a > 1 + GAP),
    "atanh": (1, sympy.atanh, lambda a: abs(a) < 1 - GAP),
    "exp": (1, sympy.exp, lambda a: abs(a) < 6),
    "expm1": (1, lambda a: sympy.exp(a) - 1, lambda a: abs(a) < 6),
    "log": (1, sympy.log, lambda a: a > GAP),
    "log1p": (1, lambda a: sympy.log(1 + a), lambda a: a > GAP - 1),
    "log2": (1, lambda a: sympy.log(a) / sympy.log(2), lambda a: a > GAP),
    "log10": (1, lambda a: sympy.log(a) / sympy.log(10), lambda a: a > GAP),
    "sqrt": (1, sympy.sqrt, lambda a: a > GAP),
    "cbrt": (1, _cbrt, lambda a: _far(a)),
    "abs": (1, lambda xs, vs: xs[0] if vs[0] > 0 else -xs[0], lambda a: _far(a)),
    "hypot": (2, lambda a, b: sympy.sqrt(a**2 + b**2), lambda a, b: math.hypot(a, b) > GAP),
    "sigmoid": (1, lambda a: 1 / (1 + sympy.exp(-a)), None),
    "relu": (1, lambda xs, vs: xs[0] if vs[0] > 0 else sympy.Integer(0), lambda a: _far(a)),
    "softplus": (1, lambda a: sympy.log(1 + sympy.exp(a)), None),
    "erf": (1, sympy.erf, None),
    "erfc": (1, sympy.erfc, None),
    "max": (3, lambda xs, vs: xs[vs.index(max(vs))], _apart),
    "min": (3, lambda xs, vs: xs[vs.index(min(vs))], _apart),
    "sign": (1, lambda xs, vs: sympy.Integer(1 if vs[0] > 0 else -1), lambda a: _far(a)),
    "step": (1, lambda xs, vs: sympy.Integer(1 if vs[0] > 0 else 0), lambda a: _far(a)),
    "select": (3, lambda xs, vs: xs[1] if vs[0] > 0 else xs[2], lambda c, a, b: _far(c)),
    "floor": (1, lambda xs, vs: sympy.Integer(math.floor(vs[0])), lambda a: _far(a, round(a))),
    "ceil": (1, lambda xs, vs: sympy.Integer(math.ceil(vs[0])), lambda a: _far(a, round(a))),
}
# A piecewise function means, in SymPy, the formula of the piece the point is on: away from
# the kink its derivatives are that formula's. Its meaning takes the arguments' values too.
PIECEWISE = {"cbrt", "abs", "relu", "max", "min", "sign", "step", "select", "floor", "ceil"}
_INFIX = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "^"}


class Example:
    """A program's text, its SymPy expression and a point (name -> float)."""

    def __init__(self, text, expr, point):
        self.text = text
        self.expr = expr
        self.point = point

    def sympy_at(self, e):
        """A SymPy expression's value at the point, computed exactly from the point's floats."""
        subs = {SYMBOLS[n]: sympy.Rational(v) for n, v in self.point.items()}
        return complex(sympy.N(e.subs(subs), 30)).real


def example(seed, ops=8, inputs=2):
    """A random program with `ops` operations over up to `inputs` inputs, smooth at its point."""
    rng = random.Random(seed)
    names = list(FUNCTIONS)
    point = {n: rng.choice([-1, 1]) * rng.uniform(0.2, 2.0) for n in INPUTS[:inputs]}
    pool = [(n, SYMBOLS[n], v) for n, v in point.items()]  # (text, sympy, value)
    lines = []
    while len(lines) < ops:
        op = rng.choice(names)
        arity, meaning, domain = FUNCTIONS[op]
        args = [rng.choice(pool[-4:] if rng.random() < 0.7 else pool) for _ in range(arity)]
        if op in ("mul", "add") and rng.random() < 0.2:
            args[1] = (str(c := rng.choice([2, 0.5, 3])), sympy.nsimplify(c), float(c))
        values = [v for _, _, v in args]
        if domain is not None and not domain(*values):
            continue
        value = getattr(FloatMath, op)(*values)
        if not (math.isfinite(value) and abs(value) < BIG):
            continue
        texts = [t for t, _, _ in args]  # names and positive numbers: never parenthesised
        if op in _INFIX:
            text = f"{texts[0]} {_INFIX[op]} {texts[1]}"
        elif op == "neg":
            text = f"-{texts[0]}"
        else:
            text = f"{op}({', '.join(texts)})"
        name = f"v{len(lines) + 1}"
        lines.append(f"{name} = {text}")
        exprs = [e for _, e, _ in args]
        pool.append((name, meaning(exprs, values) if op in PIECEWISE else meaning(*exprs), value))
    return Example("\n".join(lines), pool[-1][1], point)
