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
from oracles import ORACLES

INPUTS = ("x", "y", "z")
SYMBOLS = {name: sympy.Symbol(name, real=True) for name in INPUTS}
BIG = 1e3  # largest magnitude of a value



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
        """A SymPy expression's value at the point, computed exactly from the point's floats
        (a float is exact as a 40-digit Float: 53 bits)."""
        subs = {SYMBOLS[n]: sympy.Float(v, 40) for n, v in self.point.items()}
        # evalf with subs evaluates numerically; e.subs() first would simplify exactly, and
        # (p/2^52)^(p/2^52) for x^x at a float point is an integer power no memory holds; even
        # evalf with Rationals crawls through exact powers (x^x at seed 9832: over 300 s)
        return complex(e.evalf(30, subs=subs)).real


def example(seed, ops=8, inputs=2):
    """A random program with `ops` operations over up to `inputs` inputs, smooth at its point."""
    rng = random.Random(seed)
    names = list(ORACLES)
    point = {n: rng.choice([-1, 1]) * rng.uniform(0.2, 2.0) for n in INPUTS[:inputs]}
    pool = [(n, SYMBOLS[n], v) for n, v in point.items()]  # (text, sympy, value)
    lines = []
    while len(lines) < ops:
        op = rng.choice(names)
        arity, meaning, domain = ORACLES[op].generated
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
