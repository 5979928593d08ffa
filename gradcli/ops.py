"""THE op table: each operation's arity, value function and local partials, side by side.

A rule is `partials(m, y, *xs)`: given the number type `m` (numerics.FloatMath, or another
namespace with the same names), the node's value `y` and its parents' values `xs`, it returns
one local partial d y / d x_k per parent. Rules may use the output (exp' = y, tanh' = 1 - y²).
Writing rules against `m` instead of `math` is what lets the same table serve float64, numpy
arrays and symbolic derivative graphs. `kink` says in words when a non-differentiable point's
convention was applied (the contract's, after PyTorch's), so the output can report it.

Adding a function is one row here (plus its kernel in numerics.py) and one test row.
"""

import math
from dataclasses import dataclass
from typing import Callable, Optional

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


@dataclass(frozen=True)
class Op:
    """One operation: its name in the language and in JSON, its arity and its rules."""

    name: str
    arity: Optional[int]  # None: one or more arguments (max, min)
    partials: Callable
    # (y, *xs, active=flags) -> what convention was used, or None; `active` says which
    # arguments depend on an input, so a convention on a constant's partial goes unmentioned
    kink: Optional[Callable] = None
    doc: str = ""

    @property
    def value(self):
        """The value function is the number type's kernel of the same name."""
        return self.name


def _tie_kink(y, *xs, active=None):
    k = sum(1 for x in xs if x == y)
    if k > 1:
        return f"a {k}-way tie: each tied argument gets 1/{k}"
    return None


def _pow_kink(y, x, p, active=(True, True)):
    """Both conventions can apply at once (0^0); name each, in base/exponent terms, since the
    user's own names may be x and y the other way round."""
    said = []
    if p == 0 and x == 0 and active[0]:  # elsewhere p·x^(p-1) is 0 by the formula itself
        said.append("exponent 0: the derivative with respect to the base taken as 0")
    if x == 0 and p >= 0 and active[1]:
        said.append("base 0: the derivative with respect to the exponent taken as 0")
    return "; ".join(said) or None


def _one_minus_square(m, x):
    return m.mul(m.sub(1.0, x), m.add(1.0, x))


def _atan2_partials(m, a, b, h):
    """b / (a² + b²) and -a / (a² + b²) as (b/h)/h and -(a/h)/h, h = hypot(a, b): a² + b²
    overflows above 1e154 and underflows below 1e-162."""
    return m.div(m.div(b, h), h), m.neg(m.div(m.div(a, h), h))


OPS = {
    op.name: op
    for op in [
        # operators
        Op("add", 2, lambda m, y, a, b: (1.0, 1.0)),
        Op("sub", 2, lambda m, y, a, b: (1.0, -1.0)),
        Op("mul", 2, lambda m, y, a, b: (b, a)),
        Op("div", 2, lambda m, y, a, b: (m.div(1.0, b), m.neg(m.div(y, b)))),
        Op("neg", 1, lambda m, y, a: (-1.0,)),
        Op("pow", 2, lambda m, y, x, p: (m.pow_dbase(x, p), m.pow_dexp(x, p, y)), _pow_kink),
        # trigonometric
        Op("sin", 1, lambda m, y, x: (m.cos(x),)),
        Op("cos", 1, lambda m, y, x: (m.neg(m.sin(x)),)),
        Op("tan", 1, lambda m, y, x: (m.add(1.0, m.mul(y, y)),)),
        # 1 - x² as (1 - x)(1 + x): exact near |x| = 1, where 1 - x·x loses digits to rounding
        Op("asin", 1, lambda m, y, x: (m.div(1.0, m.sqrt(_one_minus_square(m, x))),)),
        Op("acos", 1, lambda m, y, x: (m.neg(m.div(1.0, m.sqrt(_one_minus_square(m, x)))),)),
        Op("atan", 1, lambda m, y, x: (m.div(1.0, m.add(1.0, m.mul(x, x))),)),
        Op(
            "atan2",
            2,
            lambda m, y, a, b: _atan2_partials(m, a, b, m.hypot(a, b)),
        ),
        # hyperbolic
        Op("sinh", 1, lambda m, y, x: (m.cosh(x),)),
        Op("cosh", 1, lambda m, y, x: (m.sinh(x),)),
        # 1/cosh² (1 - y² is 0 for |x| > 19, and loses digits from |x| = 5 on)
        Op("tanh", 1, lambda m, y, x: (m.div(1.0, m.mul(m.cosh(x), m.cosh(x))),)),
        Op("asinh", 1, lambda m, y, x: (m.div(1.0, m.hypot(x, 1.0)),)),  # x² + 1 overflows at 1e154
        Op("acosh", 1, lambda m, y, x: (m.div(1.0, m.mul(m.sqrt(m.sub(x, 1.0)), m.sqrt(m.add(x, 1.0)))),)),
        Op("atanh", 1, lambda m, y, x: (m.div(1.0, _one_minus_square(m, x)),)),
        # exponentials and logarithms
        Op("exp", 1, lambda m, y, x: (y,)),
        Op("expm1", 1, lambda m, y, x: (m.exp(x),)),  # y + 1 is 0 for x < -37
        Op("log", 1, lambda m, y, x: (m.div(1.0, x),)),
        Op("log1p", 1, lambda m, y, x: (m.div(1.0, m.add(x, 1.0)),)),
        Op("log2", 1, lambda m, y, x: (m.div(1.0, m.mul(x, _LN2)),)),
        Op("log10", 1, lambda m, y, x: (m.div(1.0, m.mul(x, _LN10)),)),
        # roots and magnitudes
        Op("sqrt", 1, lambda m, y, x: (m.div(0.5, y),), lambda y, x, active=None: "sqrt at 0: derivative +inf" if x == 0 else None),
        Op("cbrt", 1, lambda m, y, x: (m.div(1.0, m.mul(3.0, m.mul(y, y))),), lambda y, x, active=None: "cbrt at 0: derivative +inf" if x == 0 else None),
        Op("abs", 1, lambda m, y, x: (m.sign(x),), lambda y, x, active=None: "abs at 0: derivative taken as 0" if x == 0 else None),
        Op(
            "hypot",
            2,
            lambda m, y, a, b: (m.ratio0(a, y), m.ratio0(b, y)),
            lambda y, a, b, active=None: "hypot at (0, 0): derivatives taken as (0, 0)" if y == 0 else None,
        ),
        # activations and special functions
        Op("sigmoid", 1, lambda m, y, x: (m.mul(y, m.sigmoid(m.neg(x))),)),  # y(1 - y) is 0 for x > 37
        Op("relu", 1, lambda m, y, x: (m.step(x),), lambda y, x, active=None: "relu at 0: derivative taken as 0" if x == 0 else None),
        Op("softplus", 1, lambda m, y, x: (m.sigmoid(x),)),
        Op("erf", 1, lambda m, y, x: (m.mul(_TWO_OVER_SQRT_PI, m.exp(m.neg(m.mul(x, x)))),)),
        Op("erfc", 1, lambda m, y, x: (m.mul(-_TWO_OVER_SQRT_PI, m.exp(m.neg(m.mul(x, x)))),)),
        Op("max", None, lambda m, y, *xs: m.tie_shares(y, xs), _tie_kink),
        Op("min", None, lambda m, y, *xs: m.tie_shares(y, xs), _tie_kink),
        # the derivatives of abs and relu, so that derivative programs stay in the language
        Op("sign", 1, lambda m, y, x: (0.0,), lambda y, x, active=None: "sign at 0: a jump, derivative taken as 0" if x == 0 else None),
        Op("step", 1, lambda m, y, x: (0.0,), lambda y, x, active=None: "step at 0: a jump, derivative taken as 0" if x == 0 else None),
    ]
}

# `pow(x, y)` is the `^` operator spelled as a function; the other operators have no call form.
OPERATORS = {"+": "add", "-": "sub", "*": "mul", "/": "div", "^": "pow", "**": "pow"}
CALLABLE = {name: op for name, op in OPS.items() if name not in ("add", "sub", "mul", "div", "neg")}

CONSTANTS = {"pi": math.pi, "e": math.e}
