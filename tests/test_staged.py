"""Staged sweeps (numbers.staged, engine.tiers): the staged function of a sweep gives the
interpreted sweep's numbers bit for bit, a program is staged only once staging pays, and the
code staged is made only of invented names."""

import math
import struct
from functools import partial

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gradcli
from gradcli.core.ops import OPS, Op
from gradcli.derived.hessian import float_dual_sweep, hvp, hvp_sweep
from gradcli.engine import tiers
from gradcli.engine.forward import point_values
from gradcli.engine.jacobian import columns_sweep, jacobian, jvp, jvp_sweep, rows_sweep
from gradcli.numbers import staged as staging
from gradcli.numbers.dual import dual_math
from gradcli.numbers.float64 import FloatMath
from gradcli.numbers.staged import TANGENT, VALUE, Unstageable

from gen import programs


def bits(x):
    """A number's bits, nested lists too (a nan's sign aside: which nan survives is the C
    library's choice, and every nan prints as nan)."""
    if isinstance(x, (list, tuple)):
        return [bits(y) for y in x]
    if x is None:
        return None
    return "nan" if x != x else struct.pack("<d", x)


def _sweeps(program):
    """(name, sweep over a number type, argument kinds) of every staged sweep: the drivers' own
    (engine.jacobian, derived.hessian)."""
    return [("hvp", partial(hvp_sweep, program), [VALUE, TANGENT]), ("jvp", partial(jvp_sweep, program), [VALUE, VALUE]),
            ("rows", partial(rows_sweep, program), [VALUE]), ("columns", partial(columns_sweep, program), [VALUE])]


def _same_numbers(text, point, v):
    """Every staged sweep of the program gives the interpreted numbers bit for bit; returns
    how many could be staged (a select's dead branch is decided as the sweep goes)."""
    program = gradcli.compile_program(text)
    inputs = point_values(program, point)
    staged = 0
    for name, sweep, kinds in _sweeps(program):
        arguments = [inputs, v][: len(kinds)]
        f = tiers.stage(sweep, [len(a) for a in arguments], kinds)
        if f is None:
            assert "select" in program.graph.op, (name, text)
            continue
        staged += 1
        assert bits(f(*arguments)) == bits(sweep(FloatMath, *arguments)), (name, text, point, v)
    return staged


NASTY = [
    # kinks, ties, zeros of hypot and pow, poles and overflow, a far-out tanh, a dead branch
    ("max(w, x, 2)*sqrt(x) + abs(w - x)^x + min(w, w)", {"w": 0.5, "x": 0.5}),
    ("hypot(w, x) * atan2(w, x) + relu(w) * tanh(x) / w", {"w": 0.0, "x": 0.0}),
    ("w^0 + 0^w + w^x + log(w) + 1/w", {"w": 0.0, "x": 0.0}),
    ("exp(1000*w) * w + sinh(800*x) - cosh(x)*x", {"w": 1.0, "x": 1.0}),
    ("tanh(expm1(exp(z)))", {"z": 1.7237849447007823}),
    ("sqrt(w) + cbrt(x) + asin(w) + acos(x) + atanh(w) + acosh(x + 1)", {"w": 0.0, "x": 0.0}),
    ("floor(w)*x + ceil(x)*w + sign(w)*step(x) + erf(w)*erfc(x) + sigmoid(w)*softplus(x)", {"w": 2.0, "x": -0.0}),
    ("x = w*w; y = -x*x; x - x + y*0 + x*1 + 0*w", {"w": -0.0}),
]


@pytest.mark.parametrize("text,point", NASTY)
@pytest.mark.parametrize("v", [[1.0, -0.5], [0.0, -0.0], [math.inf, 1.0], [-0.0, 1e-310]])
def test_staged_sweeps_give_the_interpreted_numbers_at_the_edges(text, point, v):
    n = len(gradcli.compile_program(text).input_ids)
    assert _same_numbers(text, point, v[:n]) == 4


def test_a_dead_branch_is_not_staged():
    """A select's taken branch is a decision on a value: such a sweep stays interpreted."""
    program = gradcli.compile_program("select(w - 1, log(w), w*w)")
    with pytest.raises(Unstageable):
        float_dual_sweep(program, *[[staging.Tape().argument("p0_0", VALUE)]] * 2, staging.Tape())
    assert _same_numbers("select(w - 1, log(w), w*w) + w", {"w": 0.5}, [1.0]) == 0


@settings(deadline=None)
@given(programs(), st.data())
def test_staged_sweeps_give_the_interpreted_numbers(ex, data):
    """Random programs over the whole language at points in their domains (tests/gen.py),
    with random directions, zeros among them."""
    component = st.one_of(st.floats(-3, 3), st.sampled_from([0.0, -0.0, 1.0]))
    v = data.draw(st.lists(component, min_size=len(ex.inputs), max_size=len(ex.inputs)))
    _same_numbers(ex.text, ex.point, v)


# -- the tiers ------------------------------------------------------------------------


def tier_of(program, key):
    return next(t for k, t in tiers._tiers[program].items() if k[0] == key)


def test_a_one_off_call_is_interpreted_and_a_loop_is_staged(monkeypatch):
    program = gradcli.compile_program("x = w*v; y = tanh(x + w); y*sin(v)")
    at = {"w": 0.3, "v": -1.2}
    first = hvp(program, at, {"w": 1.0, "v": 0.5})
    assert tier_of(program, "hvp").staged is None  # one call never stages
    monkeypatch.setattr(tiers, "STAGING_SECONDS_PER_NODE", 0.0)  # staging now pays at once
    second = hvp(program, at, {"w": 1.0, "v": 0.5})
    assert callable(tier_of(program, "hvp").staged)
    third = hvp(program, at, {"w": 1.0, "v": 0.5})  # staged
    for a, b in ((first, second), (first, third)):
        assert bits(a.hvp) == bits(b.hvp) and bits(a.result.value) == bits(b.result.value)
        assert bits(list(a.result.gradient.values())) == bits(list(b.result.gradient.values()))
    for call in (lambda: jvp(program, at, {"v": 2.0}).jvp, lambda: jacobian(program, at, "forward").jacobian,
                 lambda: jacobian(program, at, "reverse").jacobian):
        assert bits(call()) == bits(call()) == bits(call())  # interpreted, then staged twice
    assert {k[0] for k, t in tiers._tiers[program].items() if t.staged} == {
        "hvp", "jvp", "jacobian forward", "jacobian reverse"}


def test_warnings_and_notes_are_the_same_staged(monkeypatch):
    monkeypatch.setattr(tiers, "STAGING_SECONDS_PER_NODE", 0.0)
    program = gradcli.compile_program("abs(w)*log(v) + relu(w)")
    runs = [hvp(program, {"w": 0.0, "v": 0.0}, {"w": 1.0}) for _ in range(3)]
    assert callable(tier_of(program, "hvp").staged)
    assert len({(tuple(map(str, r.warnings)), tuple(r.notes)) for r in runs}) == 1
    assert runs[0].notes and runs[0].warnings


def test_large_programs_and_selects_stay_interpreted(monkeypatch):
    monkeypatch.setattr(tiers, "STAGING_SECONDS_PER_NODE", 0.0)
    monkeypatch.setattr(tiers, "STAGED_NODES", 5)
    big = gradcli.compile_program("sin(w)*cos(w)*w + exp(w)")
    dead = gradcli.compile_program("select(w, w*w, sin(w))")
    for program in (big, dead):
        for _ in range(3):
            hvp(program, {"w": 0.5}, {"w": 1.0})
        assert tier_of(program, "hvp").staged is False


def test_a_rule_planted_in_the_table_is_not_hidden_by_staged_code(monkeypatch):
    """The tier is per row of the op table in use: a test that plants a wrong rule gets it."""
    monkeypatch.setattr(tiers, "STAGING_SECONDS_PER_NODE", 0.0)
    program = gradcli.compile_program("sin(w)*w")
    for _ in range(3):
        good = jvp(program, {"w": 1.0}, {"w": 1.0}).jvp[0]
    monkeypatch.setitem(OPS, "sin", Op("sin", 1, lambda m, y, x: (m.sin(x),)))
    dual_math.forget(FloatMath)
    assert jvp(program, {"w": 1.0}, {"w": 1.0}).jvp[0] == math.sin(1.0) * 1.0 + math.sin(1.0) != good


# -- what is compiled -----------------------------------------------------------------


def test_the_code_holds_invented_names_only(monkeypatch):
    """A program whose names are Python's own: the staged code never holds them, nor any
    string; the names check refuses code that does."""
    seen = []
    real = compile
    monkeypatch.setattr(staging, "compile", lambda source, *a: seen.append(source) or real(source, *a), raising=False)
    text = "__import__ = 2*os; exec = __import__ * sys; lambda_ = exec + open; lambda_ * __builtins__"
    program = gradcli.compile_program(text)
    for _, sweep, kinds in _sweeps(program):
        assert tiers.stage(sweep, [len(program.input_ids)] * len(kinds), kinds) is not None
    source = "\n".join(seen)
    assert seen and not any(word in source for word in ("__import__", "os", "sys", "exec", "lambda", "open", "__builtins__"))
    for bad in ("_1 = 'a'", "_1 = open(p0_0)", "_1 = p0_0.__class__", "_1 = xs"):
        with pytest.raises(Unstageable):
            staging._check_names(bad, {"p0"})
    staging._check_names("_1 = k_sin(p0_0) * 1e-05 if _2 == 0.0 else INF", {"p0", "k_sin", "INF"})


def test_points_runs_get_the_same_records_staged(monkeypatch, tmp_path):
    """`jvp --points` and `jacobian --points` call one program point after point: staged from
    the second point on (threshold 0), every record is the interpreted run's, byte for byte."""
    from gen import run_main

    points = tmp_path / "p.jsonl"
    points.write_text("".join(f'{{"w": {0.3 * k - 1.1!r}, "v": {0.7 - 0.2 * k!r}}}\n' for k in range(12)))
    text = "x = tanh(w*v + w); y = x*sin(v) / (1 + w*w); y, x*w"
    runs, staged, stage = [], [], tiers.stage
    monkeypatch.setattr(tiers, "stage", lambda *a: staged.append(stage(*a)) or staged[-1])
    for threshold in (math.inf, 0.0):
        monkeypatch.setattr(tiers, "STAGING_SECONDS_PER_NODE", threshold)
        runs.append([run_main(args) for args in (
            ["jvp", text, "--dir", "w=1,v=-2", "--points", str(points)],
            ["jacobian", text, "--points", str(points), "--mode", "reverse"],
            ["jacobian", text, "--points", str(points), "--mode", "forward"])])
    assert runs[0] == runs[1] and all(code == 0 and out.count("\n") == 12 for code, out, _ in runs[0])
    assert len(staged) == 3 and all(staged)  # once per command, on its first point


def test_staged_code_is_freed_with_its_program(monkeypatch):
    import gc
    import weakref

    monkeypatch.setattr(tiers, "STAGING_SECONDS_PER_NODE", 0.0)
    program = gradcli.compile_program("sin(w)*exp(w*w)")
    for _ in range(2):
        hvp(program, {"w": 0.5}, {"w": 1.0})
    staged = weakref.ref(tier_of(program, "hvp").staged)
    del program
    gc.collect()
    assert staged() is None


def test_the_real_binary_stages_a_points_run_and_prints_the_interpreted_records(monkeypatch, tmp_path):
    """`python -m gradcli jvp --points` over 2,000 points of a small program: at the default
    threshold (about 3 ms of CPU for its nodes) the run stages after its first points, as
    counted in process, and the real binary's records are the interpreted run's, byte for byte."""
    import subprocess
    import sys

    from gen import run_main

    points = tmp_path / "p.jsonl"
    points.write_text("".join(f'{{"w": {math.sin(k)!r}, "v": {math.cos(3 * k)!r}}}\n' for k in range(2000)))
    args = ["jvp", "x = tanh(w*v + w); y = x*sin(v) / (1 + w*w); y, x*w", "--dir", "w=1,v=-2", "--points", str(points)]
    staged, stage = [], tiers.stage
    monkeypatch.setattr(tiers, "stage", lambda *a: staged.append(stage(*a)) or staged[-1])
    run_main(args)
    assert len(staged) == 1 and staged[0]
    monkeypatch.setattr(tiers, "STAGING_SECONDS_PER_NODE", math.inf)
    code, interpreted, _ = run_main(args)
    real = subprocess.run([sys.executable, "-m", "gradcli", *args], capture_output=True, text=True, timeout=120)
    assert code == real.returncode == 0 and real.stdout == interpreted and interpreted.count("\n") == 2000
