"""`±` inputs: first order against the `uncertainties` package, second order against closed
forms, Monte Carlo against the analytic figures; bad input is exit 2."""

import json
import math
import random

import pytest
import uncertainties
from click.testing import CliRunner
from uncertainties import umath

from gradcli.cli import cli
from gradcli.io.lines import Uncertain, parse_point

from conftest import run_cli


def run(*args):
    return CliRunner().invoke(cli, list(args))


def record(*args):
    out = run("eval", "-o", "jsonl", *args)
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)


# (program text, the same as a function of uncertainties' numbers)
PROGRAMS = [
    ("sin(x)*y + x/y", lambda x, y: umath.sin(x) * y + x / y),
    ("exp(x*y) - log(y)", lambda x, y: umath.exp(x * y) - umath.log(y)),
    ("sqrt(x^2 + y^2) * atan(y/x)", lambda x, y: umath.sqrt(x**2 + y**2) * umath.atan(y / x)),
    ("a = x*y; b = tanh(a) + cosh(x); a*b - y", lambda x, y: (x * y) * (umath.tanh(x * y) + umath.cosh(x)) - y),
    ("x^y + erf(x)", lambda x, y: x**y + umath.erf(x)),
]


@pytest.mark.parametrize("text, f", PROGRAMS)
def test_first_order_against_uncertainties(text, f):
    rng = random.Random(text)
    for _ in range(5):
        xv, yv = rng.uniform(0.3, 2.0), rng.uniform(0.3, 2.0)
        xs, ys = rng.uniform(0.001, 0.2), rng.uniform(0.001, 0.2)
        rec = record("--at", f"x={xv!r}±{xs!r},y={yv!r}+-{ys!r}", text)
        want = f(uncertainties.ufloat(xv, xs), uncertainties.ufloat(yv, ys))
        assert math.isclose(rec["uncertainty"], want.std_dev, rel_tol=1e-12)
        assert rec["first_order"] == rec["uncertainty"]
        for name in ("x", "y"):
            assert rec["budget"][name]["sensitivity"] == rec["gradient"][name]
        shares = sum(row["share"] for row in rec["budget"].values())
        assert math.isclose(shares, 1.0, rel_tol=1e-12)
        assert math.isclose(rec["budget"]["x"]["contribution"], abs(rec["gradient"]["x"]) * xs, rel_tol=1e-15)


def test_correlations_against_uncertainties():
    r = 0.3
    x, y = uncertainties.correlated_values([1.5, 2.0], [[0.01**2, r * 0.01 * 0.1], [r * 0.01 * 0.1, 0.1**2]])
    want = umath.sin(x) * y
    rec = record("--at", "x=1.5±0.01,y=2±0.1", "--correlation", f"x:y={r}", "sin(x)*y")
    assert math.isclose(rec["uncertainty"], want.std_dev, rel_tol=1e-12)
    assert rec["correlations"] == {"x:y": r}


@pytest.mark.parametrize("text, sx, sy, closed", [
    # Var(xy) = y²σx² + x²σy² + σx²σy² (independent); Var(x²) = 4x²σ² + 2σ⁴; Var(e^x) at second order: e^2x(σ² + 3/2 σ⁴)
    ("x*y", 0.3, 0.4, lambda x, y, sx, sy: y * y * sx * sx + x * x * sy * sy + sx * sx * sy * sy),
    ("x^2 + 0*y", 0.3, 0.4, lambda x, y, sx, sy: 4 * x * x * sx * sx + 2 * sx**4),
    ("exp(x) + 0*y", 0.5, 0.4, lambda x, y, sx, sy: math.exp(2 * x) * (sx * sx + 1.5 * sx**4)),
])
def test_second_order_closed_forms(text, sx, sy, closed):
    x, y = 1.2, 0.7
    rec = record("--at", f"x={x}±{sx},y={y}±{sy}", "--uncertainty", "second-order", text)
    assert math.isclose(rec["second_order"], math.sqrt(closed(x, y, sx, sy)), rel_tol=1e-12)
    assert rec["uncertainty"] == rec["second_order"]


def test_second_order_at_precision_matches_float64():
    rec = record("--precision", "30", "--at", "x=1±0.5", "--uncertainty", "second-order", "exp(x)")
    assert math.isclose(rec["second_order"], math.e * math.sqrt(0.25 + 1.5 * 0.0625), rel_tol=1e-15)


@pytest.mark.parametrize("text, at", [
    ("3*x - 2*y + 0.001*x*y", "x=1±0.1,y=2±0.05"),
    ("sin(x) + y", "x=0.2±0.01,y=1±0.02"),
])
def test_monte_carlo_near_linear_within_five_standard_errors(text, at):
    n = 200_000
    rec = record("--at", at, "--uncertainty", f"mc:{n}", text)
    mc = rec["monte_carlo"]
    assert mc["samples"] == n and mc["seed"] == 0
    sigma = rec["first_order"]
    assert abs(mc["mean"] - rec["value"]) <= 5 * sigma / math.sqrt(n) + 1e-12
    assert abs(mc["sigma"] - sigma) <= 5 * sigma / math.sqrt(2 * (n - 1))
    low, high = mc["interval95"]
    assert low < rec["value"] < high


def test_monte_carlo_is_deterministic_and_seeded():
    a = record("--at", "x=1±0.5", "--uncertainty", "mc:1000", "exp(x)")
    b = record("--at", "x=1±0.5", "--uncertainty", "mc:1000", "exp(x)")
    c = record("--at", "x=1±0.5", "--uncertainty", "mc:1000", "--seed-rng", "7", "exp(x)")
    assert a == b and a["monte_carlo"] != c["monte_carlo"] and c["monte_carlo"]["seed"] == 7


def test_monte_carlo_shows_first_order_understating_a_nonlinear_sigma():
    rec = record("--at", "x=1±0.5", "--uncertainty", "mc:100000", "exp(x)")
    exact = math.sqrt(math.exp(2 + 0.25) * (math.exp(0.25) - 1))  # the lognormal's σ
    assert rec["first_order"] < 0.85 * exact
    assert abs(rec["monte_carlo"]["sigma"] - exact) < 0.02 * exact


def test_monte_carlo_with_correlations():
    rec = record("--at", "x=1±0.1,y=2±0.1", "--correlation", "x:y=-1", "--uncertainty", "mc:1000", "x+y")
    assert rec["first_order"] < 1e-9 and rec["monte_carlo"]["sigma"] < 1e-9


def test_plain_and_csv_carry_the_budget():
    out = run("eval", "-o", "plain", "--at", "x=1±0.1", "x^2")
    assert out.stdout == ("value 1\nd/dx 2\nuncertainty 0.2\nfirst_order 0.2\n"
                          "sensitivity.x 2\ncontribution.x 0.2\nshare.x 1\n")
    out = run("eval", "-o", "csv", "--at", "x=1±0.1", "x^2")
    assert out.stdout.splitlines()[0] == "value,d/dx,uncertainty,first_order,sensitivity.x,contribution.x,share.x"


def test_parse_point_reads_plus_minus():
    point = parse_point(["x=1.5±0.01, y=2+-0.1", "z=3"])
    assert isinstance(point["x"], Uncertain) and point["x"] == 1.5 and point["x"].sigma == 0.01
    assert point["y"].sigma == 0.1 and not hasattr(point["z"], "sigma") and point["z"] == 3.0


@pytest.mark.parametrize("args, said", [
    (["--at", "x=1.5±"], "VALUE±UNCERTAINTY"),
    (["--at", "x=±0.1"], "VALUE±UNCERTAINTY"),
    (["--at", "x=1.5±-0.1"], ">= 0"),
    (["--at", "x=1.5±inf"], ">= 0"),
    (["--at", "x=1.5±nan"], ">= 0"),
    (["--at", "x=1.5±abc"], "not a number"),
    (["--at", "x=1±0.1,y=1±0.1", "--correlation", "x:y=1.5"], "between -1 and 1"),
    (["--at", "x=1±0.1,y=1±0.1", "--correlation", "x:y"], "X:Y=R"),
    (["--at", "x=1±0.1,y=1", "--correlation", "x:y=0.5"], "without an uncertainty"),
    (["--at", "x=1±0.1,y=1±1,z=1±1", "--correlation", "x:y=0.9,y:z=0.9,x:z=-0.9"], "positive semi-definite"),
    (["--at", "x=1±0.1,y=1±1", "--correlation", "x:y=0.5", "--uncertainty", "second-order"], "independent"),
    (["--at", "x=1±0.1", "--uncertainty", "mc:0"], "mc:N"),
    (["--at", "x=1±0.1", "--uncertainty", "mc:abc"], "mc:N"),
    (["--at", "x=1±0.1", "--uncertainty", "third-order"], "mc:N"),
    (["--at", "x=1", "--uncertainty", "mc:10"], "need an input with an uncertainty"),
    (["--at", "x=1±0.1", "--points", "p.csv"], "not --points"),
])
def test_bad_input_is_one_line_exit_2(args, said):
    names = [part.split("=")[0] for part in args[1].split(",")]
    out = run_cli("eval", *args, " + ".join(names))
    assert out.returncode == 2 and said in out.stderr, out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and not out.stdout


def test_batch_refuses_plus_minus_in_a_line_rather_than_dropping_it():
    out = run_cli("batch", "-o", "jsonl", input="x*2 @ x=1±0.1\nx*2 @ x=1\n")
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert out.returncode == 1 and "±" in lines[0]["error"] and lines[1]["value"] == 2
