"""THE op table: each operation's arity, value function and local partials, side by side.

A rule is `partials(m, y, *xs)`: given the number type `m` (numerics.FloatMath, or another
namespace with the same names), the node's value `y` and its parents' values `xs`, it returns
one local partial d y / d x_k per parent. Rules may use the output (exp' = y, tanh' = 1 - y²).
Writing rules against `m` instead of `math` is what lets the same table serve float64, numpy
arrays and symbolic derivative graphs: a rule uses only the protocol's primitives (numerics.py),
its constants come from the type (`m.one`, `m.ln2`; small dyadic literals such as 0.5 and 3.0
are exact in every type), and each convention at a non-differentiable point is written once,
in its row, as `m.where(condition, convention, formula)` over the type's predicates (HIPS
autograd's way), so every number type applies it identically. `kink` says in words when a non-differentiable point's
convention was applied (the contract's, after PyTorch's), so the output can report it.

Adding a function is one row here (plus its kernel in numerics.py) and one test row.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Op:
    """One operation: its name in the language and in JSON, its arity and its rules."""

    name: str
    arity: int | None  # None: one or more arguments (max, min)
    partials: Callable
    # (y, *xs, active=flags) -> what convention was used, or None; `active` says which
    # arguments depend on an input, so a convention on a constant's partial goes unmentioned
    kink: Callable | None = None
    doc: str = ""
    jumps: bool = False  # a step function: its value jumps, so a difference across a jump says nothing

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
    return m.mul(m.sub(m.one, x), m.add(m.one, x))


def _sech_squared(m, x):
    """(1/cosh x)²: 1 - y² is 0 for |x| > 19 and loses digits from |x| = 5 on, and in 1/cosh² x
    the dual tangent of the reciprocal, −(1/c²)/c², underflows from |x| ≈ 178 (cosh⁴ > 1e308)."""
    s = m.div(m.one, m.cosh(x))
    return m.mul(s, s)


def _pow_partials(m, y, x, p):
    """p·x^(p-1), taken as 0 when p = 0; x^p·log(x), taken as 0 when x = 0 and p >= 0
    (PyTorch's conventions)."""
    zero = m.zero
    dbase = m.where(m.eq(p, zero), zero, m.mul(p, m.pow(x, m.sub(p, m.one))))
    base0 = m.where(m.eq(x, zero), m.ge(p, zero), m.false)
    return dbase, m.where(base0, zero, m.mul(y, m.log(x)))


def _hypot_partials(m, y, a, b):
    """a / y and b / y, taken as (0, 0) at y = 0."""
    at0 = m.eq(y, m.zero)
    return m.where(at0, m.zero, m.div(a, y)), m.where(at0, m.zero, m.div(b, y))


def _tie_partials(m, y, *xs):
    """Each of k arguments equal to the result gets 1/k (0/0 = nan when none is: a nan)."""
    hits = [m.where(m.eq(x, y), m.one, m.zero) for x in xs]
    k = hits[0]
    for h in hits[1:]:
        k = m.add(k, h)
    return tuple(m.div(h, k) for h in hits)


def _select_partials(m, y, c, a, b):
    """0 to the condition, 1 to the branch taken, 0 to the other (whose nodes the reverse
    sweep then leaves out: see engine.reverse._passed)."""
    taken = m.gt(c, m.zero)
    return m.zero, m.where(taken, m.one, m.zero), m.where(taken, m.zero, m.one)


def _select_kink(y, c, a, b, active=(True, True, True)):
    if c == 0 and a != b and active[0]:
        return "select at c = 0 with a ≠ b: a jump; the b branch taken (c > 0 is false), derivative 0 to c"
    return None


def _atan2_partials(m, a, b, h):
    """b / (a² + b²) and -a / (a² + b²) as (b/h)/h and -(a/h)/h, h = hypot(a, b): a² + b²
    overflows above 1e154 and underflows below 1e-162."""
    return m.div(m.div(b, h), h), m.neg(m.div(m.div(a, h), h))


OPS = {
    op.name: op
    for op in [
        # operators
        Op("add", 2, lambda m, y, a, b: (m.one, m.one)),
        Op("sub", 2, lambda m, y, a, b: (m.one, m.neg(m.one))),
        Op("mul", 2, lambda m, y, a, b: (b, a)),
        Op("div", 2, lambda m, y, a, b: (m.div(m.one, b), m.neg(m.div(y, b)))),
        Op("neg", 1, lambda m, y, a: (m.neg(m.one),)),
        Op("pow", 2, _pow_partials, _pow_kink),
        # trigonometric
        Op("sin", 1, lambda m, y, x: (m.cos(x),)),
        Op("cos", 1, lambda m, y, x: (m.neg(m.sin(x)),)),
        Op("tan", 1, lambda m, y, x: (m.add(m.one, m.mul(y, y)),)),
        # 1 - x² as (1 - x)(1 + x): exact near |x| = 1, where 1 - x·x loses digits to rounding
        Op("asin", 1, lambda m, y, x: (m.div(m.one, m.sqrt(_one_minus_square(m, x))),)),
        Op("acos", 1, lambda m, y, x: (m.neg(m.div(m.one, m.sqrt(_one_minus_square(m, x)))),)),
        Op("atan", 1, lambda m, y, x: (m.div(m.one, m.add(m.one, m.mul(x, x))),)),
        Op(
            "atan2",
            2,
            lambda m, y, a, b: _atan2_partials(m, a, b, m.hypot(a, b)),
        ),
        # hyperbolic
        Op("sinh", 1, lambda m, y, x: (m.cosh(x),)),
        Op("cosh", 1, lambda m, y, x: (m.sinh(x),)),
        Op("tanh", 1, lambda m, y, x: (_sech_squared(m, x),)),
        Op("asinh", 1, lambda m, y, x: (m.div(m.one, m.hypot(x, m.one)),)),  # x² + 1 overflows at 1e154
        Op("acosh", 1, lambda m, y, x: (m.div(m.one, m.mul(m.sqrt(m.sub(x, m.one)), m.sqrt(m.add(x, m.one)))),)),
        Op("atanh", 1, lambda m, y, x: (m.div(m.one, _one_minus_square(m, x)),)),
        # exponentials and logarithms
        Op("exp", 1, lambda m, y, x: (y,)),
        Op("expm1", 1, lambda m, y, x: (m.exp(x),)),  # y + 1 is 0 for x < -37
        Op("log", 1, lambda m, y, x: (m.div(m.one, x),)),
        Op("log1p", 1, lambda m, y, x: (m.div(m.one, m.add(x, m.one)),)),
        Op("log2", 1, lambda m, y, x: (m.div(m.one, m.mul(x, m.ln2)),)),
        Op("log10", 1, lambda m, y, x: (m.div(m.one, m.mul(x, m.ln10)),)),
        # roots and magnitudes
        Op("sqrt", 1, lambda m, y, x: (m.div(0.5, y),), lambda y, x, active=None: "sqrt at 0: derivative +inf" if x == 0 else None),
        Op("cbrt", 1, lambda m, y, x: (m.div(m.one, m.mul(3.0, m.mul(y, y))),), lambda y, x, active=None: "cbrt at 0: derivative +inf" if x == 0 else None),
        Op("abs", 1, lambda m, y, x: (m.sign(x),), lambda y, x, active=None: "abs at 0: derivative taken as 0" if x == 0 else None),
        Op(
            "hypot",
            2,
            _hypot_partials,
            lambda y, a, b, active=None: "hypot at (0, 0): derivatives taken as (0, 0)" if y == 0 else None,
        ),
        # activations and special functions
        Op("sigmoid", 1, lambda m, y, x: (m.mul(y, m.sigmoid(m.neg(x))),)),  # y(1 - y) is 0 for x > 37
        Op("relu", 1, lambda m, y, x: (m.step(x),), lambda y, x, active=None: "relu at 0: derivative taken as 0" if x == 0 else None),
        Op("softplus", 1, lambda m, y, x: (m.sigmoid(x),)),
        Op("erf", 1, lambda m, y, x: (m.mul(m.two_over_sqrt_pi, m.exp(m.neg(m.mul(x, x)))),)),
        Op("erfc", 1, lambda m, y, x: (m.neg(m.mul(m.two_over_sqrt_pi, m.exp(m.neg(m.mul(x, x))))),)),
        Op("max", None, _tie_partials, _tie_kink),
        Op("min", None, _tie_partials, _tie_kink),
        # the derivatives of abs and relu, so that derivative programs stay in the language
        Op("sign", 1, lambda m, y, x: (m.zero,), lambda y, x, active=None: "sign at 0: a jump, derivative taken as 0" if x == 0 else None, jumps=True),
        Op("step", 1, lambda m, y, x: (m.zero,), lambda y, x, active=None: "step at 0: a jump, derivative taken as 0" if x == 0 else None, jumps=True),
        # piecewise: a where c > 0, else b; dead branches are the reverse sweep's to skip
        Op("select", 3, _select_partials, _select_kink),
        Op("floor", 1, lambda m, y, x: (m.zero,), lambda y, x, active=None: "floor at an integer: a jump; derivative taken as 0" if x - y == 0 else None, jumps=True),
        Op("ceil", 1, lambda m, y, x: (m.zero,), lambda y, x, active=None: "ceil at an integer: a jump; derivative taken as 0" if x - y == 0 else None, jumps=True),
    ]
}

# `pow(x, y)` is the `^` operator spelled as a function; the other operators have no call form.
OPERATORS = {"+": "add", "-": "sub", "*": "mul", "/": "div", "^": "pow", "**": "pow"}
CALLABLE = {name: op for name, op in OPS.items() if name not in ("add", "sub", "mul", "div", "neg")}

CONSTANTS = {"pi": math.pi, "e": math.e}
