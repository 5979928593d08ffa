"""The numpy number type: float64's kernels and the protocol's primitives, each one vectorised
pass over a column of points (erf and erfc, which numpy lacks, go point by point through math's).

The semantics are the float64 kernels': IEEE nan/inf instead of errors (the sweeps run under
np.errstate(all="ignore")), the same conventions at non-differentiable points (written once, in
the op table, through `where`), the same stable forms of sigmoid and softplus. numpy's SIMD
versions of exp, log, tanh, pow, ... may differ from the C library's in the last bits (up to 3
ulps measured).
"""

import math

import numpy as np


def _elementwise(f):
    """A kernel numpy lacks (erf, erfc), applied point by point with the same math function."""
    ufunc = np.frompyfunc(f, 1, 1)
    return lambda x: np.asarray(ufunc(x), dtype=float)


def _sigmoid(x):
    """1 / (1 + e^-x) for x >= 0, e^x / (1 + e^x) below: numerics.sigmoid's two forms, with
    one division for both."""
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0, z) / (1.0 + z)


def _extreme(better):
    """max / min of columns: the first of the best (as Python's max keeps it), nan if any is."""

    def kernel(*xs):
        best = xs[0]
        for x in xs[1:]:
            best = np.where(better(x, best), x, best)
        anynan = np.isnan(xs[0])
        for x in xs[1:]:
            anynan = anynan | np.isnan(x)
        return np.where(anynan, np.nan, best)

    return kernel


class NumpyMath:
    """The numpy number type: numerics.FloatMath's names, each vectorised over points."""

    name = "numpy"

    zero = 0.0  # a constant is one number; it broadcasts against any column
    one = 1.0
    ln2 = math.log(2.0)
    ln10 = math.log(10.0)
    two_over_sqrt_pi = 2.0 / math.sqrt(math.pi)
    number = staticmethod(lambda x: x if isinstance(x, np.ndarray) else float(x))
    const = staticmethod(float)

    # a condition is a bool, or a column of bools (one per point)
    true = True
    false = False
    eq = np.equal
    gt = np.greater
    ge = np.greater_equal
    where = staticmethod(np.where)
    known = staticmethod(lambda c: bool(c) if np.ndim(c) == 0 else None)
    isfinite = np.isfinite
    add = np.add
    sub = np.subtract
    mul = np.multiply
    neg = np.negative
    div = np.divide
    pow = np.power
    sin = np.sin
    cos = np.cos
    tan = np.tan
    asin = np.arcsin
    acos = np.arccos
    atan = np.arctan
    atan2 = np.arctan2
    sinh = np.sinh
    cosh = np.cosh
    tanh = np.tanh
    asinh = np.arcsinh
    acosh = np.arccosh
    atanh = np.arctanh
    exp = np.exp
    expm1 = np.expm1
    log = np.log
    log1p = np.log1p
    log2 = np.log2
    log10 = np.log10
    sqrt = np.sqrt
    cbrt = np.cbrt
    abs = np.abs
    hypot = np.hypot
    sigmoid = staticmethod(_sigmoid)
    relu = staticmethod(lambda x: np.where((x > 0) | np.isnan(x), x, 0.0))
    softplus = staticmethod(lambda x: np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x))))
    erf = staticmethod(_elementwise(math.erf))
    erfc = staticmethod(_elementwise(math.erfc))
    max = staticmethod(_extreme(np.greater))
    min = staticmethod(_extreme(np.less))
    sign = staticmethod(lambda x: np.sign(x) + 0.0)  # + 0.0: sign(-0.0) is 0, as for floats
    step = staticmethod(lambda x: np.where(np.isnan(x), x, (x > 0) * 1.0))
    select = staticmethod(lambda c, a, b: np.where(np.greater(c, 0.0), a, b))
    floor = np.floor
    ceil = np.ceil
