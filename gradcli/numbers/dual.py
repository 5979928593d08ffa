"""Dual numbers (value, tangent): one forward-mode direction carried through any sweep.

A dual x + ε·t (ε² = 0) is what lets a reverse sweep run "forward over reverse": with every
value and every adjoint a dual, the adjoints' tangents are the Hessian-vector product H·v in
the same O(edges) sweep. `dual_math(s)` builds the number type over a scalar type `s`
(FloatMath, or MpMath under --precision): each kernel is the scalar kernel for
the value and the op table's own local partials, in `s`, for the tangent, so a dual never needs
derivative rules of its own. A zero tangent (a constant, a direction's left-out component)
contributes nothing, as an edge out of a constant contributes nothing to the gradient.
"""

from ..core.ops import OPS
from . import per_type


class Dual:
    """value + ε·tangent; the arithmetic the sweeps write inline (`a * d`, `+=`)."""

    __slots__ = ("tangent", "value")

    def __init__(self, value, tangent):
        self.value = value
        self.tangent = tangent

    def __add__(self, other):
        if isinstance(other, Dual):
            return Dual(self.value + other.value, self.tangent + other.tangent)
        return Dual(self.value + other, self.tangent)

    __radd__ = __add__

    def __mul__(self, other):
        if isinstance(other, Dual):
            return Dual(self.value * other.value,
                        scale(self.value, other.tangent) + scale(other.value, self.tangent))
        return Dual(self.value * other, scale(other, self.tangent))

    __rmul__ = __mul__

    def __repr__(self):
        return f"Dual({self.value!r}, {self.tangent!r})"


def scale(a, t):
    """a·t, exactly 0 when the tangent t is 0 (whatever a is: inf, nan). Tangents add as
    numbers: x + 0 is x, so a zero tangent adds nothing without a test."""
    return t if t == 0 else a * t


def _lift(x):
    return x if isinstance(x, Dual) else Dual(x, 0.0)  # a constant: its tangent is 0


def _where(s, c, a, b):
    """Both parts picked by the scalar type's `where`, so that a condition known only at run
    time (numbers.staged) picks them there; a choice between conditions is a condition."""
    if not isinstance(a, Dual) and not isinstance(b, Dual):
        return s.where(c, a, b)
    a, b = _lift(a), _lift(b)
    return Dual(s.where(c, a.value, b.value), s.where(c, a.tangent, b.tangent))


def _kernel(s, name):
    """The op's dual kernel: its value in `s`, its tangent Σ local partial × argument tangent
    (one and two arguments without building lists: the sweeps call these per node)."""
    value = getattr(s, name)
    rule = OPS[name].partials
    zero = s.zero

    def kernel(*xs):
        xs = [x if isinstance(x, Dual) else Dual(x, zero) for x in xs]
        vs = [x.value for x in xs]
        y = value(*vs)
        t = zero
        for d, x in zip(rule(s, y, *vs), xs):
            t = t + scale(d, x.tangent)
        return Dual(y, t)

    def unary(x):
        x = _lift(x)
        y = value(x.value)
        t = x.tangent
        return Dual(y, t if t == 0 else scale(rule(s, y, x.value)[0], t))  # scale's test, before the rule

    def binary(a, b):
        a, b = _lift(a), _lift(b)
        y = value(a.value, b.value)
        if a.tangent == 0 and b.tangent == 0:  # the sum below, without the rule
            return Dual(y, a.tangent + b.tangent)
        da, db = rule(s, y, a.value, b.value)
        return Dual(y, scale(da, a.tangent) + scale(db, b.tangent))

    chosen = {1: unary, 2: binary}.get(OPS[name].arity, kernel)
    chosen.__name__ = name
    return chosen


@per_type
def dual_math(s):
    """The dual number type over scalar type `s`: the whole number-type protocol."""
    zero = Dual(s.zero, s.zero)
    namespace = {
        "name": f"dual({s.name})",
        "scalar": s,
        "zero": zero,
        "one": Dual(s.one, s.zero),
        "ln2": Dual(s.ln2, s.zero),
        "ln10": Dual(s.ln10, s.zero),
        "two_over_sqrt_pi": Dual(s.two_over_sqrt_pi, s.zero),
        "number": staticmethod(lambda x: x if isinstance(x, Dual) else Dual(s.number(x), s.zero)),
        "const": staticmethod(lambda c: Dual(s.const(c), s.zero)),
        # a condition is about values: the tangent never decides a branch
        "true": s.true,
        "false": s.false,
        "eq": staticmethod(lambda a, b: s.eq(_lift(a).value, _lift(b).value)),
        "gt": staticmethod(lambda a, b: s.gt(_lift(a).value, _lift(b).value)),
        "ge": staticmethod(lambda a, b: s.ge(_lift(a).value, _lift(b).value)),
        "known": staticmethod(s.known),
        "isfinite": staticmethod(lambda x: s.isfinite(_lift(x).value) and s.isfinite(_lift(x).tangent)),
        "where": staticmethod(lambda c, a, b: _where(s, c, a, b)),
    }
    for name in OPS:
        namespace[name] = staticmethod(_kernel(s, name))
    return type("DualMath", (), namespace)
