"""The graph number type: a number is a node of a hash-consed Graph (or a float constant).

The book's closing point (6.5.3): the formulas of Algorithm 6.2 are also instructions for
building the backward graph out of ordinary nodes. Run with this number type, the reverse sweep
(engine/reverse.py) calls the op table's rules, and every local partial and every adjoint sum it
computes becomes a node appended to the graph. Since it is the same sweep with the same rules,
a derivative node evaluates to `gradcli eval`'s partial bit for bit.

Simplifying while building keeps the result linear in the program: constants fold, and
x*1, x+0, --x, x^0 and x^1 collapse, all exactly in float64 up to the sign of a zero (x*0 and
x-x stay, being nan for x = inf). The conventions at non-differentiable points are the op
table's `m.where`s, which become `select` nodes over exact predicates (`gt`, `ge`, `eq`
below), and the reverse sweep's dead-branch masks become `select`s too."""

import math

from ..core.graph import Literal
from ..core.ops import OPS
from ..numbers.float64 import FloatMath
from . import Recorded


class Node(Recorded):
    """A node of the graph as a number."""

    __slots__ = ("id", "m")

    def __init__(self, m, i):
        self.id = i
        self.m = m


class SymbolicMath:
    """The number type of derivative graphs: a number is a Node or a float constant, and each
    operation on a Node interns a node in `graph` (reusing the node when it already exists)."""

    zero = 0.0
    one = 1.0
    ln2 = FloatMath.ln2  # a literal of the derivative program, as pi is one
    ln10 = FloatMath.ln10
    two_over_sqrt_pi = FloatMath.two_over_sqrt_pi
    number = const = staticmethod(float)

    def __init__(self, graph, s=FloatMath):
        """Constants fold in the scalar type `s`: float64, or mpmath under --precision, whose
        folded constants become literals carrying every working digit."""
        self.graph = graph
        self.s = s
        if s is not FloatMath:
            self.ln2, self.ln10, self.two_over_sqrt_pi = s.ln2, s.ln10, s.two_over_sqrt_pi

    def _constant_value(self, data):
        return data if self.s is FloatMath else self.s.const(data)

    def value(self, i):
        """Node i as a number: a literal (`2`, `-2`, `pi`) as its value in `s`, so rules fold it."""
        op, ps = self.graph.op[i], self.graph.parents[i]
        if op == "const":
            return self._constant_value(self.graph.data[i])
        if op == "neg" and self.graph.op[ps[0]] == "const":
            return -self._constant_value(self.graph.data[ps[0]])
        return Node(self, i)

    def node(self, v):
        """The node id of a number. A negative constant is -c and nan is 0/0, as the language
        writes them, so that the printed program reads back to the same nodes."""
        if isinstance(v, Node):
            return v.id
        g = self.graph
        if v != v:
            zero = g.const(0.0)
            return g.intern("div", (zero, zero))
        if math.copysign(1.0, float(v)) < 0:
            return g.intern("neg", (g.const(self._literal(-v)),))
        return g.const(self._literal(v))

    def _literal(self, v):
        """A constant node's data: a float, or a Literal with every digit of an `s` number."""
        return float(v) if self.s is FloatMath else Literal(self.s.text(v))

    def apply(self, op, *args):
        """`op` of args: folded (in `s`) when every argument is a constant, else a node."""
        if not any(isinstance(a, Node) for a in args):
            y = getattr(self.s, op)(*args)
            return float(y) if self.s is FloatMath else y
        return self.value(self.graph.intern(op, tuple(self.node(a) for a in args)))

    def _negated(self, v):
        """x when v is the node -x, else None."""
        if isinstance(v, Node) and self.graph.op[v.id] == "neg":
            return self.value(self.graph.parents[v.id][0])
        return None

    def _stripped(self, v):
        """(negative, x) with v = -x or v = x and x no negation (nor a negative constant): a
        chain of minus signs (`---w`, a program's own) taken off in a loop, never by recursion."""
        negative = False
        while (n := self._negated(v) if isinstance(v, Node) else (-v if v < 0 else None)) is not None:
            negative, v = not negative, n
        return negative, v

    # -- the operators, simplifying -------------------------------------------------------
    # Every rewrite is exact in float64 (x + -y is x - y, x × -c is -(x × c)) up to the sign
    # of a zero; x × 0 and x - x stay nodes, since they are nan for an infinite or nan x.

    def add(self, a, b):
        if _constant(a) and _constant(b):
            return self.apply("add", a, b)
        for c, x in ((b, a), (a, b)):
            if _constant(c) and (c == 0 or c < 0):
                return x if c == 0 else self.sub(x, -c)
        for c, x in ((b, a), (a, b)):
            negative, n = self._stripped(c)
            if n is not c:
                return self.sub(x, n) if negative else self.add(x, n)
        return self.apply("add", a, b)

    def sub(self, a, b):
        if _constant(a) and _constant(b):
            return self.apply("sub", a, b)
        if _constant(b) and (b == 0 or b < 0):
            return a if b == 0 else self.add(a, -b)
        if _constant(a) and a == 0:
            return self.neg(b)
        negative, n = self._stripped(b)
        if n is not b:
            return self.add(a, n) if negative else self.sub(a, n)
        return self.apply("sub", a, b)

    def mul(self, a, b):
        if _constant(a) and _constant(b):
            return self.apply("mul", a, b)
        first = _constant(a)
        c, x = (a, b) if first else (b, a)
        if _constant(c):
            if c == 1:
                return x
            if c < 0:
                return self.neg(self.mul(-c, x) if first else self.mul(x, -c))
        return self._unnegated("mul", a, b)

    def div(self, a, b):
        if _constant(a) and _constant(b):
            return self.apply("div", a, b)
        if _constant(b) and b == 1:
            return a
        return self._unnegated("div", a, b)

    def _unnegated(self, op, a, b):
        """a × b or a / b with the minus signs of both operands taken out in front."""
        (na, x), (nb, y) = self._stripped(a), self._stripped(b)
        if x is a and y is b:
            return self.apply(op, a, b)
        product = getattr(self, op)(x, y)
        return self.neg(product) if na != nb else product

    def neg(self, a):
        negative, n = self._stripped(a)
        if negative:
            return n
        return self.apply("neg", n)

    def pow(self, a, b):
        if isinstance(a, Node) and _constant(b) and b in (0.0, 1.0):
            return a if b == 1 else 1.0  # x^1 = x and x^0 = 1 for every float x, nan included
        return self.apply("pow", a, b)

    # -- predicates: a condition is a number, true when > 0 (select's own test) -----------
    # Each is exact for every float64 (±0, ±inf, nan): a - b > 0 exactly when a > b (distinct
    # floats never subtract to 0; inf - inf is nan, which is not > 0).

    true = 1.0
    false = 0.0

    @staticmethod
    def known(c):
        return c > 0 if _constant(c) else None

    def gt(self, a, b):
        return self.sub(a, b)

    def ge(self, a, b):
        """not b > a, and neither is nan (|a| + |b| + 1 is nan exactly then)."""
        if _constant(b) and b == 0:
            return self.add(1.0, self.sign(a))  # 0, 1 or 2; nan for nan
        return self.where(self.sub(b, a), 0.0, self.add(self.add(self.abs(a), self.abs(b)), 1.0))

    def eq(self, a, b):
        if _constant(b) and b == 0:
            return self.sub(1.0, self.abs(self.sign(a)))  # 1 at ±0; 0, or nan for nan, elsewhere
        return self.where(self.sub(a, b), 0.0, self.ge(a, b))

    def where(self, c, a, b):
        """select(c, a, b), folded when c is a constant or both branches are one number."""
        while (flip := self._indicator(c)) is not None:  # c = select(p, 1, 0) or select(p, 0, 1)
            c = self.value(self.graph.parents[c.id][0])
            a, b = (b, a) if flip else (a, b)
        if _constant(c):
            return a if c > 0 else b
        a, b = self._given(c, a, 1), self._given(c, b, 2)
        if _same(a, b):
            return a
        return self.apply("select", c, a, b)

    def _indicator(self, c):
        """For c = select(p, 1, 0): False; for select(p, 0, 1): True (p's test flipped); else None."""
        if not isinstance(c, Node) or self.graph.op[c.id] != "select":
            return None
        g = self.graph
        branches = [g.data[p] if g.op[p] == "const" else None for p in g.parents[c.id][1:]]
        return {(1.0, 0.0): False, (0.0, 1.0): True}.get(tuple(branches))

    def _given(self, c, v, branch, depth=3):
        """v where select(c, ...) takes `branch` (1: c > 0, 2: not), so that masks do not
        nest: a select on the same c is its branch; a product is the product of its factors there (a few levels deep)."""
        if not isinstance(v, Node) or depth == 0:
            return v
        g = self.graph
        op, ps = g.op[v.id], g.parents[v.id]
        if op == "select" and ps[0] == c.id:
            return self.value(ps[branch])
        if op == "mul":
            xs = [self.value(p) for p in ps]
            ys = [self._given(c, x, branch, depth - 1) for x in xs]
            if any(x is not y for x, y in zip(xs, ys)):
                return self.mul(*ys)
        return v


def _same(a, b):
    if isinstance(a, Node) or isinstance(b, Node):
        return isinstance(a, Node) and isinstance(b, Node) and a.id == b.id
    return math.copysign(1.0, a) == math.copysign(1.0, b) and (a == b or a != a and b != b)


def _constant(v):
    return not isinstance(v, Node)


def _function(op):
    def apply(self, *args):
        return self.apply(op, *args)

    apply.__name__ = op
    return apply


for _op in OPS:
    if not hasattr(SymbolicMath, _op):
        setattr(SymbolicMath, _op, _function(_op))
