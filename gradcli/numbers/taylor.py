"""Univariate Taylor series: a node's K+1 coefficients y_k = y^(k)(0) / k! along x(t) = x + t·v.

Each op has a rule that builds its result's coefficients from its arguments' by the standard
recurrences (Griewank & Walther, *Evaluating Derivatives*, ch. 13): products by convolution,
quotients and square roots by solving for the next coefficient, and every function with a
simple derivative u = f'(x) by y_k = (1/k) Σ_{j=1..k} j·x_j·u_{k-j}; where u involves y itself
(exp, tan, tanh, sigmoid) it is built one coefficient behind y. Each rule costs O(K²). The
rules work in a number type `m` (float64, or mpmath under --precision: `rules(m)`); the
zeroth coefficient is m's kernel's value, so it is `eval`'s value bit for bit; every division
is m's IEEE-like one (nan or ±inf, never an exception). Piecewise functions follow the branch
their arguments' values select, with eval's conventions at the kinks (abs and relu at 0: the
zero series, a k-way tie of max/min: the mean of the tied series, select at c = 0: b).
"""

from ..core.ops import OPS
from . import per_type
from .float64 import FloatMath


class Series:
    """The recurrences in the number type `m`."""

    def __init__(self, m):
        self.m = m

    def const(self, c, order):
        return [c] + [self.m.zero] * order

    def is_const(self, x):
        return not any(x[1:])

    def add(self, a, b):
        return [p + q for p, q in zip(a, b)]

    def scale(self, s, a):
        return [s * p for p in a]

    def mul(self, a, b):
        return [sum(a[j] * b[k - j] for j in range(k + 1)) if k else a[0] * b[0] for k in range(len(a))]

    def quotient(self, a, b):
        div = self.m.div
        c = [div(a[0], b[0])]
        for k in range(1, len(a)):
            c.append(div(a[k] - sum(b[j] * c[k - j] for j in range(1, k + 1)), b[0]))
        return c

    def sqrt(self, x, y0=None):
        y = [self.m.sqrt(x[0]) if y0 is None else y0]
        for k in range(1, len(x)):
            y.append(self.m.div(x[k] - sum(y[j] * y[k - j] for j in range(1, k)), 2.0 * y[0]))
        return y

    def through(self, x, y0, u, u0=None):
        """y with y' = u·x': y_k = (1/k) Σ_{j=1..k} j x_j u_{k-j}, `u` a series known to order
        K-1, or a function giving u_m from y_0..y_m (when u involves y); `u0`, when given, is
        u_0 (the op table's local partial, where u's formula loses the digits)."""
        y = [y0]
        us = []
        for k in range(1, len(x)):
            us.append(u0 if k == 1 and u0 is not None else u(y) if callable(u) else u[k - 1])
            y.append(sum(j * x[j] * us[k - j] for j in range(1, k + 1)) / k)
        return y

    def exp(self, x, y0=None):
        return self.through(x, self.m.exp(x[0]) if y0 is None else y0, lambda y: y[len(y) - 1])

    def log(self, x, y0=None):
        return self.through(x, self.m.log(x[0]) if y0 is None else y0, self.one_over(x))

    def one_over(self, s):
        return self.quotient(self.const(self.m.one, len(s) - 1), s)

    def pair(self, x, s0, c0, sign):
        """(s, c) with s' = c·x' and c' = sign·s·x': sin and cos (sign -1), sinh and cosh (+1)."""
        s, c = [s0], [c0]
        for k in range(1, len(x)):
            s.append(sum(j * x[j] * c[k - j] for j in range(1, k + 1)) / k)
            c.append(sign * sum(j * x[j] * s[k - j] for j in range(1, k + 1)) / k)
        return s, c

    def square_plus(self, x, c):
        """x² + c as a series."""
        sq = self.mul(x, x)
        sq[0] += c
        return sq

    def pow(self, x, p, y0=None):
        """x^p: for a constant exponent the recurrence y_k = Σ_{j<k} (p(k-j) - j) x_{k-j} y_j /
        (k x_0), by repeated products at a zero base with a whole exponent, else exp(p·log x)."""
        y0 = self.m.pow(x[0], p[0]) if y0 is None else y0
        if not self.is_const(p):
            return self.exp(self.mul(p, self.log(x)), y0)
        r = p[0]
        if r == 0:
            return self.const(self.m.one, len(x) - 1)
        if x[0] == 0 and r == int(r) and 0 < r <= 64:
            y = self.const(self.m.one, len(x) - 1)
            for _ in range(int(r)):
                y = self.mul(y, x)
            return y
        y = [y0]
        for k in range(1, len(x)):
            y.append(self.m.div(sum((r * (k - j) - j) * x[k - j] * y[j] for j in range(k)), k * x[0]))
        return y

    def extreme(self, better):
        def rule(*xs):
            best = xs[0][0]
            for x in xs[1:]:
                if x[0] != x[0] or better(x[0], best):
                    best = x[0]
            tied = [x for x in xs if x[0] == best]
            if not tied:  # a nan argument
                return self.const(best, len(xs[0]) - 1)
            mean = [sum(x[k] for x in tied) / len(tied) for k in range(len(xs[0]))]
            mean[0] = best
            return mean

        return rule

    def piece(self, f):
        """A function constant between its jumps: its value, then zeros."""
        return lambda x: self.const(f(x[0]), len(x) - 1)

    def unit(self, u_of_x, kernel):
        """f with f'(x) = u_of_x(x) (a series built from x alone), f(x_0) by m's kernel."""
        return lambda x: self.through(x, kernel(x[0]), u_of_x(x))

    def hypot(self, a, b):
        y0 = self.m.hypot(a[0], b[0])
        if y0 == 0:  # eval's convention at (0, 0): derivatives (0, 0)
            return self.const(self.m.zero, len(a) - 1)
        return self.sqrt(self.add(self.mul(a, a), self.mul(b, b)), y0)

    def atan2(self, a, b):
        """y' = (b·a' - a·b') / (a² + b²)."""
        zero = self.m.zero
        da = [k * a[k] for k in range(1, len(a))] + [zero]
        db = [k * b[k] for k in range(1, len(b))] + [zero]
        num = self.add(self.mul(b, da), self.scale(-1.0, self.mul(a, db)))
        q = self.quotient(num, self.add(self.mul(a, a), self.mul(b, b)))
        return [self.m.atan2(a[0], b[0])] + [q[k - 1] / k for k in range(1, len(a))]

    def gauss(self, x, sign):
        """sign · 2/√π · e^(-x²): the derivative of erf (sign 1) and erfc (-1)."""
        return self.scale(sign * self.m.two_over_sqrt_pi, self.exp(self.scale(-1.0, self.mul(x, x))))

    def partial(self, name, y0, x0):
        """The op table's local partial at x_0: eval's own digits, where y' = 1 - y² (tanh) or
        y - y² (sigmoid) would cancel to nothing far out (tanh at -18.8: 17% off)."""
        return OPS[name].partials(self.m, y0, x0)[0]

    def sigmoid(self, x):
        y0 = self.m.sigmoid(x[0])
        return self.through(x, y0, lambda y: y[-1] - sum(y[i] * y[len(y) - 1 - i] for i in range(len(y))),
                            self.partial("sigmoid", y0, x[0]))

    def square_of(self, sign, name):
        """tan (sign 1) and tanh (-1): y' = 1 + sign·y², built one coefficient behind y."""
        def rule(x):
            y0 = getattr(self.m, name)(x[0])
            return self.through(x, y0, lambda y: sign * sum(y[i] * y[len(y) - 1 - i] for i in range(len(y))),
                                self.partial(name, y0, x[0]))

        return rule

    def square_minus_one(self, x, sign):
        """x² - 1 (sign 1) or 1 - x² (-1), the zeroth coefficient as ±(x_0 - 1)(x_0 + 1): exact
        near |x_0| = 1, where x_0² - 1 loses digits to rounding."""
        m = self.m
        y = self.scale(sign, self.square_plus(x, -1.0))
        y[0] = m.mul(m.sub(x[0], m.one), m.add(x[0], m.one)) if sign > 0 else m.mul(m.sub(m.one, x[0]), m.add(m.one, x[0]))
        return y


@per_type
def rules(m):
    """Every op's rule in the number type `m`: op name -> function of the arguments' series."""
    s, F = Series(m), m
    return {
        "add": s.add,
        "sub": lambda a, b: [p - q for p, q in zip(a, b)],
        "mul": s.mul,
        "div": s.quotient,
        "neg": lambda a: [-p for p in a],
        "pow": s.pow,
        "sin": lambda x: s.pair(x, F.sin(x[0]), F.cos(x[0]), -1)[0],
        "cos": lambda x: s.pair(x, F.sin(x[0]), F.cos(x[0]), -1)[1],
        "tan": s.square_of(1, "tan"),
        "asin": s.unit(lambda x: s.one_over(s.sqrt(s.square_minus_one(x, -1))), F.asin),
        "acos": s.unit(lambda x: s.scale(-1.0, s.one_over(s.sqrt(s.square_minus_one(x, -1)))), F.acos),
        "atan": s.unit(lambda x: s.one_over(s.square_plus(x, 1.0)), F.atan),
        "atan2": s.atan2,
        "sinh": lambda x: s.pair(x, F.sinh(x[0]), F.cosh(x[0]), 1)[0],
        "cosh": lambda x: s.pair(x, F.sinh(x[0]), F.cosh(x[0]), 1)[1],
        "tanh": s.square_of(-1, "tanh"),
        "asinh": s.unit(lambda x: s.one_over(s.sqrt(s.square_plus(x, 1.0))), F.asinh),
        "acosh": s.unit(lambda x: s.one_over(s.sqrt(s.square_minus_one(x, 1))), F.acosh),
        "atanh": s.unit(lambda x: s.one_over(s.square_minus_one(x, -1)), F.atanh),
        "exp": s.exp,
        "expm1": lambda x: [F.expm1(x[0])] + s.exp(x)[1:],
        "log": s.log,
        "log1p": lambda x: s.log([x[0] + 1.0, *x[1:]], F.log1p(x[0])),
        "log2": lambda x: [F.log2(x[0])] + s.scale(F.div(F.one, F.ln2), s.log(x))[1:],
        "log10": lambda x: [F.log10(x[0])] + s.scale(F.div(F.one, F.ln10), s.log(x))[1:],
        "sqrt": s.sqrt,
        "cbrt": lambda x: s.pow(x, s.const(F.div(F.one, 3.0), len(x) - 1), F.cbrt(x[0])),
        "abs": lambda x: [F.abs(x[0])] + s.scale(F.sign(x[0]), x)[1:],
        "hypot": s.hypot,
        "sigmoid": s.sigmoid,
        "relu": lambda x: [F.relu(x[0])] + s.scale(F.step(x[0]), x)[1:],
        "softplus": lambda x: s.through(x, F.softplus(x[0]), s.sigmoid(x)),
        "erf": s.unit(lambda x: s.gauss(x, 1.0), F.erf),
        "erfc": s.unit(lambda x: s.gauss(x, -1.0), F.erfc),
        "max": s.extreme(lambda a, b: a > b),
        "min": s.extreme(lambda a, b: a < b),
        "sign": s.piece(F.sign),
        "step": s.piece(F.step),
        "select": lambda c, a, b: list(a) if c[0] > 0 else list(b),
        "floor": s.piece(F.floor),
        "ceil": s.piece(F.ceil),
    }


RULES = rules(FloatMath)
