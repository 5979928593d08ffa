"""The arbitrary-precision number type: FloatMath's protocol over mpmath, with guard digits.

mpmath raises where IEEE 754 answers (`1/0`) and goes complex where C's math returns nan
(`log(-1)`, `sqrt(-1)`, `(-8)^(1/3)`); every kernel here gives the float64 answer's kind
instead (nan, ±inf, a real cube root), so the sweeps and the conventions are float64's.
Its numbers have no overflow, so a kernel that would make an exponent past any use (exp of
exp of a large number) returns ±inf rather than working for ever.

Each `MpMath(digits)` has its own mpmath context, so nothing global changes: the work runs at
`digits` plus guard digits, and the numbers print with `digits` significant digits
(numbers/text.py reads `shown_digits` off the number's type).
"""

import operator

import mpmath

from .float64 import pow as float_pow

MIN_DIGITS, MAX_DIGITS = 1, 10_000
_HUGE = 2 ** 40  # |x| past which exp(x) is ±inf or 0 here: its exponent would not fit in memory
_TRIG_MAG = 2 ** 20


def guard_digits(digits, nodes):
    """Digits spent beyond those shown: as many again, so that a cancellation that loses half
    of them (float64 would lose all of its 16) still leaves `digits`; rounding grows about with
    the number of operations. At these sizes a digit costs mpmath little."""
    return digits + 10 + len(str(nodes))


class MpMath:
    """mpmath numbers at `digits` significant digits (plus guard digits): every value kernel
    and every primitive the partial rules use, as FloatMath has them."""

    name = "mpmath"
    names_conventions = True  # one point: its conventions are named in notes, as float64's are

    def __init__(self, digits, nodes=1):
        ctx = self.ctx = mpmath.MPContext()
        ctx.dps = digits + guard_digits(digits, nodes)
        self.digits = digits
        mpf = self.mpf = ctx.mpf
        mpf.shown_digits = digits  # the class is this context's own
        self.zero, self.one = mpf(0), mpf(1)
        self.ln2, self.ln10 = ctx.ln2 + 0, ctx.ln10 + 0
        self.two_over_sqrt_pi = 2 / ctx.sqrt(ctx.pi)
        self.inf, self.nan = mpf("inf"), mpf("nan")
        self.constants = {"pi": +ctx.pi, "e": +ctx.e}
        for name in ("atan", "asinh", "erf"):
            setattr(self, name, self._real(getattr(ctx, name)))
        for name in ("sin", "cos", "tan"):
            setattr(self, name, self._periodic(self._real(getattr(ctx, name))))
        for name, pole in (("log", 0), ("log2", 0), ("log10", 0), ("log1p", -1)):
            setattr(self, name, self._logarithm(name, pole))

    # -- numbers in this type ----------------------------------------------------------

    def number(self, x):
        """An input value: its decimal text when it has one (`0.1` is one tenth, `1e400` is
        finite, though float64 overflows), else exact."""
        text = getattr(x, "text", None)
        if isinstance(text, str):
            try:
                return self.mpf(text.strip().replace("_", ""))
            except (ValueError, TypeError):
                pass
        return self.mpf(x)

    def text(self, x):
        """x's decimal text with every working digit (a Literal's text reads back as x)."""
        return self.ctx.nstr(x, self.ctx.dps + 3)

    def isfinite(self, x):
        return self.ctx.isfinite(x)

    def const(self, c):
        """A literal's value from its text; pi and e at this precision."""
        found = self.constants.get(getattr(c, "text", None))
        return found if found is not None else self.number(c)

    true, false = True, False
    eq, gt, ge = staticmethod(operator.eq), staticmethod(operator.gt), staticmethod(operator.ge)
    known = staticmethod(bool)

    @staticmethod
    def where(c, a, b):
        return a if c else b

    # -- kernels -----------------------------------------------------------------------

    add, sub, mul, neg = (staticmethod(f) for f in (operator.add, operator.sub, operator.mul, operator.neg))

    def _real(self, f):
        """f, with a complex or failed result as nan (C's math answers nan there)."""

        def kernel(*xs):
            try:
                r = f(*xs)
            except (ValueError, ZeroDivisionError, ArithmeticError):
                return self.nan
            return r if type(r) is self.mpf else self.nan

        return kernel

    def _periodic(self, f):
        """A trigonometric f: nan past 2^(2^20), where reducing x by pi needs a million bits of pi."""

        def kernel(x):
            return self.nan if self.ctx.isfinite(x) and x and self.ctx.mag(x) > _TRIG_MAG else f(x)

        return kernel

    def _logarithm(self, name, pole):
        """A logarithm: -inf at its pole, nan below it, as IEEE log does."""
        ctx = self.ctx
        f = self._real(ctx.log1p if name == "log1p" else lambda x: ctx.log(x, {"log": None, "log2": 2, "log10": 10}[name]))

        def kernel(x):
            if x > pole:
                return f(x)
            return -self.inf if x == pole else self.nan

        return kernel

    def div(self, a, b):
        """a / b with IEEE's answers at b = 0: ±inf, or nan for 0/0 and nan/0."""
        if b == 0:
            if a != a or a == 0:
                return self.nan
            return self.inf if a > 0 else -self.inf
        return self.mpf(a) / b

    def pow(self, x, y):
        """x ** y as C's pow: real results only; 1 for y = 0 or x = 1; ±inf at 0 with y < 0;
        with an infinite x or y, C's answer (0, 1 or ±inf: exact in float64)."""
        if y == 0 or x == 1:
            return self.one
        if x != x or y != y:
            return self.nan
        if self.ctx.isinf(x) or self.ctx.isinf(y):
            return self.mpf(float_pow(float(x), float(y)))
        if x == 0:
            return self.inf if y < 0 else self.zero
        if self.ctx.isfinite(x) and self.ctx.isfinite(y) and abs(y * self.ctx.log(abs(x))) > _HUGE:
            big = y * self.ctx.log(abs(x)) > 0
            odd = x < 0 and self.ctx.isint(y) and not self.ctx.isint(y / 2)
            return (-self.inf if odd else self.inf) if big else self.zero
        return self._real(self.ctx.power)(x, y)

    def _exponential(self, f, x, below):
        """exp-like f: ±inf above _HUGE, `below` under -_HUGE (the exponent would not fit)."""
        if x > _HUGE:
            return self.inf
        if x < -_HUGE:
            return below
        return f(x)

    def exp(self, x):
        return self._exponential(self.ctx.exp, x, self.zero)

    def expm1(self, x):
        return self._exponential(self.ctx.expm1, x, -self.one)

    def sinh(self, x):
        return self._exponential(self.ctx.sinh, x, -self.inf)

    def cosh(self, x):
        return self._exponential(self.ctx.cosh, abs(x), self.inf)

    def erfc(self, x):
        if abs(x) > _HUGE:  # mpmath's series test overflows there; 0 and 2 are the values
            return self.zero if x > 0 else 2 * self.one
        return self._real(self.ctx.erfc)(x)

    def tanh(self, x):
        return self.ctx.sign(x) * self.one if abs(x) > _HUGE else self._real(self.ctx.tanh)(x)

    def sqrt(self, x):
        return self.ctx.sqrt(x) if x >= 0 else self.nan

    def cbrt(self, x):
        """The real cube root (mpmath's principal root of a negative number is complex)."""
        return -self.ctx.cbrt(-x) if x < 0 else self.ctx.cbrt(x)

    def asin(self, x):
        return self.ctx.asin(x) if -1 <= x <= 1 else self.nan

    def acos(self, x):
        return self.ctx.acos(x) if -1 <= x <= 1 else self.nan

    def acosh(self, x):
        return self.ctx.acosh(x) if x >= 1 else self.nan

    def atanh(self, x):
        if -1 < x < 1:
            return self.ctx.atanh(x)
        if abs(x) == 1:
            return self.inf if x > 0 else -self.inf
        return self.nan

    def atan2(self, y, x):
        """atan2, and C's ±pi/4, ±3pi/4 when both are infinite."""
        if y != y or x != x:
            return self.nan
        if self.ctx.isinf(x) and self.ctx.isinf(y):
            y, x = self.ctx.sign(y), self.ctx.sign(x)
        return self._real(self.ctx.atan2)(y, x)

    def hypot(self, x, y):
        """inf when either is infinite, even with a nan (as C's hypot)."""
        if self.ctx.isinf(x) or self.ctx.isinf(y):
            return self.inf
        return self.ctx.hypot(x, y)

    abs = staticmethod(abs)

    def sigmoid(self, x):
        """1 / (1 + e^-x) in the form that never overflows."""
        if x >= 0:
            return 1 / (1 + self.exp(-x))
        if x < 0:
            z = self.exp(x)
            return z / (1 + z)
        return x

    def softplus(self, x):
        """max(x, 0) + log1p(e^-|x|), as float64 computes it."""
        if x != x or x == self.inf:
            return x
        return max(x, self.zero) + self.log1p(self.exp(-abs(x)))

    def relu(self, x):
        return x if x > 0 or x != x else self.zero

    def sign(self, x):
        if x > 0:
            return self.one
        if x < 0:
            return -self.one
        return x if x != x else self.zero

    def step(self, x):
        if x > 0:
            return self.one
        return x if x != x else self.zero

    def max(self, *xs):
        return next((x for x in xs if x != x), None) or max(xs)

    def min(self, *xs):
        return next((x for x in xs if x != x), None) or min(xs)

    @staticmethod
    def select(c, a, b):
        return a if c > 0 else b

    def floor(self, x):
        return self.ctx.floor(x) if self.ctx.isfinite(x) else x

    def ceil(self, x):
        return self.ctx.ceil(x) if self.ctx.isfinite(x) else x


def precision_math(digits, program):
    """The number type for `--precision digits` on `program` (its size sets the guard digits)."""
    return MpMath(digits, len(program.graph))
