"""`±` inputs: first order against the `uncertainties` package, second order against closed
forms, Monte Carlo against the analytic figures; bad input is exit 2."""

import json
import math
import random

import pytest
import sympy
import uncertainties
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from uncertainties import umath

import gradcli
from gradcli.cli import cli
from gradcli.io.lines import Uncertain, parse_point
from test_jacobian import several

from conftest import run_cli
from symgen import SYMBOLS, example


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


# -- random programs against the `uncertainties` package (the count follows the hypothesis profile)

UMATH = {name: getattr(umath, name) for name in dir(umath) if not name.startswith("_")}
UMATH["abs"] = lambda v: v if uncertainties.nominal_value(v) >= 0 else -v  # symgen keeps away from 0


def as_uncertain(expr, names):
    """The SymPy expression as a function of `uncertainties` numbers (a constant as its value:
    SymPy writes atan2 of constants as a complex logarithm, which `math` cannot take)."""
    if not expr.free_symbols:
        value = complex(expr.evalf(30)).real
        return lambda *values: value
    return sympy.lambdify([SYMBOLS[n] for n in names], expr, modules=[UMATH, "math"])


def std_dev(y):
    return getattr(y, "std_dev", 0.0)  # a program whose value is a constant has none


def random_inputs(seed, text, point, correlated):
    """The program's inputs (`--at` text, `--correlation` args, `uncertainties` numbers): a
    random σ each, and a correlation of the first two when `correlated`."""
    rng = random.Random(seed)
    names = gradcli.compile_program(text).input_names
    point = {n: point[n] for n in names}
    sigmas = {n: rng.uniform(0.001, 0.1) * max(1.0, abs(point[n])) for n in names}
    r = rng.uniform(-0.9, 0.9) if correlated and len(names) > 1 else None
    cov = [[sigmas[a] * sigmas[b] * (1.0 if a == b else r if r is not None and {a, b} == set(names[:2]) else 0.0)
            for b in names] for a in names]
    values = uncertainties.correlated_values([point[n] for n in names], cov)
    correlation = ["--correlation", f"{names[0]}:{names[1]}={r!r}"] if r is not None else []
    at = ",".join(f"{n}={point[n]!r}±{sigmas[n]!r}" for n in names)
    return at, correlation, dict(zip(names, values))


def close_sigma(got, want, precise=None):
    """gradcli's σ (or covariance) `got` agrees with the `uncertainties` package's `want` to
    1e-9, or, where it does not, to 1e-6 with gradcli's own 30-digit figure (`precise()`)
    closer to gradcli: the package takes tanh' as 1 - tanh², which loses digits near ±1
    (1.5e-7 off at seed 1636, where gradcli is 7e-9 off)."""
    if math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-15):
        return True
    truth = float(precise()) if precise is not None else math.nan
    return abs(got - truth) < abs(want - truth) and math.isclose(got, want, rel_tol=1e-6)


@given(seed=st.integers(0, 2**32 - 1), correlated=st.booleans())
def test_first_order_on_random_programs_against_uncertainties(seed, correlated):
    ex = example(seed, ops=6, inputs=3)
    at, correlation, values = random_inputs(seed, ex.text, ex.point, correlated)
    args = ["--at", at, *correlation, ex.text.replace("\n", "; ")]
    rec = record(*args)
    want = std_dev(as_uncertain(ex.expr, list(values))(*values.values()))
    precise = lambda: record("--precision", "30", *args)["uncertainty"]
    assert close_sigma(rec["uncertainty"], want, precise), (ex.text, rec["uncertainty"], want)


@given(seed=st.integers(0, 2**32 - 1), correlated=st.booleans())
def test_jacobian_sigmas_and_covariance_against_uncertainties(seed, correlated):
    ex, text, exprs = several(seed)
    at, correlation, values = random_inputs(seed, text, ex.point, correlated)
    args = ["jacobian", "-o", "json", "--at", at, *correlation, text.replace("\n", "; ")]
    out = run(*args)
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    ys = [as_uncertain(e, list(values))(*values.values()) for e in exprs]
    zero = 0 * next(iter(values.values()))  # a constant output, as an `uncertainties` number of σ 0
    ys = [y if hasattr(y, "std_dev") else zero + float(y) for y in ys]
    precise = lambda: json.loads(run(*args, "--precision", "30").stdout)
    for name, y in zip(doc["outputs"], ys):
        assert close_sigma(doc["uncertainty"][name], y.std_dev, lambda name=name: precise()["uncertainty"][name])
    for k, (got_row, want_row) in enumerate(zip(doc["covariance"], uncertainties.covariance_matrix(ys), strict=True)):
        for j, (got, want) in enumerate(zip(got_row, want_row, strict=True)):
            assert close_sigma(got, want, lambda k=k, j=j: precise()["covariance"][k][j])


# -- batch lines with ± ------------------------------------------------------------------


def batch(*args, input):
    out = run_cli("batch", *args, input=input)
    return out, out.stdout.splitlines()


def test_a_batch_line_with_plus_minus_carries_evals_budget_keys():
    text, at = "sin(x)*y + x", "x=1.5±0.01,y=2+-0.1"
    for extra in ([], ["--uncertainty", "mc:2000"], ["--correlation", "x:y=0.4"]):
        out, lines = batch("-o", "jsonl", *extra, input=f"{text} @ {at}\nx*2 @ x=1\n")
        assert out.returncode == 0, out.stderr
        line = json.loads(lines[0])
        assert line.pop("line") == 1 and line == record("--at", at, *extra, text)
        assert json.loads(lines[1]) == {"line": 2, "value": 2.0, "gradient": {"x": 2.0}}


def test_batch_at_defaults_with_plus_minus_give_every_line_a_budget():
    out, lines = batch("-o", "jsonl", "--at", "x=2±0.5", input="x^2\n3*x @ x=1\n")
    first, second = map(json.loads, lines)
    assert first["uncertainty"] == 2.0 and "uncertainty" not in second


def test_batch_correlation_pairs_follow_each_lines_inputs():
    out, lines = batch("-o", "jsonl", "--correlation", "x:y=0.5",
                       input="x+y @ x=1±0.1,y=1±0.1\nx*2 @ x=1±0.1\nx+y @ x=1±0.1,y=1\n")
    a, b, c = map(json.loads, lines)
    assert math.isclose(a["uncertainty"], math.sqrt(0.03)) and a["correlations"] == {"x:y": 0.5}
    assert b["uncertainty"] == 0.2 and "correlations" not in b  # y is not an input of line 2
    assert "without an uncertainty" in c["error"] and out.returncode == 1


def test_batch_csv_has_the_uncertainty_columns_where_rows_fit():
    out, lines = batch("-o", "csv", "--wrt", "x", "--wrt", "y",
                       input="x*y @ x=1±0.1,y=2±0.1\nx*3 @ x=1\nx*4 @ x=1±0.5\nx*y+z @ x=1±0.1,y=1±0.1,z=1±0.1\n")
    assert lines[0] == ("line,value,error,d/dx,d/dy,uncertainty,first_order,sensitivity.x,contribution.x,share.x,"
                        "sensitivity.y,contribution.y,share.y")
    assert lines[1] == "1,2,,2,1,0.223606797749979,0.223606797749979,2,0.2,0.8,1,0.1,0.2"
    assert lines[2] == "2,3,,3,0,,,,,,,,"  # no ±: no budget, empty cells
    assert lines[3] == "3,4,,4,0,2,2,4,2,1,,,"  # no ± on y: its cells are empty
    assert lines[4].startswith('4,,"no csv column for sensitivity.z, contribution.z, share.z: the uncertainty columns')
    assert lines[4].count(",") >= lines[0].count(",") and out.returncode == 1
    out, lines = batch("-o", "csv", "--wrt", "x", "--wrt", "y", input="x*3 @ x=1\nx*y @ x=1±0.1,y=1\n")
    assert lines[0] == "line,value,error,d/dx,d/dy"
    assert "no csv column for uncertainty, first_order, sensitivity.x" in lines[2]


def test_batch_plain_and_table_show_the_budget():
    out, lines = batch("-o", "plain", input="x^2 @ x=1±0.1\n")
    assert lines == ["1\t2\t0.2\t0.2\t2\t0.2\t1"]
    out, lines = batch("-o", "table", input="x^2 @ x=1±0.1\n")
    assert "Uncertainty budget" in out.stdout and "first_order" in out.stdout


@pytest.mark.parametrize("args, said", [
    (["--uncertainty", "third-order"], "mc:N"),
    (["--correlation", "x:y=2"], "between -1 and 1"),
])
def test_batch_bad_uncertainty_options_stop_before_the_first_line(args, said):
    out = run_cli("batch", *args, input="x*2 @ x=1±0.1\n")
    assert out.returncode == 2 and said in out.stderr and not out.stdout


@pytest.mark.parametrize("args", [
    ["eval", "--at", "x=1±0.1"],
    ["eval", "--correlation", "x:y=0.1"],
    ["jacobian", "--at", "x=1±0.1"],
    ["jacobian", "--at", "x=1", "--correlation", "x:y=0.1"],
])
def test_plus_minus_with_points_is_exit_2_saying_what_is_accepted(args, tmp_path):
    (tmp_path / "p.csv").write_text("x,y\n1,2\n")
    out = run_cli(*args, "--points", str(tmp_path / "p.csv"), "x*y, x+y" if args[0] == "jacobian" else "x*y")
    assert out.returncode == 2 and "for one point, --at, not --points" in out.stderr and not out.stdout


# -- jacobian with ± ----------------------------------------------------------------------

JAC = "a = sin(w)*v; b = a*w; a, b"


def test_jacobian_json_plain_csv_and_table():
    doc = json.loads(run("jacobian", "-o", "json", "--at", "w=1±0.1,v=2", JAC).stdout)
    c = math.cos(1) * 2 * 0.1, (math.sin(1) + math.cos(1)) * 2 * 0.1  # J's w column times u_w
    assert doc["uncertainty"] == {"a": pytest.approx(abs(c[0]), rel=1e-15), "b": pytest.approx(abs(c[1]), rel=1e-15)}
    assert doc["covariance"] == [[pytest.approx(x * y, rel=1e-15) for y in c] for x in c]
    plain = run("jacobian", "-o", "plain", "--at", "w=1±0.1,v=2", JAC).stdout.splitlines()
    assert plain[-6].startswith("uncertainty[a] ") and plain[-1].startswith("cov[b,b] ")
    csv = run("jacobian", "-o", "csv", "--at", "w=1±0.1,v=2", JAC).stdout.splitlines()
    assert csv[0] == "output,value,w,v,uncertainty,cov[a],cov[b]" and len(csv) == 3
    table = run("jacobian", "-o", "table", "--at", "w=1±0.1,v=2", JAC).stdout
    assert "J Σ Jᵀ" in table and "cov b" in table


def test_jacobian_correlations_and_their_refusals():
    doc = json.loads(run("jacobian", "-o", "json", "--at", "w=1±0.1,v=2±0.2", "--correlation", "w:v=-1", "w - v, v").stdout)
    assert doc["uncertainty"]["w-v"] == pytest.approx(0.3) and doc["correlations"] == {"w:v": -1.0}
    out = run_cli("jacobian", "--at", "w=1,v=2", "--correlation", "w:v=0.5", JAC)
    assert out.returncode == 2 and "needs inputs with an uncertainty" in out.stderr
    out = run_cli("jacobian", "--at", "w=1±0.1,v=2", "--correlation", "w:v=0.5", JAC)
    assert out.returncode == 2 and "v is an input without an uncertainty" in out.stderr


# -- the Python API -----------------------------------------------------------------------


def test_api_values_with_plus_minus_give_the_budget_the_cli_gives():
    rec = record("--at", "w=1.5±0.01,x=2±0.1", "--correlation", "w:x=0.3", "sin(w)*x")
    for x in ("2±0.1", "2+-0.1", gradcli.Uncertain(2, 0.1), gradcli.Uncertain("2", "0.1")):
        r = gradcli.evaluate("sin(w)*x", w="1.5±0.01", x=x, correlations={("w", "x"): 0.3})
        assert r.budget.uncertainty == rec["uncertainty"] and r.gradient == rec["gradient"]
        assert [row.share for row in r.budget.rows] == [rec["budget"][n]["share"] for n in ("w", "x")]
    assert gradcli.evaluate("sin(w)*x", w=1.5, x=2).budget is None


def test_api_methods_match_the_cli():
    for method in ("second-order", "mc:5000"):
        rec = record("--at", "x=1±0.5", "--uncertainty", method, "--seed-rng", "3", "exp(x)")
        b = gradcli.evaluate("exp(x)", x="1±0.5", uncertainty=method, seed=3).budget
        assert b.uncertainty == rec["uncertainty"] and b.first_order == rec["first_order"]


def test_api_precision_matches_the_cli_and_float_runs_skip_mpmath():
    import subprocess
    import sys

    from gradcli.numbers.text import format_number

    r = gradcli.evaluate("(1 + x) - 1 + x/3", x="0.1", precision=40)
    plain = run("eval", "-o", "plain", "--precision", "40", "--at", "x=0.1", "(1 + x) - 1 + x/3").stdout
    assert f"value {format_number(r.value)}\n" == plain.splitlines(keepends=True)[0]
    assert format_number(r.value) == "0.1333333333333333333333333333333333333333"
    code = "import gradcli, sys; gradcli.evaluate('x*2', x='1±0.1'); print('mpmath' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout == "False\n"


def test_api_jacobian_covariance_matches_the_cli():
    doc = json.loads(run("jacobian", "-o", "json", "--at", "w=1±0.1,v=2±0.2", "--correlation", "w:v=0.5", JAC).stdout)
    j = gradcli.jacobian(JAC, {"w": "1±0.1", "v": gradcli.Uncertain(2, 0.2)}, correlations={("w", "v"): 0.5})
    assert j.covariance.matrix == doc["covariance"] and j.covariance.sigmas == list(doc["uncertainty"].values())
    assert gradcli.jacobian(JAC, {"w": 1, "v": 2}).covariance is None


@pytest.mark.parametrize("call, said", [
    (lambda: gradcli.evaluate("x^2", x=1, precision=0), "whole number of digits"),
    (lambda: gradcli.evaluate("x^2", x="1±-1"), "finite number >= 0"),
    (lambda: gradcli.evaluate("x^2", x=gradcli.Uncertain(1, math.inf)), "finite number >= 0"),
    (lambda: gradcli.evaluate("x^2", x="abc"), "not a number"),
    (lambda: gradcli.evaluate("x^2", x=1, uncertainty="mc:10"), "need an input with an uncertainty"),
    (lambda: gradcli.evaluate("x^2", x="1±0.1", uncertainty="third-order"), "mc:N"),
    (lambda: gradcli.evaluate("x^2", x="1±0.1", uncertainty=2), "mc:N"),
    (lambda: gradcli.evaluate("x+y", x="1±0.1", y="1±0.1", correlations={("x", "y"): "0.5"}), "between -1 and 1"),
    (lambda: gradcli.jvp("x^2", {"x": 1}, {"x": 1}, precision=0), "whole number of digits"),
    (lambda: gradcli.vjp("x^2", {"x": 1}, correlations={("x", "y"): 0.1}), "not gradcli.vjp"),
])
def test_api_refusals_are_usage_errors(call, said):
    with pytest.raises(gradcli.UsageError, match=said):
        call()


def test_uncertain_pickles_and_reads_like_its_value():
    import pickle

    u = pickle.loads(pickle.dumps(gradcli.Uncertain("0.1", 0.01)))
    assert u == 0.1 and u.text == "0.1" and u.sigma == 0.01 and repr(u) == "Uncertain(0.1, 0.01)"
