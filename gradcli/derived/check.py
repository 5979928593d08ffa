"""Gradient checks: the reverse sweep's partials (and the Hessian) against finite differences.

Central differences have error O(h²) from the function's curvature and O(ε/h) from rounding,
and say nothing at all when h is larger than the scale on which the function changes (sin at
x = 1e5 with h = 1e3). So the step is not guessed from |x|: central differences are taken at
steps halving from 2⁻²·max(1, |x|) down to rounding level, in two interleaved sequences (ratio
√2 apart), each extrapolated to step 0 by Richardson's tableau over a sliding window (Ridders'
method), and the estimate whose neighbours agree best is kept: typically 1e-13 relative.

A verdict is only as good as the estimate. "mismatch" needs an estimate that settled (its error
estimate a small fraction of it) and no step at all whose extrapolation, within its own error
estimate, supports gradcli's value: then the gradient is wrong. When the differences do not
settle, the verdict is "inconclusive"; where the value (or a finite-difference estimate) is not
a number, "cannot_check". At a point where gradcli applied a convention (relu at 0, a max tie,
sign at 0, ...) finite differences see the average of the one-sided slopes, or a jump; the
check then says so ("convention") when the convention lies between the one-sided slopes or
nothing else could (a jump, an infinite slope).
"""

import math
from dataclasses import dataclass

from ..engine.evaluate import evaluate
from ..engine.forward import forward, point_values
from ..engine.reverse import reverse
from ..numbers.text import format_number

RTOL = 1e-6
ATOL = 1e-8
FIRST_STEP = 2.0**-2  # the largest step, relative to max(1, |x|): most functions change on a smaller scale
LAST_STEP = 2.0**-36  # the smallest, relative to max(|x|, 2⁻³⁰): below it rounding is all there is
ROUNDED = 2.0**-30  # the smallest where a moved point's rounding is no noise: 2⁻²² of the move
MAX_ROWS = 100  # steps per sequence, at most
COLUMNS = 5  # Richardson extrapolations per step (a sliding window of 6 steps)
SETTLED = 1e-3  # an estimate with a smaller relative error estimate can decide a verdict
PLATEAU = 3  # a mismatch needs this many settled estimates agreeing with the best one
SUPPORT = 4.0  # an estimate supports gradcli's value within this many of its error estimates
STEP = 2.0**-10  # the one-sided steps that explain a difference at a kink
STATUSES = ("ok", "convention", "inconclusive", "cannot_check", "mismatch")


@dataclass
class Comparison:
    """One partial: gradcli's value, the finite-difference estimate, and the verdict."""

    wrt: tuple  # ("w",) for a partial, ("x", "y") for a Hessian entry, () for J·v
    claimed: float
    estimate: float
    abs_error: float
    rel_error: float
    status: str  # one of STATUSES; only "mismatch" fails the check
    explanation: str | None = None
    kind: str = "gradient"  # or "hessian", "jacobian", "jvp", "hvp"
    output: str | None = None  # the output's name, for "jacobian" and "jvp"

    @property
    def label(self):
        """As the command that computes it names it: eval's d/dw, hessian's d2/dx/dy and
        Hv[x], jacobian's J[y,w], jvp's jvp[y]."""
        if self.kind == "jacobian":
            return f"J[{self.output},{self.wrt[0]}]"
        if self.kind == "jvp":
            return f"jvp[{self.output}]"
        if self.kind == "hvp":
            return f"Hv[{self.wrt[0]}]"
        k = len(self.wrt)
        return f"d{k if k > 1 else ''}/" + "/".join(f"d{w}" for w in self.wrt)


class CheckReport:
    """Every comparison at one point, with the evaluation's warnings and notes."""

    reference = "finite differences"  # what the partials were compared with, in words

    def __init__(self, result, comparisons, rtol, atol, title="gradient check", outputs=None, direction=None):
        self.result = result  # a Result (one output), or engine.jacobian's Derivatives
        self.comparisons = comparisons
        self.rtol = rtol
        self.atol = atol
        self.title = title
        self.outputs = outputs  # the outputs' names, where a Jacobian (or J·v of several) was checked
        self.direction = direction  # {input: v}, for check --dir

    @property
    def failures(self):
        return [c for c in self.comparisons if c.status == "mismatch"]

    @property
    def ok(self):
        """No partial is wrong (an inconclusive or unchecked one is not a failure)."""
        return not self.failures

    @property
    def verdict(self):
        """The worst status: "mismatch" > "cannot_check" > "inconclusive" > "convention" > "ok"."""
        return max((c.status for c in self.comparisons), key=STATUSES.index, default="ok")


def check_gradient(program, point, rtol=RTOL, atol=ATOL, with_hessian=False):
    """Compare the gradient (and with `with_hessian` the Hessian, row by row) with finite
    differences of the value (of the gradient) at `point`. `program`: text or a Program."""
    from .diff import compiled
    from .hessian import hessian  # the Hessian's machinery, only when a check runs

    program = compiled(program)
    x = point_values(program, point)
    result = evaluate(program, point)
    names = program.input_names
    out = program.output

    def value(xs):
        return [forward(program, xs)[out]]

    def hessian_at(xs):
        return hessian(program, dict(zip(names, xs))).hessian

    gradient = gradient_function(program)
    jumps = jumps_across(program)
    comparisons = compare_rows(value, x, [list(result.gradient.values())], names, (), "the value", result.notes,
                               rtol, atol, noise=rounding(result), slopes=lambda xs: [gradient(xs)], jumps=jumps)
    if with_hessian:
        matrix = hessian(program, point).hessian
        for i, name in enumerate(names):
            comparisons += compare_rows(gradient, x, matrix, names, (name,), f"d/d{name}", result.notes, rtol, atol, i,
                                        slopes=hessian_at, jumps=jumps, precise=gradient_function(program, 30),
                                        kind="hessian")
    return CheckReport(result, comparisons, rtol, atol)


def gradient_function(program, digits=None):
    """The float64 gradient at input values xs (program order): one forward, one reverse sweep;
    with `digits`, the same sweeps in mpmath at that many digits (for _rounding_within)."""
    from ..numbers import number_type

    def gradient(xs):
        m = number_type(digits, program)  # mpmath imported only when a 30-digit gradient is asked for
        adjoints = reverse(program, forward(program, [m.number(x) for x in xs], m), m)[0]
        return [adjoints[i] for i in program.input_ids]
    return gradient


def rounding(result, inputs=False):
    """How far rounding can move the computed value, to first order: every node's value
    rounds (a few units of 2⁻⁵³) and reaches the output through its adjoint. Where values
    cancel this is far more than the output's own rounding (log10(hypot(z, 1)) at z = 1e-4
    is 5e-9, but rounding 1 + z²/2 makes it 1e-16 noisy). With `inputs`, the inputs' own
    rounding too: moving x along a direction v rounds every component of x + h·v."""
    skip = () if inputs else set(result.program.input_ids)
    terms = (abs(a * v) for i, (a, v) in enumerate(zip(result.adjoints, result.values)) if i not in skip)
    return 4 * _EPS * math.fsum(t for t in terms if math.isfinite(t))


class Line:
    """fn at x + t·d as t moves: along input j (d = e_j) or along a direction v. Its steps
    scale with the components that move: the largest from the one that changes the most
    relative to its size; the smallest where rounding is all there is, or, when no noise bound
    covers the rounding of a moved point (several components move, the step is not exact),
    where that rounding is still below 2⁻²² of each component's move."""

    def __init__(self, fn, x, here, j=None, v=None, noisy=False):
        self.fn, self.x, self.here = fn, x, here  # here: fn(x)
        self.along = [(j, 1.0)] if v is None else [(k, d) for k, d in enumerate(v) if d]
        self.top = FIRST_STEP * min(max(1.0, abs(x[k])) / abs(d) for k, d in self.along)
        last = LAST_STEP if noisy or len(self.along) == 1 else ROUNDED
        self.bottom = last * max(max(abs(x[k]), 2.0**-30) / abs(d) for k, d in self.along)

    @property
    def spread(self):
        """Why the steps cannot both stay below the function's scale and above rounding (the
        components lie on scales too far apart), or None."""
        if self.bottom <= self.top * 2.0**-8:
            return None
        low = min(max(1.0, abs(self.x[k])) / abs(d) for k, d in self.along)
        high = max(abs(self.x[k]) / abs(d) for k, d in self.along)
        return (f"the direction moves inputs on scales too far apart (max(1, |x|)/|v| from {format_number(low, 2)} "
                f"to {format_number(high, 2)}) to difference along it")

    def point(self, h):
        """x + h·d."""
        moved = list(self.x)
        for k, d in self.along:
            moved[k] = self.x[k] + h * d
        return moved

    def __call__(self, h):
        """fn at x + h·d."""
        return self.fn(self.point(h))

    def width(self, h):
        """t between x - h·d and x + h·d: exact when one component moves."""
        if len(self.along) > 1:
            return 2 * h
        (k, d), = self.along
        return ((self.x[k] + h * d) - (self.x[k] - h * d)) / d


def compare(line, row, c, what, notes, rtol, atol, noise=0.0, claimed_at=None, jumps=None, precise=None):
    """gradcli's c against d fn(x + t·d)[row] / dt at t = 0 (fn(x)[row] is `what`: the value,
    or one partial; `noise`: how far rounding can move it, if known; `claimed_at(xs)`: gradcli's
    c at other input values, for the kink test; `jumps`: jumps_across' test of the program's
    step functions; `precise(xs)`: fn at 30 digits, for a difference of fn whose rounding no
    bound covers): (estimate, abs error, rel error, status, explanation)."""
    if line.spread:
        return math.nan, math.nan, math.nan, "inconclusive", f"{line.spread}, gradcli gives {format_number(c)}"
    estimates = _estimates(line, row, noise or _observed_noise(line, row, c))
    e, err, plateau, step = _best(estimates, atol)
    abs_error = abs(c - e)
    rel_error = abs_error / abs(e) if e else (0.0 if abs_error == 0 else math.inf)
    status, explanation = _verdict(line, row, c, e, err, plateau, estimates, what, notes, rtol, atol)
    if status == "mismatch":
        found = _kink_below_steps(line, claimed_at, c, e) if claimed_at is not None else None
        found = found or _kink_within(line, row, step, c, e) or _jump_within(line, jumps, max(step, line.bottom), c)
        found = found or (_rounding_within(line, row, max(step, line.bottom), c, e, precise) if precise else None)
        status, explanation = found or (status, explanation)
    return e, abs_error, rel_error, status, explanation


def compare_rows(fn, x, claimed, names, prefix, what, notes, rtol, atol, row=0, noise=0.0, slopes=None, jumps=None,
                 precise=None, **labels):
    """Compare claimed[row][j] with d fn(x)[row] / d x_j for every input j (`slopes(xs)`: the
    claimed matrix at other input values, for the kink test; `precise`: fn at 30 digits);
    `labels`: the Comparison's kind and output."""
    here = fn(x) if names else [0.0] * (row + 1)
    entry = lambda j: None if slopes is None else (lambda xs: slopes(xs)[row][j])
    return [Comparison(prefix + (name,), claimed[row][j],
                       *compare(Line(fn, x, here, j=j), row, claimed[row][j], what, notes, rtol, atol, noise, entry(j),
                                jumps, precise),
                       **labels)
            for j, name in enumerate(names)]


def _settled(b, scale, atol):
    """Estimate b = (estimate, error estimate) is precise enough to speak about a value of
    size `scale`."""
    return b[1] <= SETTLED * (abs(scale) + atol)


def _supports(b, a, atol, scale=None):
    """Estimate b is settled (for a value of size `scale`, default a) and agrees with the
    value a within its error estimate."""
    settled = _settled(b, a if scale is None else scale, atol)
    return settled and abs(a - b[0]) <= SUPPORT * b[1] + 4 * _EPS * max(abs(a), abs(b[0]))


def _best(estimates, atol):
    """(estimate, error estimate, plateau, step): the estimate that most settled others support
    (ties: the smallest error estimate), and how many do, itself included. Support across
    steps, not the smallest error estimate alone, decides: at steps far larger than the scale
    of the function, differences shrink like 1/h and so do their disagreements. And where
    settled estimates at smaller steps disagree with that one, and agree among themselves,
    they win: only rounding (which the error estimates bound) fools a small step, while a
    large one can span periods of sin(x) at 1e5 or stairs of floor(x) at 316."""
    def most_supported(pool, gap=None):
        """Settled against `gap` (how far the pool lies from the estimate it would replace):
        precise enough to tell the two apart is precise enough to choose."""
        return max(((sum(_supports(b, a[0], atol, gap) for b in estimates), -a[1], a) for a in pool), default=None)

    found = most_supported(estimates)
    if found is None:
        return math.nan, math.inf, 0, 0.0
    while True:
        _, _, (e, err, h) = found
        smaller = [b for b in estimates if b[2] < h and abs(b[0] - e) > SUPPORT * (err + b[1])]
        inner = max((most_supported([b], abs(b[0] - e)) for b in smaller), default=None)
        if inner is None or inner[0] < 2:
            break
        found = inner
    plateau, _, (e, err, h) = found
    return e, err, plateau, h


def _verdict(line, row, c, e, err, plateau, estimates, what, notes, rtol, atol):
    """(status, explanation) for gradcli's c against the best estimate e (error estimate err,
    `plateau` settled estimates agreeing with it) and all estimates [(value, error estimate)]."""
    said = f"finite differences give {format_number(e)}"
    here = line.here[row]
    if not math.isfinite(here):
        return "cannot_check", f"{what} is {format_number(here)} here, so there is nothing to difference"
    if c == e or abs(c - e) <= atol + rtol * abs(e):
        return "ok", None
    why = _explained(line, row, c, atol) if notes else None
    if why:
        if why == "jump":
            said = f"{what} jumps here, so {said} (growing as the step shrinks)"
        return "convention", f"{'; '.join(notes)}: {said}, the convention gives {format_number(c)}"
    if c != c or not math.isfinite(e):
        return "cannot_check", f"{said}, gradcli gives {format_number(c)}: not numbers to compare"
    if notes:  # conventions compose into values no slope explains (max(x, x) - x at a tie)
        return "inconclusive", (f"{'; '.join(notes)}: the convention was applied on the way, so {said} "
                                f"and gradcli {format_number(c)} need not agree")
    supported = any(_settled(b, b[0], atol) and abs(c - b[0]) <= atol + rtol * abs(b[0]) + SUPPORT * b[1] for b in estimates)
    if plateau >= PLATEAU and not supported:
        return "mismatch", f"{said}, gradcli gives {format_number(c)}"
    return "inconclusive", (
        f"finite differences cannot decide (the best estimate, {format_number(e)}, is uncertain by "
        f"{format_number(err, 2)}), gradcli gives {format_number(c)}"
    )


def _estimates(line, row, noise):
    """[(estimate, error estimate, step)] of d fn(x + t·d)[row] / dt: the best of each step
    of two interleaved halving sequences, finite ones only."""
    found = []
    for h in (line.top, line.top * math.sqrt(0.5)):
        found += _ridders(line, row, h, noise)
    return found


def _observed_noise(line, row, c):
    """Rounding noise of fn where no bound is carried for it (a gradient differenced for the
    Hessian or H·v): how far central differences at the three smallest steps fall from the
    straight line of slope c. There a right c leaves only rounding (a gradient through acos
    near 1 is noisy by 1e-11 and would fake a slope of 23 over steps of 1e-13); a wrong c
    adds only (e - c) times a step that small, which the larger steps' estimates outgrow."""
    if not math.isfinite(c):
        return 0.0
    h, here = line.bottom, []
    for _ in range(3):
        gap = line(h)[row] - line(-h)[row] - line.width(h) * c
        if math.isfinite(gap):
            here.append(abs(gap) / 2)
        h *= 2
    return max(here, default=0.0)


def _ridders(line, row, h, noise):
    """Central differences at steps halving from h to the line's smallest, extrapolated over
    a sliding window of COLUMNS + 1 steps: per step, the extrapolation whose neighbours agree
    best, as (estimate, error estimate). The error estimate is at least the rounding noise of
    the values (`noise`, or a few units of 2⁻⁵³ of them) over the step."""
    found = []
    previous = []
    for _ in range(MAX_ROWS):
        if h < line.bottom:
            break
        step = line.width(h)
        if not step:
            break
        p, m = line(h)[row], line(-h)[row]
        floor = 2 * max(noise, 4 * _EPS * max(abs(p), abs(m))) / step
        entries = [(p - m) / step]
        best, error = entries[0], math.inf
        factor = 4.0  # central differences have error terms in h², h⁴, ...
        for k in range(1, min(len(previous), COLUMNS) + 1):
            entries.append((factor * entries[k - 1] - previous[k - 1]) / (factor - 1))
            factor *= 4.0
            err = max(abs(entries[k] - entries[k - 1]), abs(entries[k] - previous[k - 1]), floor)
            if err < error:  # nan never wins
                best, error = entries[k], err
        if math.isfinite(best) and math.isfinite(error):
            found.append((best, error, h))
        previous = entries
        h /= 2
    return found


_EPS = 2.0**-52


def _kink_below_steps(line, claimed_at, c, e):
    """("inconclusive", why) when gradcli's own derivative jumps within the smallest step
    around x (a kink closer than any difference can resolve: max(w, v) with v two units in the
    last place above w), so every difference spans both pieces; else None. A wrong rule is
    wrong on both sides and still a mismatch."""
    for h in (line.bottom, -line.bottom):
        moved = claimed_at(line.point(h))
        if not abs(moved - c) <= 0.1 * abs(e - c):  # nan jumps too
            return "inconclusive", (f"the derivative jumps within {format_number(line.bottom, 2)} of the point "
                                    f"(from {format_number(c)} to {format_number(moved)}): a kink closer than any "
                                    f"finite-difference step, which sees {format_number(e)}")
    return None


def _kink_within(line, row, h, c, e):
    """("inconclusive", why) when the function bends sharply within the step h of the best
    estimate: its one-sided differences over h disagree by more than half their size and by
    more than the disagreement in question would make over h (max(v - w, v) with a kink at
    w = 0, 1e-5 away, and steps below 1e-5 too noisy to settle), so that estimate spans two
    pieces; else None. A smooth function's sides differ by about h²·f'' only."""
    here = line.here[row]
    a, b = line(h)[row] - here, here - line(-h)[row]
    bend = abs(a - b)
    if bend > 0.5 * (abs(a) + abs(b)) and bend > abs(e - c) * line.width(h) / 2:
        return "inconclusive", (f"the function bends within the step that gives {format_number(e)} "
                                f"({format_number(h, 2)}: one-sided differences {format_number(a, 3)} and "
                                f"{format_number(b, 3)}), a kink finite differences cannot step past, "
                                f"gradcli gives {format_number(c)}")
    return None


def _rounding_within(line, row, h, c, e, precise):
    """("inconclusive", why) when float64's rounding of fn, measured against fn at 30 digits
    at the same two points, makes half or more of the central difference's disagreement with
    gradcli's c at the step h of the best estimate: that difference is of rounding, not of the
    function (the gradient of acos(cos(w)) at w = 1e-5 is a sawtooth of slope 1e5 between the
    stairs of cos(w)'s last digit, and differences finer than a stair see that slope); else
    None. A wrong rule leaves the 30-digit difference as far from c as the float64 one."""
    ahead, behind = line.point(h), line.point(-h)
    rounded = line.fn(ahead)[row] - line.fn(behind)[row]
    exact = float(precise(ahead)[row] - precise(behind)[row])
    gap = abs(rounded - c * line.width(h))
    if not (abs(rounded - exact) >= 0.5 * gap):  # nan: the difference says nothing either
        return None
    return "inconclusive", (f"rounding makes the differences at the step of the best estimate ({format_number(h, 2)}): "
                            f"float64 moves {format_number(rounded, 3)} where 30 digits move {format_number(exact, 3)}, "
                            f"so {format_number(e)} is not the derivative; gradcli gives {format_number(c)}")


def jumps_across(program):
    """A test of two input points: the first step function of the program (floor, ceil, sign,
    step: the op table's `jumps`) whose value differs between them, or None."""
    from ..core.ops import OPS

    steps = [i for i, op in enumerate(program.graph.op) if op in OPS and OPS[op].jumps]

    def across(xs, ys):
        if not steps:
            return None
        a, b = forward(program, xs), forward(program, ys)
        return next((i for i in steps if a[i] != b[i]), None)

    across.program = program
    return across


def _jump_within(line, jumps, h, c):
    """("inconclusive", why) when a step function of the program jumps within the step h of
    the best estimate (floor(exp(w)) at w = 31.6 has stairs 2e-14 apart): that difference
    spans jumps and sees their average slope, which says nothing of the derivative; else None."""
    node = jumps(line.point(-h), line.point(h)) if jumps is not None else None
    if node is None:
        return None
    from ..engine.diagnostics import describe

    return "inconclusive", (f"{describe(jumps.program, node)} jumps within {format_number(h, 2)} of the point, "
                            f"the step of the best estimate: it spans a jump; gradcli gives {format_number(c)}")


def _explained(line, row, c, atol):
    """Why a convention at a kink can account for c, or None: "infinite" (sqrt at 0), "jump"
    (fn jumps at x along the line, as the gradient of relu does at 0: no derivative exists,
    so any value is a convention), "between" (c lies between the one-sided slopes, as
    relu'(0) = 0 lies between 0 and 1)."""
    if math.isinf(c):
        return "infinite"
    f0 = line.here[row]
    h = STEP * line.top / FIRST_STEP
    slopes = []
    for side in (h, -h):
        a, b = line(side)[row] - f0, line(side / 2)[row] - f0
        if abs(b) > atol and abs(b) > 0.85 * abs(a):  # halving the step did not halve it
            return "jump"
        slope = (4 * b - a) / side  # one-sided, Richardson: good to O(h²)
        if math.isfinite(slope):
            slopes.append(slope)
    if not slopes:
        return None
    lo, hi = min(slopes), max(slopes)
    tol = atol + 1e-4 * max(1.0, abs(lo), abs(hi))
    return "between" if lo - tol <= c <= hi + tol else None
