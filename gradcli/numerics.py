"""Scalar float64 kernels that never raise, and number formatting.

Python's `math` raises where IEEE 754 answers (`log(-1)`, `exp(1000)`, `1.0/0.0`) and `**`
turns complex for `(-8.0)**(1/3)`; every kernel here returns nan or ±inf instead, so a
forward or reverse sweep always finishes and the warnings say where things went non-finite.

`FloatMath` is the float64 number type: the op table (ops.py) computes values and local
partials through such a namespace, so another number type (numpy arrays, mpmath, graph
nodes for symbolic derivatives) only needs another namespace with the same names.
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


def pow(x, y):  # noqa: A001 - the op's name in the language
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


def tie_shares(y, xs):
    """Local partials of max/min: each argument equal to the result gets 1/k of a k-way tie."""
    hits = [1.0 if x == y else 0.0 for x in xs]
    k = sum(hits)
    if k == 0:  # nan among the arguments
        return tuple(NAN for _ in xs)
    return tuple(h / k for h in hits)


def pow_dbase(x, p):
    """d/dx x^p = p·x^(p-1), taken as 0 when p = 0 (PyTorch's convention)."""
    if p == 0:
        return 0.0
    return p * pow(x, p - 1.0)


def pow_dexp(x, p, y):
    """d/dp x^p = x^p·log(x), taken as 0 when x = 0 and p >= 0 (PyTorch's convention)."""
    if x == 0 and p >= 0:
        return 0.0
    return y * _log(x)


def ratio0(a, b):
    """a / b, taken as 0 when b = 0: hypot's partials at (0, 0)."""
    if b == 0:
        return 0.0
    return div(a, b)


_exp = _overflowing(math.exp)
_log = _logarithm(math.log, 0.0)


class FloatMath:
    """The float64 number type: every value kernel and every primitive the partial rules use."""

    name = "float64"

    @staticmethod
    def const(c):
        return float(c)

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
    tie_shares = staticmethod(tie_shares)
    pow_dbase = staticmethod(pow_dbase)
    pow_dexp = staticmethod(pow_dexp)
    ratio0 = staticmethod(ratio0)


def is_finite(x):
    return _isfinite(x)


def format_number(x, digits=None):
    """repr round-trip precision by default; `digits` significant digits when asked."""
    if x != x:
        return "nan"
    if x in (INF, -INF):
        return "inf" if x > 0 else "-inf"
    text = repr(float(x)) if digits is None else f"{x:.{digits}g}"
    return text.removesuffix(".0")


def json_number(x):
    """A float for RFC 8259 JSON: non-finite numbers become the strings "nan", "inf", "-inf"."""
    if x is None or _isfinite(x):
        return x
    return format_number(x)
