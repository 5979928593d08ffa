"""`gradcli check` never calls a correct gradient wrong: random programs (tests/gen.py) at
points whose magnitudes spread from 1e-8 to 1e8, where the scale on which a function changes
has nothing to do with |x| (sin(x) at 1e5, x*y at 1e8). A planted wrong rule is still caught."""

import collections
import dataclasses
import math

import mpmath
import pytest
from hypothesis import given, note
from hypothesis import strategies as st

import gradcli
from gradcli import check_gradient
from gradcli.core.errors import GradcliError
from gradcli.core.ops import OPS

from gen import DPS, programs


@st.composite
def spread_points(draw, names):
    """Each input ±10^u with u uniform in [-8, 8]."""
    point = {}
    for name in names:
        u = draw(st.floats(-8.0, 8.0, allow_nan=False))
        point[name] = draw(st.sampled_from([1.0, -1.0])) * 10.0**u
    return point


def _finite(result):
    return math.isfinite(result.value) and all(map(math.isfinite, result.gradient.values()))


def test_check_never_calls_a_correct_gradient_wrong():
    """No `mismatch` at all; `inconclusive` (or `cannot_check`) for at most 1 % of the partials.
    The points are filtered only to finite values and gradients."""
    seen = collections.Counter()

    @given(programs(), st.data())
    def run(ex, data):
        point = data.draw(spread_points(ex.inputs))
        try:
            result = gradcli.evaluate(ex.text, point)
        except GradcliError:
            return
        if not _finite(result):
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
