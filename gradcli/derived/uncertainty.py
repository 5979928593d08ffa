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


@dataclass(slots=True)
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

    def pairs(self):
        """(label, number): the output's σ by each method, then each input's sensitivity,
        contribution and share; the labels of plain output and of csv's columns."""
        pairs = [("uncertainty", self.uncertainty), ("first_order", self.first_order)]
        if self.second_order is not None:
            pairs.append(("second_order", self.second_order))
        if self.monte_carlo is not None:
            mc = self.monte_carlo
            pairs += [("mc_mean", mc["mean"]), ("mc_sigma", mc["sigma"]), ("mc_low95", mc["interval95"][0]),
                      ("mc_high95", mc["interval95"][1]), ("mc_samples", mc["samples"]), ("mc_seed", mc["seed"])]
        for row in self.rows:
            pairs += [(f"sensitivity.{row.name}", row.sensitivity), (f"contribution.{row.name}", row.contribution),
                      (f"share.{row.name}", row.share)]
        return pairs

    def columns(self):
        """The pairs a csv row carries: the counts (samples, seed) left out."""
        return [(k, x) for k, x in self.pairs() if not isinstance(x, int)]


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
        if not (isinstance(r, (int, float)) and -1 <= r <= 1):
            raise UsageError(f"--correlation {a}:{b}={r}: a correlation is between -1 and 1")
        for name in (a, b):
            if name not in sigmas:
                what = f"an input without an uncertainty (give it as {name}=VALUE±U)" if name in order else "not an input of the program"
                raise UsageError(f"--correlation {a}:{b}: {name} is {what}")
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
    """The GUM's law of propagation of uncertainty: (u, budget rows), in the number type `m`.
    The sensitivities are eval's one gradient (the reverse sweep's adjoints of the inputs):
    on top of the sweep this costs one sum over the uncertain inputs."""
    program, adjoints, values = result.program, result.adjoints, result.values
    mul, add = m.mul, m.add
    picked = []  # (name, input node, u, c·u)
    variance = m.zero
    for name, i in zip(program.input_names, program.input_ids):
        sigma = sigmas.get(name)
        if sigma is not None:
            u = m.number(sigma)
            term = mul(adjoints[i], u)
            variance = add(variance, mul(term, term))
            picked.append((name, i, u, term))
    if correlations:
        terms = {name: term for name, _, _, term in picked}
        for (a, b), r in correlations.items():
            variance = add(variance, mul(mul(2.0, m.number(r)), mul(terms[a], terms[b])))
    rows = [Row(name, values[i], u, adjoints[i], m.abs(term), m.div(mul(term, term), variance))
            for name, i, u, term in picked]
    return m.sqrt(variance), rows


METHODS = "first-order, second-order or mc:N with N a whole number >= 1"


def parse_method(text):
    """(method, samples) from a method's text: first-order (also None), second-order, mc:N."""
    if text is None or text == "first-order":
        return "first-order", None
    if text == "second-order":
        return text, None
    if isinstance(text, str) and text.startswith("mc:"):
        n = text[3:]
        if n.isdigit() and int(n) > 0:
            return "mc", int(n)
    raise UsageError(f"--uncertainty {text!r}: expected {METHODS}")


def budget(result, point, method=None, correlations=None, m=FloatMath, seed=0):
    """The Budget at `point` by `method` (first-order, the default; second-order; mc:N), first
    order always computed; None when no input of `point` carries an uncertainty.
    `correlations` maps (a, b) input-name pairs to r; `seed` is Monte Carlo's."""
    method, samples = parse_method(method)
    program = result.program
    sigmas = sigmas_of(program, point)
    if not sigmas:
        return None
    correlations = check_correlations(program, sigmas, correlations) if correlations else {}
    sigma, rows = first_order(result, sigmas, correlations, m)
    found = Budget(method, sigma, rows, correlations)
    if method == "second-order":
        if correlations:
            raise UsageError("--uncertainty second-order assumes independent inputs (the GUM's formula): drop --correlation, or use mc:N")
        found.second_order = second_order(program, point, sigmas, result.gradient, m)
    elif method == "mc":
        found.monte_carlo = monte_carlo(program, point, sigmas, correlations, samples, seed)
    return found


@dataclass
class Covariance:
    """Several outputs' first-order covariance J Σ Jᵀ (Σ the inputs' covariance), and each σ."""

    outputs: list
    sigmas: list  # sqrt of the diagonal, in output order
    matrix: list  # rows and columns in output order
    correlations: dict = field(default_factory=dict)


def covariance(derivatives, point, correlations=None, m=FloatMath):
    """The outputs' Covariance from a Jacobian (engine.jacobian's FirstOrder) at `point`; None
    when no input carries an uncertainty. Only the uncertain inputs' columns of J take part."""
    program = derivatives.program
    sigmas = sigmas_of(program, point)
    if not sigmas:
        return None
    correlations = check_correlations(program, sigmas, correlations) if correlations else {}
    names = list(sigmas)
    column = {name: k for k, name in enumerate(derivatives.inputs)}
    u = [m.number(sigmas[name]) for name in names]
    # every row of J scaled by u: (J D)[k][i] = J[k][i] u_i, so that J Σ Jᵀ = (J D) R (J D)ᵀ
    scaled = [[m.mul(row[column[name]], ui) for name, ui in zip(names, u)] for row in derivatives.jacobian]
    pairs = [(names.index(a), names.index(b), m.number(r)) for (a, b), r in correlations.items()]
    matrix = [[_correlated_dot(a, b, pairs, m) for b in scaled] for a in scaled]
    return Covariance(list(derivatives.outputs), [m.sqrt(matrix[k][k]) for k in range(len(scaled))], matrix,
                      correlations)


def _correlated_dot(a, b, pairs, m):
    """a R bᵀ for R the identity plus the correlations `pairs` (i, j, r): R is symmetric, so
    each pair adds r (a_i b_j + a_j b_i)."""
    total = m.zero
    for x, y in zip(a, b):
        total = m.add(total, m.mul(x, y))
    for i, j, r in pairs:
        total = m.add(total, m.mul(r, m.add(m.mul(a[i], b[j]), m.mul(a[j], b[i]))))
    return total


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
    """Gaussian inputs (correlated through a factor of the correlation matrix), one vectorised
    forward sweep per chunk: mean, σ, the probabilistically symmetric 95 % interval (2.5 and
    97.5 percentiles). Samples are drawn a row per input, and mixed (only when correlated) by
    einsum's own loops, not BLAS: on a busy machine BLAS threads made the mixing 5× the sweep."""
    import numpy as np

    from ..numbers.arrays import NumpyMath

    names = list(sigmas)
    factor = None
    if correlations:
        corr = [[1.0 if a == b else correlations.get((a, b), correlations.get((b, a), 0.0)) for b in names] for a in names]
        factor = _cholesky(np.array(corr))
    rng = np.random.default_rng(seed)
    means = {name: float(point[name]) for name in program.input_names}
    y = np.empty(samples)
    with np.errstate(all="ignore"):
        for start in range(0, samples, CHUNK):
            n = min(CHUNK, samples - start)
            z = rng.standard_normal((len(names), n))
            if factor is not None:
                z = np.einsum("ij,jn->in", factor, z)
            columns = dict(means)
            for k, name in enumerate(names):
                columns[name] = means[name] + float(sigmas[name]) * z[k]
            inputs = [np.broadcast_to(np.asarray(columns[name], dtype=float), (n,)) for name in program.input_names]
            y[start:start + n] = forward(program, inputs, NumpyMath)[program.output]
    low, high = np.percentile(y, [2.5, 97.5])
    return {"mean": float(np.mean(y)), "sigma": float(np.std(y, ddof=1)), "interval95": [float(low), float(high)],
            "samples": samples, "seed": seed}


def _cholesky(corr):
    """A factor L with L Lᵀ = corr, for a positive semi-definite corr (eigenvalues clipped at 0)."""
    import numpy as np

    w, v = np.linalg.eigh(corr)
    return v * np.sqrt(np.clip(w, 0.0, None))
