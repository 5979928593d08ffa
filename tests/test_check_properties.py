"""`gradcli check` never calls a correct gradient wrong: random programs (tests/gen.py) at
points whose magnitudes spread from 1e-8 to 1e8, where the scale on which a function changes
has nothing to do with |x| (sin(x) at 1e5, x*y at 1e8). A planted wrong rule is still caught.
The same for every Jacobian entry, and for J·v and H·v along a direction."""

import collections
import dataclasses
import math
import random

import mpmath
import pytest
import sympy
from hypothesis import given, note
from hypothesis import strategies as st

import gradcli
from gradcli import check_gradient
from gradcli.core.errors import GradcliError
from gradcli.core.ops import OPS
from gradcli.derived.check_drivers import check_direction, check_jacobian
from gradcli.numbers.dual import dual_math
from gradcli.numbers.float64 import FloatMath
from test_jacobian import several

from gen import DPS, programs
from symgen import SYMBOLS


@st.composite
def spread_points(draw, names):
    """Each input ±10^u with u uniform in [-8, 8]."""
    point = {}
    for name in names:
        u = draw(st.floats(-8.0, 8.0, allow_nan=False))
        point[name] = draw(st.sampled_from([1.0, -1.0])) * 10.0**u
    return point


def _finite_at(text, point):
    """The program evaluates at the point to a finite value and gradient (the points are
    filtered to these only)."""
    try:
        result = gradcli.evaluate(text, point)
    except GradcliError:
        return False
    return math.isfinite(result.value) and all(map(math.isfinite, result.gradient.values()))


def test_check_never_calls_a_correct_gradient_wrong():
    """No `mismatch` at all; `inconclusive` (or `cannot_check`) for at most 1 % of the partials.
    The points are filtered only to finite values and gradients."""
    seen = collections.Counter()

    @given(programs(), st.data())
    def run(ex, data):
        point = data.draw(spread_points(ex.inputs))
        if not _finite_at(ex.text, point):
            return
        report = check_gradient(ex.text, point)
        note(f"{ex.text!r} at {point}: {[(c.label, c.status, c.explanation) for c in report.comparisons]}")
        for c in report.comparisons:
            seen[c.status] += 1
        assert report.ok, [(c.label, c.explanation) for c in report.failures]

    run()
    total = sum(seen.values())
    assert total > 0
    assert seen["inconclusive"] + seen["cannot_check"] <= 0.01 * total, seen


@pytest.mark.parametrize("point", [{"x": 1.0}, {"x": -2.5}, {"x": 1e5}, {"x": 1e8}, {"x": 1e-7}])
def test_a_planted_wrong_rule_is_caught_everywhere(monkeypatch, point):
    """sin' = 1.1·cos: a mismatch at every scale, large |x| included."""
    monkeypatch.setitem(OPS, "sin", dataclasses.replace(OPS["sin"], partials=lambda m, y, x: (m.mul(1.1, m.cos(x)),)))
    report = check_gradient("sin(x) + x", point)
    assert [c.status for c in report.comparisons] == ["mismatch"], report.comparisons


def _off_by_a_tenth(rule):
    return lambda m, y, *xs: tuple(m.mul(1.1, d) for d in rule(m, y, *xs))


def test_a_planted_wrong_rule_is_caught_in_random_programs(monkeypatch):
    """Broken rules inside random programs (every op's partials 10 % too large, so that the
    test does not depend on which functions the generator happens to draw): every partial
    they make wrong is caught by the gradient check, never reported ok."""
    for name, op in list(OPS.items()):
        monkeypatch.setitem(OPS, name, dataclasses.replace(op, partials=_off_by_a_tenth(op.partials)))
    caught = collections.Counter()

    @given(programs())
    def run(ex):
        right = _exact_gradient(ex)
        report = check_gradient(ex.text, ex.point)
        for c in report.comparisons:
            off = abs(c.claimed - right[c.wrt[0]]) > 1e-3 * abs(right[c.wrt[0]]) + 1e-6
            if off:
                caught[c.status] += 1
                assert c.status != "ok", (ex.text, ex.point, c)

    run()
    assert caught["mismatch"] > 0 and caught["mismatch"] >= 0.9 * sum(caught.values()), caught


def _exact_gradient(ex):
    """The generator's own gradient (chain rule in 50 digits), independent of the op table."""
    with mpmath.workdps(DPS):
        adj, _ = ex.tape.analyse(ex.output)
        nodes = {name: ex.tape.inputs[name] for name in ex.inputs}
        return {name: float(adj[i]) if i < len(adj) else 0.0 for name, i in nodes.items()}


# -- the other drivers: every Jacobian entry, J·v and H·v along a direction -------------------


def _direction(names, rng):
    """A random direction: each component ±[0.1, 3], or 0 (at least one nonzero)."""
    v = {n: rng.choice([-1, 1]) * rng.uniform(0.1, 3.0) if rng.random() < 0.8 else 0.0 for n in names}
    v[names[0]] = v[names[0]] or 1.0
    return v


@pytest.mark.parametrize("seed", range(40))
def test_jacobian_and_direction_checks_pass_on_programs_with_several_outputs(seed):
    """tests/test_jacobian.py's random two-output programs: every Jacobian entry and J·v ok;
    and on the first output alone, J·v and H·v ok."""
    ex, text, _ = several(seed)
    names = gradcli.compile_program(text).input_names
    v = _direction(names, random.Random(seed))
    first = gradcli.compile_program(ex.text).input_names  # the first output alone may use fewer inputs
    u = {n: v.get(n) or 1.0 for n in first}
    alone = check_direction(ex.text, ex.point, u)
    for report in (check_jacobian(text, ex.point), check_direction(text, ex.point, v), alone):
        assert [c.status for c in report.comparisons] == ["ok"] * len(report.comparisons), report.comparisons
    assert [c.kind for c in alone.comparisons] == ["jvp"] + ["hvp"] * len(first)


def test_direction_checks_never_call_a_correct_derivative_wrong():
    """The gradient check's property for J·v and H·v: random programs (tests/gen.py) at points
    spread from 1e-8 to 1e8, random directions; no `mismatch`, few unsure verdicts, and "scales
    too far apart" only where the components' scales |x|/|v| differ by more than 2²⁰ (x = 1e8
    moved with y = 1e-8: no step is both below y's scale and above x's rounding)."""
    seen = collections.Counter()

    @given(programs(), st.data())
    def run(ex, data):
        point = data.draw(spread_points(ex.inputs))
        v = {n: data.draw(st.sampled_from([0.0, 1.0, -0.5, 3.0, 1e-3])) for n in ex.inputs}
        if not ex.inputs or not any(v.values()):
            return
        if not _finite_at(ex.text, point):
            return
        report = check_direction(ex.text, point, v)
        note(f"{ex.text!r} at {point} along {v}: {[(c.label, c.status, c.explanation) for c in report.comparisons]}")
        moved = [(abs(point[n]), abs(d)) for n, d in v.items() if d]
        ratio = max(x / d for x, d in moved) / min(max(1.0, x) / d for x, d in moved)
        for c in report.comparisons:
            spread = "scales too far apart" in (c.explanation or "")
            assert not spread or ratio > 2.0**20, (c, ratio)  # said only where no step could do
            seen["spread" if spread else c.status] += 1
        assert report.ok, [(c.label, c.explanation) for c in report.failures]

    run()
    total = sum(seen.values())
    assert seen["ok"] > 0.5 * total, seen
    # a direction mixing scales also keeps steps above what a small component needs (sin(1/y) at
    # y = 1e-4 moved with x = 1e7), and H·v differences the gradient, which is not finite
    # everywhere the value is: unsure more often than along one input, never wrong
    assert seen["inconclusive"] + seen["cannot_check"] <= 0.06 * total, seen


@pytest.fixture
def fresh_duals():
    """The dual number type reads the op table once, when it is first built (then kept on
    FloatMath): build it again under a planted rule, and again after it."""
    dual_math.forget(FloatMath)
    yield
    dual_math.forget(FloatMath)


def test_a_planted_wrong_rule_is_caught_by_the_jacobian_and_direction_checks(monkeypatch, fresh_duals):
    """sin' = 1.1·cos: every Jacobian entry through sin and J·v are mismatches; cos's rule
    with its sign lost leaves the first derivatives right, and H·v catches it."""
    program, at = "x = sin(w)*v; x, x*w, v", {"w": 1.0, "v": 2.0}
    with monkeypatch.context() as patched:
        patched.setitem(OPS, "sin", dataclasses.replace(OPS["sin"], partials=lambda m, y, x: (m.mul(1.1, m.cos(x)),)))
        jac = check_jacobian(program, at)
        assert [c.label for c in jac.failures] == ["J[x,w]", "J[x*w,w]"]
        assert [c.status for c in check_direction(program, at, {"w": 1.0}).comparisons] == ["mismatch", "mismatch", "ok"]
    monkeypatch.setitem(OPS, "cos", dataclasses.replace(OPS["cos"], partials=lambda m, y, x: (m.sin(x),)))
    assert check_jacobian("sin(w) * w", {"w": 1.0}).ok
    report = check_direction("sin(w) * w", {"w": 1.0}, {"w": 1.0})
    assert [(c.label, c.status) for c in report.comparisons] == [("jvp[sin(w)*w]", "ok"), ("Hv[w]", "mismatch")]


@pytest.mark.parametrize("seed", range(12))
def test_planted_wrong_rules_in_random_programs_are_caught_by_the_jacobian_check(monkeypatch, seed):
    """Every op's partials 10 % too large: each Jacobian entry and J·v they make wrong (against
    SymPy) is a mismatch, never ok."""
    for name, op in list(OPS.items()):
        monkeypatch.setitem(OPS, name, dataclasses.replace(op, partials=_off_by_a_tenth(op.partials)))
    ex, text, exprs = several(seed)
    names = gradcli.compile_program(text).input_names
    truth = [[ex.sympy_at(sympy.diff(e, SYMBOLS[n])) for n in names] for e in exprs]
    v = _direction(names, random.Random(seed))
    along = [sum(t * v[n] for t, n in zip(row, names, strict=True)) for row in truth]
    right = [*(t for row in truth for t in row), *along]
    checked = [*check_jacobian(text, ex.point).comparisons, *check_direction(text, ex.point, v).comparisons]
    for c, r in zip(checked, right, strict=True):
        if abs(c.claimed - r) > 1e-3 * abs(r) + 1e-6:
            assert c.status == "mismatch", (text, c)
