"""`gradcli check`: the reverse sweep against finite differences. Smooth programs pass, a
wrong rule is caught, and a convention at a kink is explained instead of failing."""

import dataclasses
import json
import subprocess
import sys

import pytest
from conftest import run_cli
from symgen import example

from gradcli import check_gradient
from gradcli.ops import OPS

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
from gradcli.ops import OPS
OPS["tanh"] = dataclasses.replace(OPS["tanh"], partials=lambda m, y, x: (m.sub(1.0, m.mul(y, 2.0)),))
report = gradcli.check_gradient("tanh(w) * w", {"w": 0.5})
print(report.ok)
print([(c.label, c.explanation) for c in report.failures])
"""


def test_a_wrong_rule_is_caught():
    """The README's example, run as written in a fresh interpreter: tanh's rule 1 - 2y."""
    proc = subprocess.run([sys.executable, "-c", README_WRONG_RULE], capture_output=True, text=True, timeout=120)
    assert proc.stdout == "False\n[('d/dw', 'finite differences give 0.8553410237429662, gradcli gives 0.5')]\n"


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
        ("relu(x)", {"x": 0}, "d/dx", "relu at 0: derivative taken as 0: finite differences give 0.5, the convention gives 0"),
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


def test_tolerances_are_used():
    assert check_gradient("sin(w) * exp(w)", {"w": 0.3}).ok
    assert not check_gradient("sin(w) * exp(w)", {"w": 0.3}, rtol=0, atol=0).ok


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
    assert record["ok"] is True and record["checks"][0]["status"] == "convention"


def test_cli_check_catches_a_wrong_rule():
    """The real CLI, with the tanh rule broken in the process before it starts."""
    code = (
        "import dataclasses, sys; from gradcli.ops import OPS; "
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
    assert strict.returncode == 1 and "gradient check failed" in strict.stderr
    missing = run_cli("check", "x*y", "--at", "x=1")
    assert missing.returncode == 2 and "no value for input y" in missing.stderr and "Traceback" not in missing.stderr
    bad = run_cli("check", "x", "--at", "x=1", "--rtol", "-1")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
