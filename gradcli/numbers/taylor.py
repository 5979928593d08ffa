"""Univariate Taylor series: a node's K+1 coefficients y_k = y^(k)(0) / k! along x(t) = x + t·v.

Each op has a rule that builds its result's coefficients from its arguments' by the standard
recurrences (Griewank & Walther, *Evaluating Derivatives*, ch. 13): products by convolution,
quotients and square roots by solving for the next coefficient, and every function with a
simple derivative u = f'(x) by y_k = (1/k) Σ_{j=1..k} j·x_j·u_{k-j}; where u involves y itself
(exp, tan, tanh, sigmoid) it is built one coefficient behind y. Each rule costs O(K²). The
zeroth coefficient is the float64 kernel's value, so it is `eval`'s value bit for bit; every
division is IEEE's (nan or ±inf, never an exception). Piecewise functions follow the branch
their arguments' values select, with eval's conventions at the kinks (abs and relu at 0: the
zero series, a k-way tie of max/min: the mean of the tied series, select at c = 0: b).
"""

from .float64 import FloatMath as F

_div = F.div


def const(c, order):
    return [c] + [0.0] * order


def _is_const(x):
    return not any(x[1:])


def _add(a, b):
    return [p + q for p, q in zip(a, b)]


def _scale(s, a):
    return [s * p for p in a]


def _mul(a, b):
    return [sum(a[j] * b[k - j] for j in range(k + 1)) if k else a[0] * b[0] for k in range(len(a))]


def _quotient(a, b):
    c = [F.div(a[0], b[0])]
    for k in range(1, len(a)):
        c.append(_div(a[k] - sum(b[j] * c[k - j] for j in range(1, k + 1)), b[0]))
    return c


def _sqrt(x, y0=None):
    y = [F.sqrt(x[0]) if y0 is None else y0]
    for k in range(1, len(x)):
        y.append(_div(x[k] - sum(y[j] * y[k - j] for j in range(1, k)), 2.0 * y[0]))
    return y


def _through(x, y0, u):
    """y with y' = u·x': y_k = (1/k) Σ_{j=1..k} j x_j u_{k-j}, `u` a series known to order K-1,
    or a function giving u_m from y_0..y_m (when u involves y)."""
    y = [y0]
    us = []
    for k in range(1, len(x)):
        us.append(u(y) if callable(u) else u[k - 1])
        y.append(sum(j * x[j] * us[k - j] for j in range(1, k + 1)) / k)
    return y


def _exp(x, y0=None):
    return _through(x, F.exp(x[0]) if y0 is None else y0, lambda y: y[len(y) - 1])


def _log(x, y0=None):
    return _through(x, F.log(x[0]) if y0 is None else y0, _quotient(const(1.0, len(x) - 1), x))


def _sin_cos(x):
    s, c = [F.sin(x[0])], [F.cos(x[0])]
    for k in range(1, len(x)):
        s.append(sum(j * x[j] * c[k - j] for j in range(1, k + 1)) / k)
        c.append(-sum(j * x[j] * s[k - j] for j in range(1, k + 1)) / k)
    return s, c


def _sinh_cosh(x):
    s, c = [F.sinh(x[0])], [F.cosh(x[0])]
    for k in range(1, len(x)):
        s.append(sum(j * x[j] * c[k - j] for j in range(1, k + 1)) / k)
        c.append(sum(j * x[j] * s[k - j] for j in range(1, k + 1)) / k)
    return s, c


def _square_plus(x, c):
    """x² + c as a series."""
    sq = _mul(x, x)
    sq[0] += c
    return sq


def _pow(x, p, y0=None):
    """x^p: for a constant exponent the recurrence y_k = Σ_{j<k} (p(k-j) - j) x_{k-j} y_j / (k x_0),
    by repeated products at a zero base with a whole exponent, else exp(p·log x)."""
    y0 = F.pow(x[0], p[0]) if y0 is None else y0
    if not _is_const(p):
        return _exp(_mul(p, _log(x)), y0)
    r = p[0]
    if r == 0:
        return const(1.0, len(x) - 1)
    if x[0] == 0 and r == int(r) and 0 < r <= 64:
        y = const(1.0, len(x) - 1)
        for _ in range(int(r)):
            y = _mul(y, x)
        return y
    y = [y0]
    for k in range(1, len(x)):
        y.append(_div(sum((r * (k - j) - j) * x[k - j] * y[j] for j in range(k)), k * x[0]))
    return y


def _extreme(better):
    def rule(*xs):
        best = xs[0][0]
        for x in xs[1:]:
            if x[0] != x[0] or better(x[0], best):
                best = x[0]
        tied = [x for x in xs if x[0] == best]
        if not tied:  # a nan argument
            return const(best, len(xs[0]) - 1)
        mean = [sum(x[k] for x in tied) / len(tied) for k in range(len(xs[0]))]
        mean[0] = best
        return mean

    return rule


def _piece(f):
    """A function constant between its jumps: its value, then zeros."""
    return lambda x: const(f(x[0]), len(x) - 1)


def _unit(u_of_x, kernel):
    """f with f'(x) = u_of_x(x) (a series built from x alone), f(x_0) by the float kernel."""
    return lambda x: _through(x, kernel(x[0]), u_of_x(x))


def _one_over(s):
    return _quotient(const(1.0, len(s) - 1), s)


def _hypot(a, b):
    y0 = F.hypot(a[0], b[0])
    if y0 == 0:  # eval's convention at (0, 0): derivatives (0, 0)
        return const(0.0, len(a) - 1)
    return _sqrt(_add(_mul(a, a), _mul(b, b)), y0)


def _atan2(a, b):
    """y' = (b·a' - a·b') / (a² + b²)."""
    da = [k * a[k] for k in range(1, len(a))] + [0.0]
    db = [k * b[k] for k in range(1, len(b))] + [0.0]
    num = _add(_mul(b, da), _scale(-1.0, _mul(a, db)))
    q = _quotient(num, _add(_mul(a, a), _mul(b, b)))
    return [F.atan2(a[0], b[0])] + [q[k - 1] / k for k in range(1, len(a))]


def _two_over_sqrt_pi_exp_minus_square(x):
    return _scale(F.two_over_sqrt_pi, _exp(_scale(-1.0, _mul(x, x))))


def _sigmoid(x):
    return _through(x, F.sigmoid(x[0]), lambda y: y[-1] - sum(y[i] * y[len(y) - 1 - i] for i in range(len(y))))


RULES = {
    "add": _add,
    "sub": lambda a, b: [p - q for p, q in zip(a, b)],
    "mul": _mul,
    "div": _quotient,
    "neg": lambda a: [-p for p in a],
    "pow": _pow,
    "sin": lambda x: _sin_cos(x)[0],
    "cos": lambda x: _sin_cos(x)[1],
    "tan": lambda x: _through(x, F.tan(x[0]), lambda y: (1.0 if len(y) == 1 else 0.0) + sum(
        y[i] * y[len(y) - 1 - i] for i in range(len(y)))),
    "asin": _unit(lambda x: _one_over(_sqrt(_scale(-1.0, _square_plus(x, -1.0)))), F.asin),
    "acos": _unit(lambda x: _scale(-1.0, _one_over(_sqrt(_scale(-1.0, _square_plus(x, -1.0))))), F.acos),
    "atan": _unit(lambda x: _one_over(_square_plus(x, 1.0)), F.atan),
    "atan2": _atan2,
    "sinh": lambda x: _sinh_cosh(x)[0],
    "cosh": lambda x: _sinh_cosh(x)[1],
    "tanh": lambda x: _through(x, F.tanh(x[0]), lambda y: (1.0 if len(y) == 1 else 0.0) - sum(
        y[i] * y[len(y) - 1 - i] for i in range(len(y)))),
    "asinh": _unit(lambda x: _one_over(_sqrt(_square_plus(x, 1.0))), F.asinh),
    "acosh": _unit(lambda x: _one_over(_sqrt(_square_plus(x, -1.0))), F.acosh),
    "atanh": _unit(lambda x: _one_over(_scale(-1.0, _square_plus(x, -1.0))), F.atanh),
    "exp": _exp,
    "expm1": lambda x: [F.expm1(x[0])] + _exp(x)[1:],
    "log": _log,
    "log1p": lambda x: _log([x[0] + 1.0, *x[1:]], F.log1p(x[0])),
    "log2": lambda x: [F.log2(x[0])] + _scale(1.0 / F.ln2, _log(x))[1:],
    "log10": lambda x: [F.log10(x[0])] + _scale(1.0 / F.ln10, _log(x))[1:],
    "sqrt": _sqrt,
    "cbrt": lambda x: _pow(x, const(1.0 / 3.0, len(x) - 1), F.cbrt(x[0])),
    "abs": lambda x: [F.abs(x[0])] + _scale(F.sign(x[0]), x)[1:],
    "hypot": _hypot,
    "sigmoid": _sigmoid,
    "relu": lambda x: [F.relu(x[0])] + _scale(F.step(x[0]), x)[1:],
    "softplus": lambda x: _through(x, F.softplus(x[0]), _sigmoid(x)),
    "erf": _unit(_two_over_sqrt_pi_exp_minus_square, F.erf),
    "erfc": _unit(lambda x: _scale(-1.0, _two_over_sqrt_pi_exp_minus_square(x)), F.erfc),
    "max": _extreme(lambda a, b: a > b),
    "min": _extreme(lambda a, b: a < b),
    "sign": _piece(F.sign),
    "step": _piece(F.step),
    "select": lambda c, a, b: list(a) if c[0] > 0 else list(b),
    "floor": _piece(F.floor),
    "ceil": _piece(F.ceil),
}
