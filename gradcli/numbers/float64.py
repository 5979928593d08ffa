"""Scalar float64 kernels that never raise, and number formatting.

Python's `math` raises where IEEE 754 answers (`log(-1)`, `exp(1000)`, `1.0/0.0`) and `**`
turns complex for `(-8.0)**(1/3)`; every kernel here returns nan or ±inf instead, so a
forward or reverse sweep always finishes and the warnings say where things went non-finite.

`FloatMath` is the float64 number type, and its names are the number-type protocol: the op
table (ops.py) computes values and local partials only through them, so another number type
(numpy arrays, graph nodes for symbolic derivatives; next mpmath, dual or Taylor numbers,
uncertain numbers) needs only another namespace with the same names:
- a kernel per op (sin, pow, max, select, ...);
- `zero`, `one` (the sweep's seeds), `ln2`, `ln10`, `two_over_sqrt_pi` (rules' constants),
  `number(x)` (an input value) and `const(c)` (a literal's value), all in the type;
- predicates: `eq`, `gt`, `ge` give a condition, `where(c, a, b)` picks by one, `true` and
  `false` are conditions, and `known(c)` is True or False when a condition is the same at
  every point the number stands for (None when it is not: a column of points, a graph node),
  and `isfinite(x)`, the type's own test (an mpmath number past float64's range is finite).
  Each convention at a non-differentiable point is one `where` in its op's rule.
"""

import math
import operator

INF = math.inf
NAN = math.nan
_isfinite = math.isfinite


def _nan_on_domain_error(f):
    """Wrap a math function whose only failure is a domain error (ValueError)."""

    def kernel(x):
        try:
            return f(x)
        except ValueError:
            return NAN

    kernel.__name__ = f.__name__
    return kernel


def _overflowing(f, domain_error=NAN):
    """Wrap a math function that raises OverflowError for large |x| (exp, sinh, cosh)."""

    def kernel(x):
        try:
            return f(x)
        except OverflowError:
            return math.copysign(INF, f(math.copysign(1.0, x))) if f is not math.cosh else INF
        except ValueError:
            return domain_error

    kernel.__name__ = f.__name__
    return kernel


def _logarithm(f, pole):
    """A logarithm: -inf at its pole, nan below it, as IEEE log does."""

    def kernel(x):
        if x > pole:
            return f(x)
        if x == pole:
            return -INF
        return NAN

    kernel.__name__ = f.__name__
    return kernel


def div(a, b):
    """a / b with IEEE semantics for b = 0 (±inf, or nan for 0/0 and nan/0)."""
    try:
        return a / b
    except ZeroDivisionError:
        if a != a or a == 0:
            return NAN
        return math.copysign(INF, a) * math.copysign(1.0, b)


def _is_odd_integer(y):
    return _isfinite(y) and y == math.floor(y) and math.fmod(y, 2.0) != 0


def pow(x, y):
    """x ** y as C's pow: real results only, ±inf on overflow and at 0 with y < 0."""
    try:
        return math.pow(x, y)
    except OverflowError:
        if x < 0 and _is_odd_integer(y):
            return -INF
        return INF
    except ValueError:
        if x == 0:  # y < 0: a pole; the sign survives only for odd integer y
            if _is_odd_integer(y):
                return math.copysign(INF, x)
            return INF
        return NAN  # negative base, non-integer exponent


def sigmoid(x):
    """1 / (1 + e^-x) in the form that never overflows."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    if x < 0:
        z = _exp(x)
        return z / (1.0 + z)
    return x  # nan


def softplus(x):
    """log(1 + e^x) = max(x, 0) + log1p(e^-|x|): finite gradients at ±1000."""
    if x != x:
        return x
    if x == INF:
        return INF
    return max(x, 0.0) + math.log1p(_exp(-abs(x)))


def relu(x):
    """max(x, 0), propagating nan."""
    return x if x > 0 or x != x else 0.0


def sign(x):
    """-1, 0 or 1 (nan for nan): the derivative of abs under abs'(0) = 0."""
    if x > 0:
        return 1.0
    if x < 0:
        return -1.0
    return x if x != x else 0.0


def step(x):
    """1 for x > 0, else 0 (nan for nan): the derivative of relu under relu'(0) = 0."""
    if x > 0:
        return 1.0
    return x if x != x else 0.0


def _extreme(pick):
    def kernel(*xs):
        for x in xs:
            if x != x:
                return x
        return pick(xs)

    kernel.__name__ = pick.__name__
    return kernel


def hypot(x, y):
    return math.hypot(x, y)


def atan2(y, x):
    return math.atan2(y, x)


def select(c, a, b):
    """a where c > 0, else b (nan for c is not > 0: b)."""
    return a if c > 0 else b


def _integral(f):
    """floor / ceil as IEEE does them: a float, ±inf and nan unchanged, the sign of a zero kept."""

    def kernel(x):
        return math.copysign(float(f(x)), x) if _isfinite(x) else x

    kernel.__name__ = f.__name__
    return kernel


def number(x):
    """An input as float64: an integer beyond float64's range is ±inf, as a float literal would be."""
    try:
        return float(x)
    except OverflowError:
        return INF if x > 0 else -INF


_exp = _overflowing(math.exp)
_log = _logarithm(math.log, 0.0)


class FloatMath:
    """The float64 number type: every value kernel and every primitive the partial rules use."""

    name = "float64"
    names_conventions = True  # one point at a time: a convention applied is named in a note

    # the numbers the engine and the rules need, in this type
    zero = 0.0
    one = 1.0
    ln2 = math.log(2.0)
    ln10 = math.log(10.0)
    two_over_sqrt_pi = 2.0 / math.sqrt(math.pi)
    number = staticmethod(number)  # an input value
    const = staticmethod(float)  # a literal's value

    # predicates: a condition is a bool here; `where` picks by it, `known` says if it is fixed
    true = True
    false = False
    eq = staticmethod(operator.eq)
    gt = staticmethod(operator.gt)
    ge = staticmethod(operator.ge)
    known = staticmethod(bool)
    isfinite = staticmethod(math.isfinite)  # neither inf nor nan: the test of the warnings and --strict

    @staticmethod
    def where(c, a, b):
        return a if c else b

    add = staticmethod(operator.add)
    sub = staticmethod(operator.sub)
    mul = staticmethod(operator.mul)
    neg = staticmethod(operator.neg)
    div = staticmethod(div)
    pow = staticmethod(pow)
    sin = staticmethod(_nan_on_domain_error(math.sin))
    cos = staticmethod(_nan_on_domain_error(math.cos))
    tan = staticmethod(_nan_on_domain_error(math.tan))
    asin = staticmethod(_nan_on_domain_error(math.asin))
    acos = staticmethod(_nan_on_domain_error(math.acos))
    atan = staticmethod(math.atan)
    atan2 = staticmethod(atan2)
    sinh = staticmethod(_overflowing(math.sinh))
    cosh = staticmethod(_overflowing(math.cosh))
    tanh = staticmethod(math.tanh)
    asinh = staticmethod(math.asinh)
    acosh = staticmethod(_nan_on_domain_error(math.acosh))
    atanh = staticmethod(
        lambda x: math.atanh(x) if -1.0 < x < 1.0 else (math.copysign(INF, x) if abs(x) == 1.0 else NAN)
    )
    exp = staticmethod(_exp)
    expm1 = staticmethod(_overflowing(math.expm1))
    log = staticmethod(_log)
    log1p = staticmethod(_logarithm(math.log1p, -1.0))
    log2 = staticmethod(_logarithm(math.log2, 0.0))
    log10 = staticmethod(_logarithm(math.log10, 0.0))
    sqrt = staticmethod(_nan_on_domain_error(math.sqrt))
    cbrt = staticmethod(math.cbrt)
    abs = staticmethod(abs)
    hypot = staticmethod(hypot)
    sigmoid = staticmethod(sigmoid)
    relu = staticmethod(relu)
    softplus = staticmethod(softplus)
    erf = staticmethod(math.erf)
    erfc = staticmethod(math.erfc)
    max = staticmethod(_extreme(max))
    min = staticmethod(_extreme(min))
    sign = staticmethod(sign)
    step = staticmethod(step)
    select = staticmethod(select)
    floor = staticmethod(_integral(math.floor))
    ceil = staticmethod(_integral(math.ceil))
