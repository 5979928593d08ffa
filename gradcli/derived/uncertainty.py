"""Uncertainty budgets (the GUM): the output's standard uncertainty from the inputs', by first-order
propagation through the gradient, by the GUM's higher-order terms, or by Monte Carlo.

The gradient is the sensitivity coefficients c_i = ∂f/∂x_i, so first order costs one sum over
the inputs on top of the reverse sweep: u² = Σ_i Σ_j c_i c_j r_ij u_i u_j (r the correlations,
r_ii = 1). Second order adds Σ_i Σ_j (½ f_ij² + f_i f_ijj) u_i² u_j² (GUM 5.1.2, note; independent
inputs only), from the Hessian and the third derivatives ∂³f/∂x_i∂x_j² of the derivative graph.
Monte Carlo draws Gaussian inputs and runs one vectorised forward sweep per chunk of samples.
"""

import copy
import math
from dataclasses import dataclass, field

from ..core.errors import UsageError
from ..core.program import Program
from ..engine.forward import forward, point_values
from ..numbers.float64 import FloatMath
from .diff import compiled, gradient_nodes

CHUNK = 100_000  # Monte Carlo samples per forward sweep: memory stays nodes × CHUNK floats


@dataclass
class Row:
    """One input's line of the budget table."""

    name: str
    value: object
    sigma: object
    sensitivity: object  # c_i = ∂f/∂x_i
    contribution: object  # |c_i| · u_i
    share: object  # c_i² u_i² / u²: its part of the variance (the rest, with correlations, is theirs)


@dataclass
class Budget:
    """The output's standard uncertainty by each method computed, and the budget table."""

    method: str  # "first-order", "second-order" or "mc"
    first_order: object
    rows: list
    correlations: dict = field(default_factory=dict)  # (a, b) -> r, in input order
    second_order: object = None
    monte_carlo: dict = None  # mean, sigma, interval95, samples, seed

    @property
    def uncertainty(self):
        """σ of the method asked for."""
        if self.method == "second-order":
            return self.second_order
        if self.method == "mc":
            return self.monte_carlo["sigma"]
        return self.first_order


def sigmas_of(program, point):
    """{input: its standard uncertainty} for the inputs whose value carries one (`1.5±0.01`)."""
    found = {}
    for name in program.input_names:
        sigma = getattr(point.get(name), "sigma", None)
        if sigma is not None:
            found[name] = sigma
    return found


def check_correlations(program, sigmas, correlations):
    """{(a, b): r} in input order, every name an uncertain input, the matrix positive semi-definite."""
    order = {name: k for k, name in enumerate(program.input_names)}
    checked = {}
    for (a, b), r in correlations.items():
        for name in (a, b):
            if name not in sigmas:
                what = "an input" if name in order else "not an input of the program"
                raise UsageError(f"--correlation {a}:{b}: {name} is {what} without an uncertainty (give it as {name}=VALUE±U)")
        if a == b:
            raise UsageError(f"--correlation {a}:{b}: an input's correlation with itself is 1")
        checked[(a, b) if order[a] < order[b] else (b, a)] = r
    names = list(sigmas)
    matrix = [[1.0 if a == b else checked.get((a, b), checked.get((b, a), 0.0)) for b in names] for a in names]
    if checked and not _positive_semidefinite(matrix):
        raise UsageError("--correlation: these correlations are not possible together (the correlation matrix is not positive semi-definite)")
    return dict(sorted(checked.items(), key=lambda item: (order[item[0][0]], order[item[0][1]])))


def _positive_semidefinite(matrix, tol=1e-12):
    """Cholesky with pivots allowed to be 0 (within `tol`): True for a PSD matrix."""
    n = len(matrix)
    low = [[0.0] * n for _ in range(n)]
    for j in range(n):
        d = matrix[j][j] - sum(low[j][k] ** 2 for k in range(j))
        if d < -tol:
            return False
        low[j][j] = math.sqrt(max(d, 0.0))
        for i in range(j + 1, n):
            s = matrix[i][j] - sum(low[i][k] * low[j][k] for k in range(j))
            if low[j][j] > tol:
                low[i][j] = s / low[j][j]
            elif abs(s) > 1e-9:
                return False
    return True


def first_order(result, sigmas, correlations=None, m=FloatMath):
    """The GUM's law of propagation of uncertainty: (u, budget rows), in the number type `m`."""
    gradient = result.gradient
    names = list(sigmas)
    u = {name: m.number(sigmas[name]) for name in names}
    c = {name: gradient[name] for name in names}
    terms = {name: m.mul(c[name], u[name]) for name in names}
    variance = m.zero
    for name in names:
        variance = m.add(variance, m.mul(terms[name], terms[name]))
    for (a, b), r in (correlations or {}).items():
        variance = m.add(variance, m.mul(m.mul(2.0, m.number(r)), m.mul(terms[a], terms[b])))
    sigma = m.sqrt(variance)
    rows = [Row(name, _value(result, name), u[name], c[name], m.abs(terms[name]),
                m.div(m.mul(terms[name], terms[name]), variance)) for name in names]
    return sigma, rows


def _value(result, name):
    return result.values[result.program.input_ids[result.program.input_names.index(name)]]


def budget(result, point, method="first-order", correlations=None, m=FloatMath, samples=None, seed=0):
    """The Budget at `point` for `method` (first order always; second order or Monte Carlo on top)."""
    program = result.program
    sigmas = sigmas_of(program, point)
    correlations = check_correlations(program, sigmas, correlations or {})
    sigma, rows = first_order(result, sigmas, correlations, m)
    found = Budget(method, sigma, rows, correlations)
    if method == "second-order":
        if correlations:
            raise UsageError("--uncertainty second-order assumes independent inputs (the GUM's formula): drop --correlation, or use mc:N")
        found.second_order = second_order(program, point, sigmas, result.gradient, m)
    elif method == "mc":
        found.monte_carlo = monte_carlo(program, point, sigmas, correlations, samples, seed)
    return found


def second_order(program, point, sigmas, gradient, m=FloatMath):
    """u² = first-order terms + Σ_i Σ_j (½ f_ij² + f_i f_ijj) u_i² u_j² over the uncertain inputs
    (GUM 5.1.2, note), from the Hessian and the third derivatives of the derivative graph."""
    program = compiled(program)
    graph = copy.deepcopy(program.graph)
    ids = program.input_ids
    names = program.input_names
    picked = [k for k, name in enumerate(names) if name in sigmas]
    hess = {}
    first = gradient_nodes(graph, program.output, ids, m)
    for i in picked:
        row = gradient_nodes(graph, first[i], ids, m)
        for j in picked:
            hess[i, j] = (row[j], gradient_nodes(graph, row[j], ids, m)[j])  # f_ij and f_ijj
    values = forward(Program(graph, program.output, program.source), point_values(program, point, m), m)
    u2 = {k: m.mul(m.number(sigmas[names[k]]), m.number(sigmas[names[k]])) for k in picked}
    variance = m.zero
    for k in picked:
        c = gradient[names[k]]
        variance = m.add(variance, m.mul(m.mul(c, c), u2[k]))
    for (i, j), (fij, fijj) in hess.items():
        term = m.add(m.mul(0.5, m.mul(values[fij], values[fij])), m.mul(gradient[names[i]], values[fijj]))
        variance = m.add(variance, m.mul(term, m.mul(u2[i], u2[j])))
    return m.sqrt(variance)


def monte_carlo(program, point, sigmas, correlations, samples, seed):
    """Gaussian inputs (correlated through a Cholesky factor), one vectorised forward sweep per
    chunk: mean, σ, the probabilistically symmetric 95 % interval (2.5 and 97.5 percentiles)."""
    import numpy as np

    from ..numbers.arrays import NumpyMath

    names = list(sigmas)
    corr = np.array([[1.0 if a == b else correlations.get((a, b), correlations.get((b, a), 0.0)) for b in names] for a in names])
    factor = _cholesky(corr) if len(names) else corr
    rng = np.random.default_rng(seed)
    means = {name: float(point[name]) for name in program.input_names}
    outputs = []
    with np.errstate(all="ignore"):
        for start in range(0, samples, CHUNK):
            n = min(CHUNK, samples - start)
            z = rng.standard_normal((n, len(names))) @ factor.T
            columns = dict(means)
            for k, name in enumerate(names):
                columns[name] = means[name] + float(sigmas[name]) * z[:, k]
            inputs = [np.broadcast_to(np.asarray(columns[name], dtype=float), (n,)) for name in program.input_names]
            outputs.append(np.broadcast_to(forward(program, inputs, NumpyMath)[program.output], (n,)))
    y = np.concatenate(outputs)
    low, high = np.percentile(y, [2.5, 97.5])
    return {"mean": float(np.mean(y)), "sigma": float(np.std(y, ddof=1)), "interval95": [float(low), float(high)],
            "samples": samples, "seed": seed}


def _cholesky(corr):
    """A factor L with L Lᵀ = corr, for a positive semi-definite corr (eigenvalues clipped at 0)."""
    import numpy as np

    w, v = np.linalg.eigh(corr)
    return v * np.sqrt(np.clip(w, 0.0, None))
