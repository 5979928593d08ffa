"""`gradcli check`: the reverse sweep against finite differences. Smooth programs pass, a
wrong rule is caught, and a convention at a kink is explained instead of failing. Several
outputs (the Jacobian) and --dir (J·v, H·v) through the CLI."""

import dataclasses
import json
import subprocess
import sys

import pytest

from gradcli import check_gradient
from gradcli.core.ops import OPS
from gradcli.derived.check_drivers import check_jacobian

from conftest import run_cli
from symgen import example

ROSENBROCK = "(1-x)^2 + 100*(y-x^2)^2"


def wrong_rule(op, partials):
    """The op table with one rule replaced (restored by the caller)."""
    return dataclasses.replace(OPS[op], partials=partials)


@pytest.mark.parametrize("seed", range(60))
def test_smooth_programs_pass(seed):
    ex = example(seed, ops=10, inputs=3 if seed % 2 else 2)
    report = check_gradient(ex.text, ex.point, with_hessian=seed % 3 == 0)
    assert report.ok, [(c.label, c.explanation) for c in report.failures]
    assert all(c.status == "ok" for c in report.comparisons)


README_WRONG_RULE = """
import dataclasses, gradcli
from gradcli.core.ops import OPS
OPS["tanh"] = dataclasses.replace(OPS["tanh"], partials=lambda m, y, x: (m.sub(1.0, m.mul(y, 2.0)),))
report = gradcli.check_gradient("tanh(w) * w", {"w": 0.5})
print(report.ok)
print([(c.label, c.explanation) for c in report.failures])
"""


def test_a_wrong_rule_is_caught():
    """docs/commands.md's example, run as written in a fresh interpreter: tanh's rule 1 - 2y."""
    proc = subprocess.run([sys.executable, "-c", README_WRONG_RULE], capture_output=True, text=True, timeout=120)
    assert proc.stdout == "False\n[('d/dw', 'finite differences give 0.8553410237429684, gradcli gives 0.5')]\n"


def test_a_wrong_second_order_rule_needs_the_hessian_check(monkeypatch):
    """sin(w)·w uses cos only through sin's rule: the gradient is right, the Hessian
    (which differentiates cos(w)) is not."""
    monkeypatch.setitem(OPS, "cos", wrong_rule("cos", lambda m, y, x: (m.sin(x),)))  # sign lost
    assert check_gradient("sin(w) * w", {"w": 1.0}).ok
    report = check_gradient("sin(w) * w", {"w": 1.0}, with_hessian=True)
    assert [c.label for c in report.failures] == ["d2/dw/dw"]


@pytest.mark.parametrize(
    "program, point, label, said",
    [
        (
            "relu(x)",
            {"x": 0},
            "d/dx",
            "relu at 0: derivative taken as 0: finite differences give 0.5, the convention gives 0",
        ),
        ("max(x, y)", {"x": 1, "y": 1}, "d2/dx/dy", "a 2-way tie"),
        ("abs(x) * y", {"x": 0, "y": 2}, "d2/dx/dx", "abs at 0"),
        ("sqrt(x)", {"x": 0}, "d/dx", "finite differences give nan, the convention gives inf"),
    ],
)
def test_a_convention_at_a_kink_is_explained(program, point, label, said):
    report = check_gradient(program, point, with_hessian=True)
    assert report.ok
    (c,) = [c for c in report.comparisons if c.label == label]
    assert c.status == "convention" and said in c.explanation


def test_tolerances_are_used(monkeypatch):
    """Tighter than finite differences can resolve is inconclusive, never a mismatch; a rule
    10 % off is a mismatch at the default tolerances and passes a 20 % one."""
    (c,) = check_gradient("sin(w) * exp(w)", {"w": 0.3}, rtol=0, atol=0).comparisons
    assert c.status == "inconclusive" and "cannot decide" in c.explanation
    monkeypatch.setitem(OPS, "sin", wrong_rule("sin", lambda m, y, x: (m.mul(1.1, m.cos(x)),)))
    assert not check_gradient("sin(w) * exp(w)", {"w": 0.3}).ok
    assert check_gradient("sin(w) * exp(w)", {"w": 0.3}, rtol=0.2).verdict == "ok"


@pytest.mark.parametrize(
    "program, point",
    [("sin(x)", {"x": 1e5}), ("sin(x)", {"x": 1e6}), ("sin(x)", {"x": 1e8}), ("sin(x*y)", {"x": 1000, "y": 1000}),
     ("atan(tan(x))", {"x": -75.32}), ("abs(asin(sin(x)))", {"x": -45488.6}), ("log10(hypot(z, 1))", {"z": -1.5e-4}),
     ("exp(x)", {"x": 700}), ("1/x", {"x": 1e-8}), ("x*y", {"x": 1e8, "y": 1e-8})],
)
def test_steps_follow_the_function_not_the_point(program, point):
    """The function changes on a scale unrelated to |x| (sin at 1e8, a sawtooth, a value
    that rounding makes noisy): the check still confirms the right gradient."""
    report = check_gradient(program, point)
    assert [c.status for c in report.comparisons] == ["ok"] * len(point), report.comparisons


@pytest.mark.parametrize(
    "program, point, status, said",
    [("log(x)", {"x": -1}, "cannot_check", "the value is nan here"),
     ("sqrt(x - 1)", {"x": 0.5}, "cannot_check", "the value is nan here"),
     ("cos(sinh(x))", {"x": 580.0}, "inconclusive", "cannot decide"),
     # the tie conventions make d/dx 1/2 where the function is identically 0
     ("max(x, y) - max(y, x)", {"x": 1, "y": 1}, "ok", None),
     ("min(x, y, x) - min(x, min(x, y, x), min(x, y, x))", {"x": 2.0, "y": 2.0}, "inconclusive", "need not agree")],
)
def test_what_cannot_be_checked_is_not_a_mismatch(program, point, status, said):
    report = check_gradient(program, point)
    assert report.ok
    c = report.comparisons[0]
    assert c.status == status and (said is None or said in c.explanation), c


@pytest.mark.parametrize(
    "program", ["sign(x)", "step(x)", "relu(x)", "cbrt(x)", "sqrt(x)"]
)  # abs'(0) = 0 is central differences' own answer
def test_documented_kinks_are_conventions(program):
    (c,) = check_gradient(program, {"x": 0.0}).comparisons
    assert c.status == "convention", c


def test_far_from_one_scales():
    """Steps relative to |x| near 0 (log at 1e-5) and absolute far from it (1e6 + x)."""
    for program, point in [("log(x)", {"x": 1e-5}), ("1e6 + 3*x", {"x": 1e-8}), ("exp(20*x)", {"x": 1.3})]:
        assert check_gradient(program, point, with_hessian=True).ok


# -- the CLI ---------------------------------------------------------------------------


def test_cli_check_passes():
    proc = run_cli("check", ROSENBROCK, "--at", "x=0.3,y=-0.7", "--hessian")
    assert (proc.returncode, proc.stderr) == (0, "")
    lines = proc.stdout.splitlines()
    assert lines[0] == "partial gradcli finite_differences abs_error rel_error status"
    assert [line.split()[0] for line in lines[1:]] == ["d/dx", "d/dy", "d2/dx/dx", "d2/dx/dy", "d2/dy/dx", "d2/dy/dy"]
    assert all(line.endswith(" ok") for line in lines[1:])


def test_cli_check_explains_relu_at_0():
    proc = run_cli("check", "relu(x)", "--at", "x=0")
    assert proc.returncode == 0
    assert proc.stdout.splitlines()[1] == "d/dx 0 0.5 0.5 1 convention"
    assert "relu at 0: derivative taken as 0: finite differences give 0.5, the convention gives 0" in proc.stderr
    record = json.loads(run_cli("check", "relu(x)", "--at", "x=0", "--json").stdout)
    assert record["ok"] is True and record["verdict"] == "convention" and record["checks"][0]["status"] == "convention"


def test_cli_check_large_arguments_and_domains():
    """The issue's cases: sin at 1e5 and 1e8 and sin(x*y) at 1000 pass; log at -1 cannot be
    checked (exit 0, said on stderr); sign and step at 0 are conventions."""
    for program, at in [("sin(x)", "x=1e5"), ("sin(x)", "x=1e8"), ("sin(x*y)", "x=1000,y=1000")]:
        proc = run_cli("check", program, "--at", at)
        assert proc.returncode == 0 and all(line.endswith(" ok") for line in proc.stdout.splitlines()[1:]), proc.stdout
    proc = run_cli("check", "log(x)", "--at", "x=-1")
    assert proc.returncode == 0 and proc.stdout.splitlines()[1].endswith(" cannot_check")
    assert "note: d/dx: cannot_check: the value is nan here" in proc.stderr and "verdict: cannot_check" in proc.stderr
    record = json.loads(run_cli("check", "log(x)", "--at", "x=-1", "--json").stdout)
    assert record["ok"] is True and record["verdict"] == "cannot_check"
    for program in ("sign(x)", "step(x)"):
        proc = run_cli("check", program, "--at", "x=0")
        assert proc.returncode == 0 and proc.stdout.splitlines()[1].endswith(" convention")
        assert f"{program[:4]} at 0: a jump, derivative taken as 0" in proc.stderr


NOTES = [  # program, point, words of the one note, or None: no note
    ("cbrt(x)", "x=0", "cbrt at 0: derivative +inf"), ("cbrt(x)", "x=1", None),
    ("sign(x)", "x=0", "sign at 0"), ("sign(x)", "x=2", None),
    ("step(x)", "x=0", "step at 0"), ("step(x)", "x=-2", None),
    ("x^0", "x=3", None), ("x^y", "x=3,y=0", None), ("x^0", "x=0", "exponent 0"),
    ("x^y", "x=0,y=0", "exponent 0: the derivative with respect to the base taken as 0; base 0"),
    ("x^y", "x=0,y=2", "base 0"), ("x^y", "x=2,y=2", None), ("x^2", "x=0", None),
    ("hypot(x, y)", "x=0,y=0", "hypot at (0, 0)"), ("hypot(x, y)", "x=0,y=1", None),
    ("abs(x)", "x=0", "abs at 0"), ("abs(x)", "x=-1", None),
    ("relu(x)", "x=0", "relu at 0"), ("relu(x)", "x=1e-300", None),
    ("sqrt(x)", "x=0", "sqrt at 0"), ("sqrt(x)", "x=4", None),
    ("max(x, y)", "x=1,y=1", "2-way tie"), ("min(x, y, 3)", "x=3,y=3", "3-way tie"), ("max(x, y)", "x=1,y=2", None),
    ("abs(y) * x", "x=1,y=1", None), ("relu(2 - 2) * x", "x=1", None),  # a kink on a constant: no path that matters
]


@pytest.mark.parametrize("program, at, words", NOTES, ids=[f"{p}@{a}" for p, a, _ in NOTES])
def test_a_convention_note_appears_exactly_at_a_non_differentiable_point(program, at, words):
    proc = run_cli("eval", program, "--at", at, "-o", "json")
    assert proc.returncode == 0, proc.stderr
    notes = json.loads(proc.stdout)["notes"]
    if words is None:
        assert notes == [] and "note:" not in proc.stderr
    else:
        assert len(notes) == 1 and words in notes[0], notes


def test_cli_check_catches_a_wrong_rule():
    """The real CLI, with the tanh rule broken in the process before it starts."""
    code = (
        "import dataclasses, sys; from gradcli.core.ops import OPS; "
        "OPS['tanh'] = dataclasses.replace(OPS['tanh'], partials=lambda m, y, x: (m.sub(1.0, y),)); "
        "from gradcli.cli import main; main(sys.argv[1:])"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, "check", "tanh(w) * w", "--at", "w=0.5", "-o", "plain"],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[1].endswith(" mismatch")
    assert "gradcli: gradient check failed (rtol 1e-06, atol 1e-08): d/dw: finite differences give" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_cli_check_formats_and_errors():
    table = run_cli("check", "sin(w)*w", "--at", "w=1", "-o", "table")
    assert table.returncode == 0 and "finite" in table.stdout and "ok" in table.stdout
    strict = run_cli("check", "sin(w)*exp(w)", "--at", "w=0.3", "--rtol", "0", "--atol", "0")
    assert strict.returncode == 0 and strict.stdout.splitlines()[1].endswith(" inconclusive")
    assert "note: d/dw: inconclusive: finite differences cannot decide" in strict.stderr
    assert "note: verdict: inconclusive (exit 0" in strict.stderr
    assert (
        "verdict: inconclusive"
        in run_cli("check", "sin(w)*exp(w)", "--at", "w=0.3", "--rtol", "0", "--atol", "0", "-o", "table").stdout
    )
    missing = run_cli("check", "x*y", "--at", "x=1")
    assert missing.returncode == 2 and "no value for input y" in missing.stderr and "Traceback" not in missing.stderr
    bad = run_cli("check", "x", "--at", "x=1", "--rtol", "-1")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


@pytest.mark.parametrize("program, point", [
    ("floor(w)", {"w": 316.22776601683796}),  # steps of 79 span stairs: only small steps see 0
    ("abs(abs(abs(abs(floor(w)))))", {"w": 316.22776601683796}),
    ("ceil(w) * 3", {"w": -1234.5}),
])
def test_a_step_never_spans_the_scale_the_function_changes_on(program, point):
    """Found by the thorough profile: large steps across the stairs of floor agree with each
    other on a slope of about 1; the settled small-step estimates that disagree win."""
    report = check_gradient(program, point)
    assert [c.status for c in report.comparisons] == ["ok"], report.comparisons


@pytest.mark.parametrize("program, point", [
    ("abs(max(w, v))", {"w": 1.0, "v": 1.0000000000000004}),  # found by the thorough profile
    ("min(w, v) * 2", {"w": -3.0, "v": -3.0000000000000004}),
    ("relu(w - 1.000000000001)", {"w": 1.0000000000015}),
])
def test_a_kink_closer_than_any_step_is_inconclusive_not_a_mismatch(program, point):
    """Every difference spans the kink and sees the average of the two pieces' slopes, while
    gradcli is right on the piece the point is on: no step can tell, so no verdict."""
    report = check_gradient(program, point)
    assert report.ok and report.verdict == "inconclusive", [(c.label, c.status) for c in report.comparisons]
    assert all("a kink closer than any finite-difference step" in c.explanation
               for c in report.comparisons if c.status == "inconclusive")


def test_a_wrong_rule_beside_a_kink_the_steps_resolve_is_still_a_mismatch(monkeypatch):
    """The jump test compares gradcli with itself across the smallest step only: a kink
    1e-6 away is resolved by the smaller steps, and a wrong rule there is caught."""
    monkeypatch.setitem(OPS, "sin", wrong_rule("sin", lambda m, y, x: (m.cos(x) * 1.1,)))
    report = check_gradient("sin(max(w, v))", {"w": 1.0, "v": 1.000001})
    assert [c.status for c in report.comparisons] == ["ok", "mismatch"], report.comparisons


# -- several outputs, --jacobian, --dir -------------------------------------------------------

SEVERAL = "x = sin(w)*v; y = x*w; x, y, x + y"


def test_cli_check_of_several_outputs_checks_the_jacobian():
    """No flag needed: several outputs mean every Jacobian entry, labelled as `gradcli
    jacobian` labels them; --jacobian gives the same rows, and on one output its 1×n Jacobian."""
    proc = run_cli("check", SEVERAL, "--at", "w=1,v=2")
    assert (proc.returncode, proc.stderr) == (0, "")
    lines = proc.stdout.splitlines()
    assert lines[0] == "partial gradcli finite_differences abs_error rel_error status"
    assert [line.split()[0] for line in lines[1:]] == ["J[x,w]", "J[x,v]", "J[y,w]", "J[y,v]", "J[x+y,w]", "J[x+y,v]"]
    assert all(line.endswith(" ok") for line in lines[1:])
    assert run_cli("check", SEVERAL, "--at", "w=1,v=2", "--jacobian").stdout == proc.stdout
    one = run_cli("check", "sin(w)*v", "--at", "w=1,v=2", "--jacobian")
    assert [line.split()[0] for line in one.stdout.splitlines()[1:]] == ["J[sin(w)*v,w]", "J[sin(w)*v,v]"]
    record = json.loads(run_cli("check", SEVERAL, "--at", "w=1,v=2", "--json").stdout)
    assert record["outputs"] == ["x", "y", "x+y"] and len(record["values"]) == 3 and "value" not in record
    first = record["checks"][0]
    assert (first["label"], first["kind"], first["output"], first["wrt"]) == ("J[x,w]", "jacobian", "x", ["w"])
    assert "Jacobian check against finite differences" in run_cli("check", SEVERAL, "--at", "w=1,v=2", "-o", "table").stdout


def test_cli_check_along_a_direction():
    """One output: J·v (its directional derivative) and H·v; several: J·v of each."""
    proc = run_cli("check", ROSENBROCK, "--at", "x=0.3,y=-0.7", "--dir", "x=1,y=-0.5")
    assert (proc.returncode, proc.stderr) == (0, "")
    rows = [line.split() for line in proc.stdout.splitlines()[1:]]
    assert [(r[0], r[-1]) for r in rows] == [("jvp[(1-x)^2+100*(y-x^2)^2]", "ok"), ("Hv[x]", "ok"), ("Hv[y]", "ok")]
    assert float(rows[1][1]) == pytest.approx(390 * 1 + -120 * -0.5) and float(rows[2][1]) == pytest.approx(-120 + 200 * -0.5)
    record = json.loads(run_cli("check", SEVERAL, "--at", "w=1,v=2", "--dir", "w=1", "--json").stdout)
    assert record["direction"] == {"w": 1.0, "v": 0.0} and record["outputs"] == ["x", "y", "x+y"]
    assert [c["label"] for c in record["checks"]] == ["jvp[x]", "jvp[y]", "jvp[x+y]"] and record["ok"]
    table = run_cli("check", SEVERAL, "--at", "w=1,v=2", "--dir", "w=1", "-o", "table").stdout
    assert "Check of J·v along --dir against finite differences" in table
    hvp = json.loads(run_cli("check", "x = sin(w)*v; y = x*w; x, y", "--of", "y", "--at", "w=1,v=2", "--dir", "v=1",
                             "--json").stdout)
    assert [c["kind"] for c in hvp["checks"]] == ["jvp", "hvp", "hvp"] and "value" in hvp


def test_cli_check_reference_precision_for_the_jacobian_and_a_direction():
    for extra, labels in [([], ["J[x,w]", "J[x,v]", "J[y,w]", "J[y,v]", "J[x+y,w]", "J[x+y,v]"]),
                          (["--dir", "w=1,v=3"], ["jvp[x]", "jvp[y]", "jvp[x+y]"])]:
        proc = run_cli("check", SEVERAL, "--at", "w=1,v=2", "--reference", "precision", *extra)
        assert proc.returncode == 0 and proc.stdout.splitlines()[0].split()[2] == "precision_50", proc.stderr
        assert [line.split()[0] for line in proc.stdout.splitlines()[1:]] == labels
        assert all(line.endswith(" ok") for line in proc.stdout.splitlines()[1:])
    one = run_cli("check", "exp(w)*v", "--at", "w=1,v=2", "--dir", "w=1", "--reference", "precision", "--json")
    assert [(c["label"], c["status"]) for c in json.loads(one.stdout)["checks"]] == [
        ("jvp[exp(w)*v]", "ok"), ("Hv[w]", "ok"), ("Hv[v]", "ok")]
    refused = run_cli("check", "x*y", "--at", "x=1,y=2", "--hessian", "--reference", "precision")
    assert refused.returncode == 2 and "the gradient, the Jacobian or --dir" in refused.stderr


@pytest.mark.parametrize("args, said", [
    (["--dir", "q=1"], "--dir q: not an input of the program (inputs: w, v)"),
    (["--dir", "w=0"], "--dir needs a finite, nonzero direction"),
    (["--dir", "w=inf"], "--dir needs a finite, nonzero direction"),
    (["--hessian"], "--hessian checks one output's Hessian and the program has 3 outputs (x, y, x+y): pick one with --of"),
    (["--jacobian", "--hessian"], "--hessian, --jacobian and --dir each say what to check"),
    (["--jacobian", "--dir", "w=1"], "--hessian, --jacobian and --dir each say what to check"),
    (["--of", "q"], "--of q: never assigned"),
])
def test_cli_check_usage_errors(args, said):
    proc = run_cli("check", SEVERAL, "--at", "w=1,v=2", *args)
    assert proc.returncode == 2 and said in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


def test_cli_check_catches_a_wrong_rule_in_the_jacobian_and_along_a_direction(monkeypatch):
    """In process, with sin's rule 10 % off: exit 1, the message names the check and the entries."""
    monkeypatch.setitem(OPS, "sin", wrong_rule("sin", lambda m, y, x: (m.mul(1.1, m.cos(x)),)))
    proc = run_cli("check", SEVERAL, "--at", "w=1,v=2")
    assert proc.returncode == 1 and [line.split()[-1] for line in proc.stdout.splitlines()[1:]] == [
        "mismatch", "ok", "mismatch", "ok", "mismatch", "ok"]
    assert "gradcli: Jacobian check failed (rtol 1e-06, atol 1e-08): J[x,w]: finite differences give" in proc.stderr
    along = run_cli("check", SEVERAL, "--at", "w=1,v=2", "--dir", "w=1,v=1")
    assert along.returncode == 1 and "check of J·v along --dir failed" in along.stderr and "jvp[x]:" in along.stderr


def test_a_kink_in_one_output_is_that_outputs_convention():
    """Each output's convention notes are its own (its own reverse sweep's): relu at 0 makes
    J[r,x] a convention, and the other output's entries are plain ok."""
    report = check_jacobian("r = relu(x); s = x*y; r, s", {"x": 0.0, "y": 2.0})
    assert [(c.label, c.status) for c in report.comparisons] == [
        ("J[r,x]", "convention"), ("J[r,y]", "ok"), ("J[s,x]", "ok"), ("J[s,y]", "ok")]
    assert report.comparisons[0].explanation.startswith("r = relu(x) (line 1, column 5): relu at 0")
    assert [c.explanation for c in report.comparisons[1:]] == [None, None, None]


def test_a_kink_inside_the_steps_that_settle_is_inconclusive_not_a_mismatch():
    """Found by the thorough profile: max(v - w, v) at w = 1e-5 bends at w = 0. The steps that
    settle (about 0.1) span the bend and see -0.5; the steps below 1e-5, which would see 0,
    drown in the rounding of v = 1e7. gradcli's 0 is right; no step can say so."""
    report = check_gradient("max(v - w, v)", {"v": 1e7, "w": 1e-5})
    assert [c.status for c in report.comparisons] == ["ok", "inconclusive"], report.comparisons
    assert "the function bends within the step" in report.comparisons[1].explanation


def test_a_noisy_gradient_along_a_direction_is_inconclusive_not_a_mismatch():
    """Found by the thorough profile: acos(abs(cos(w))) at w = 1e-3 has a gradient noisy by
    about 1e-11 (acos near 1), which over steps of 1e-13 fakes an H·v of 23. The noise seen at
    the smallest steps bounds the differences, so gradcli's H·v of about 0 is not called wrong."""
    from gradcli import check_direction

    report = check_direction("abs(acos(abs(cos(w))))", {"w": 0.001}, {"w": 1.0})
    assert report.ok and [c.status for c in report.comparisons][0] == "ok", report.comparisons


@pytest.mark.parametrize("how", ["hessian", "dir"])
def test_a_gradient_whose_rounding_has_a_slope_of_its_own_is_inconclusive(how):
    """Found by the thorough profile: the gradient of acos(cos(w)) at w = 1e-5 is, in float64, a
    sawtooth of slope 1e5 between the stairs of cos(w)'s last digit, and differences finer than
    a stair settle on that slope. The same differences at 30 digits move nothing, so the
    verdict on gradcli's second derivative (0.008, the truth 0) is inconclusive, not mismatch."""
    from gradcli import check_direction

    if how == "hessian":
        report = check_gradient("acos(cos(w))", {"w": 1e-5}, with_hessian=True)
    else:
        report = check_direction("acos(cos(w))", {"w": 1e-5}, {"w": 1.0})
    last = report.comparisons[-1]
    assert report.ok and last.status == "inconclusive" and "rounding makes the differences" in last.explanation, last
    assert abs(last.estimate - 1e5) < 1.0  # what the sawtooth's slope fakes


def test_a_step_function_that_jumps_within_the_smallest_step_is_inconclusive():
    """Found by the thorough profile: floor(exp(w)) at w = 31.6 has stairs 2e-14 apart, so every
    difference spans thousands of jumps and sees exp(w); gradcli's 0 (floor's convention) is
    right between them. The op table marks floor, ceil, sign and step as jumping."""
    report = check_gradient("abs(floor(abs(exp(w))))", {"w": 31.622776601683793})
    assert [c.status for c in report.comparisons] == ["inconclusive"], report.comparisons
    assert "jumps within" in report.comparisons[0].explanation
    stairs = check_gradient("atan(abs(floor(exp(w))))", {"w": 17.78279410038923})  # stairs wider than the smallest step
    assert [c.status for c in stairs.comparisons] == ["inconclusive"], stairs.comparisons
