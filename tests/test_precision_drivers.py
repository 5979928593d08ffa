"""--precision beyond eval: random programs against SymPy at 60 digits (value, every partial,
the Jacobian, J·v, the Hessian), every derivative driver through the CLI, and finiteness by
the number type's own test (an mpmath number past float64's range is finite)."""

import json

import pytest
import sympy as sp

from gradcli.core.compiler import compile_program
from gradcli.core.graph import Literal
from gradcli.derived.hessian import hessian
from gradcli.engine.evaluate import evaluate
from gradcli.engine.jacobian import jacobian, jvp
from gradcli.numbers.mp import MpMath
from profiles import seeds

from conftest import run_cli
from symgen import SYMBOLS, example

X = SYMBOLS["x"]
# Every program ends in the constants and the functions whose rules carry constants of their own
TAIL = "r = {last} + pi*erf(x/3) - e*erfc(x/4) + log2(3 + x*x)/log10(5 + x*x)"
TAIL_EXPR = sp.pi * sp.erf(X / 3) - sp.E * sp.erfc(X / 4) + sp.log(3 + X**2, 2) / sp.log(5 + X**2, 10)


def random_program(seed):
    """(text, SymPy expression, point as decimal texts) of a random smooth program."""
    ex = example(seed, ops=6, inputs=2)
    last = ex.text.splitlines()[-1].split(" = ")[0]
    point = {n: repr(v) for n, v in ex.point.items()}
    return ex.text + "\n" + TAIL.format(last=last), ex.expr + TAIL_EXPR, point


def truth(e, point):
    """e at `point` (each decimal text at 80 digits: exact Rationals make evalf of y^x crawl
    through exact powers, 20 s and 1 GB at seed 3659) to 60 digits, real: evalf can leave an
    imaginary part of rounding's size (1e-69 i) where a branch is met on the way, never more."""
    subs = {SYMBOLS[n]: sp.Float(v, 80) for n, v in point.items()}
    # sign's and abs's derivatives (hypot(a, a) is √2·|a|): a DiracDelta is 0 where its
    # argument is not, as at a random program's point
    deltas = e.atoms(sp.DiracDelta)
    assert all(abs(d.args[0].evalf(30, subs=subs)) > 1e-20 for d in deltas), deltas
    value = e.subs({d: 0 for d in deltas}).evalf(60, subs=subs)
    real, imag = value.as_real_imag()
    assert abs(imag) <= sp.Float("1e-55") * max(abs(real), sp.Float("1e-20")), value
    return real


def close(got, want, digits):
    """Within a relative 10^(1-digits); absolute (10^(1-digits) × 1e-20) where the truth is tiny."""
    got, want = sp.Float(str(got), 80), sp.Float(want, 80)
    return abs(got - want) <= sp.Float(10) ** (1 - digits) * max(abs(want), sp.Float("1e-20"))


def literal_point(point):
    return {n: Literal(v) for n, v in point.items()}


@pytest.mark.parametrize("digits", [30, 50])
@pytest.mark.parametrize("seed", seeds(10))
def test_random_programs_value_and_every_partial(seed, digits):
    text, expr, point = random_program(seed)
    program = compile_program(text)
    r = evaluate(program, literal_point(point), m=MpMath(digits, len(program.graph)))
    assert close(r.value, truth(expr, point), digits), (text, r.value)
    for name in program.input_names:
        want = truth(sp.diff(expr, SYMBOLS[name]), point)
        assert close(r.gradient[name], want, digits), (text, name, r.gradient[name], want)


@pytest.mark.parametrize("seed", seeds(5))
def test_random_programs_jacobian_jvp_and_hessian(seed):
    digits = 30
    text, expr, point = random_program(seed)
    program = compile_program(text)
    m, at, names = MpMath(digits, len(program.graph)), literal_point(point), program.input_names
    grad = {n: sp.diff(expr, SYMBOLS[n]) for n in names}
    for got, name in zip(jacobian(program, at, m=m).jacobian[0], names):
        assert close(got, truth(grad[name], point), digits)
    v = {n: Literal(t) for n, t in zip(names, ("0.3", "-1.7"))}
    want = sum(sp.Rational(v[n].text) * grad[n] for n in names)
    assert close(jvp(program, at, v, m).jvp[0], truth(want, point), digits)
    rows = hessian(program, at, m).hessian
    for a, row in zip(names, rows):
        for b, got in zip(names, row):
            assert close(got, truth(sp.diff(grad[a], SYMBOLS[b]), point), digits), (text, a, b)


def json_exact(text):
    return json.loads(text, parse_float=str, parse_int=str)


def sympy_at(e, **point):
    return e.evalf(60, subs={sp.Symbol(n): sp.Rational(v) for n, v in point.items()})


x, y = sp.symbols("x y")


def test_a_second_derivative_float64_cannot_get_right():
    """(1 - cos x)/x² at x = 1e-3: float64's Hessian has lost its digits to cancellation; at
    40 digits it is right to 40, its derivative graph's constants (0.1 - 1, ln 2) included."""
    text, f = "(1 - cos(x))/x^2 + x^0.1 + log2(x)", (1 - sp.cos(x)) / x**2 + x ** sp.Rational(1, 10) + sp.log(x, 2)
    want = sympy_at(sp.diff(f, x, 2), x="1e-3")
    cancelling = json.loads(run_cli("hessian", "--at", "x=1e-3", "-o", "json", "(1 - cos(x))/x^2").stdout)
    exact = sympy_at(sp.diff((1 - sp.cos(x)) / x**2, x, 2), x="1e-3")  # -1/12 + ...
    assert abs(cancelling["hessian"][0][0] - exact) > 1e-4 * abs(exact)  # float64: 4 digits at most
    out = run_cli("hessian", "--precision", "40", "--at", "x=1e-3", "-o", "json", text)
    doc = json_exact(out.stdout)
    assert out.returncode == 0 and close(doc["hessian"][0][0], want, 40)
    assert close(doc["gradient"]["x"], sympy_at(sp.diff(f, x), x="1e-3"), 40)


F = sp.sin(x) * y + sp.pi * x * sp.log(y, 10)
TEXT, AT = "sin(x)*y + pi*x*log10(y)", "x=0.1,y=2.5"
D2 = {"xx": sp.diff(F, x, 2), "xy": sp.diff(F, x, y), "yy": sp.diff(F, y, 2)}


def test_hessian_full_dir_hvp_and_sparse_at_precision():
    full = json_exact(run_cli("hessian", "--precision", "35", "--at", AT, "-o", "json", TEXT).stdout)
    h = full["hessian"]
    for (a, b), key in (((0, 0), "xx"), ((0, 1), "xy"), ((1, 1), "yy")):
        assert close(h[a][b], sympy_at(D2[key], x="0.1", y="2.5"), 35)
    sparse = json_exact(run_cli("hessian", "--precision", "35", "--sparse", "--at", AT, "-o", "json", TEXT).stdout)
    assert all(close(a, b, 35) for ra, rb in zip(sparse["hessian"], h) for a, b in zip(ra, rb))
    # H·v with v = (0.1, 0.3) read as decimals, by --dir and by --hvp
    want = [sympy_at(sp.Rational(1, 10) * D2["xx"] + sp.Rational(3, 10) * D2["xy"], x="0.1", y="2.5"),
            sympy_at(sp.Rational(1, 10) * D2["xy"] + sp.Rational(3, 10) * D2["yy"], x="0.1", y="2.5")]
    for option in (["--dir", "x=0.1,y=0.3"], ["--hvp", "0.1,0.3"]):
        doc = json_exact(run_cli("hessian", "--precision", "35", "--at", AT, *option, "-o", "json", TEXT).stdout)
        assert close(doc["hvp"]["x"], want[0], 35) and close(doc["hvp"]["y"], want[1], 35)


def test_jacobian_jvp_vjp_plain_and_json():
    text = "a = x*0.1; b = exp(y)/e; a, b"
    plain = run_cli("jacobian", "--precision", "25", "--at", "x=3,y=1.5", "-o", "plain", text)
    assert plain.stdout.splitlines()[:3] == ["value[a] 0.3", "value[b] 1.648721270700128146848651", "J[a,x] 0.1"]
    doc = json_exact(run_cli("jacobian", "--precision", "25", "--sparse", "--at", "x=3,y=1.5", "-o", "json", text).stdout)
    assert doc["values"] == ["0.3", "1.648721270700128146848651"] and doc["jacobian"][0] == ["0.1", "0"]
    doc = json_exact(run_cli("jvp", "--precision", "25", "--at", "x=3,y=1.5", "--dir", "x=0.7", "-o", "json", text).stdout)
    assert doc["jvp"] == {"a": "0.07", "b": "0"}
    out = run_cli("vjp", "--precision", "25", "--at", "x=3,y=1.5", "--seed", "a=0.3,b=0.1", "-o", "plain", text)
    assert out.stdout.splitlines()[2:] == ["vjp[x] 0.03", "vjp[y] 0.1648721270700128146848651"]


def test_taylor_plain_and_json():
    out = run_cli("taylor", "--precision", "30", "--at", "x=0.1", "--dir", "x=0.2", "--order", "3", "-o", "plain", "exp(x)*0.3")
    want = [sympy_at(sp.Rational(3, 10) * sp.exp(x) * sp.Rational(1, 5) ** k, x="0.1") for k in range(4)]
    got = [line.split()[1] for line in out.stdout.splitlines()]
    assert all(close(g, w, 30) for g, w in zip(got, want)) and len(got[0].replace(".", "").lstrip("0")) == 30
    doc = json_exact(run_cli("taylor", "--precision", "30", "--at", "x=2", "--dir", "x=1", "--order", "4", "-o", "json", "log2(x)").stdout)
    d4 = sympy_at(sp.diff(sp.log(x, 2), x, 4), x="2")
    assert close(doc["derivatives"][4], d4, 30) and doc["direction"] == {"x": "1"}


def test_past_float64_range_is_finite_not_inf():
    """exp(1000) is about 2e434: finite at --precision, no warning, --strict passes; JSON
    writes it as a number."""
    for args in (["eval"], ["jacobian"], ["jvp", "--dir", "x=1"], ["vjp"], ["hessian"], ["taylor", "--dir", "x=1"]):
        out = run_cli(*args, "--precision", "30", "--strict", "--at", "x=1000", "-o", "json", "exp(x)")
        assert out.returncode == 0 and out.stderr == "", (args, out.stderr)
        assert "1.97007111401704699388887935224e+434" in out.stdout and '"1.97' not in out.stdout, args
    out = run_cli("batch", "--precision", "20", "--strict", "-o", "jsonl", input="exp(x) @ x=1000\n")
    assert out.returncode == 0 and out.stderr == "" and json_exact(out.stdout)["value"] == "1.9700711140170469939e+434"
    # and what is not finite still is
    out = run_cli("jacobian", "--precision", "30", "--strict", "--at", "x=0", "-o", "plain", "log(x)")
    assert out.returncode == 1 and "value[log(x)] -inf" in out.stdout


def test_batch_plain_and_csv_print_digits_not_reprs():
    out = run_cli("batch", "--precision", "20", "-o", "plain", input="x*0.1 @ x=3\n")
    assert out.stdout == "0.3\t0.1\n"
    out = run_cli("batch", "--precision", "20", "-o", "csv", input="x*0.1 @ x=3\n")
    assert out.stdout == "line,value,error,d/dx\n1,0.3,,0.1\n"


def test_points_with_precision_point_by_point(tmp_path):
    """eval, jacobian, jvp and vjp --points at --precision: each point in mpmath, its values
    read as decimals (CSV text, a JSONL number's own text: 1e400 is finite, 0.1 one tenth)."""
    csv_file = tmp_path / "p.csv"
    csv_file.write_text("x,y\n0.1,3\n1e400,2\nabc,1\n")
    out = run_cli("eval", "--precision", "25", "--points", str(csv_file), "-o", "csv", "x*y")
    assert out.returncode == 1 and out.stdout == (
        "line,value,error,d/dx,d/dy\n2,0.3,,3,0.1\n3,2e+400,,2,1e+400\n4,,x: 'abc' is not a number,,\n")
    jsonl = tmp_path / "p.jsonl"
    jsonl.write_text('{"x": 0.1}\n{"x": 12345678901234567890123, "y": "0.7"}\n')
    out = run_cli("eval", "--precision", "30", "--points", str(jsonl), "--at", "y=0.3", "-o", "jsonl", "x*y + pi")
    docs = [json_exact(line) for line in out.stdout.splitlines()]
    assert out.returncode == 0 and docs[0]["value"] == str(sp.N(sp.pi + sp.Rational(3, 100), 30))
    assert docs[1]["gradient"] == {"x": "0.7", "y": "1.2345678901234567890123e+22"}
    assert run_cli("eval", "--precision", "30", "--points", str(jsonl), "--at", "y=0.3", "-o", "plain", "x*y").stdout == (
        "0.03\t0.3\t0.1\n8.6419752308641975230861e+21\t0.7\t1.2345678901234567890123e+22\n")
    for args, key, want in ((["jacobian"], "jacobian", [["0.3", "0.1"]]), (["jvp", "--dir", "x=0.1"], "jvp", {"x*y": "0.03"}),
                            (["vjp"], "vjp", {"x": "0.3", "y": "0.1"})):
        out = run_cli(*args, "--precision", "20", "--points", str(jsonl), "--at", "y=0.3", "x*y")
        assert out.returncode == 0 and json_exact(out.stdout.splitlines()[0])[key] == want, args


def test_points_with_precision_strict_counts_only_what_is_not_finite(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("x\n1000\n0\n")
    out = run_cli("eval", "--precision", "20", "--strict", "--points", str(path), "-o", "jsonl", "exp(x) + log(x)")
    assert out.returncode == 1 and "1 of 2 points failed" in out.stderr


def test_every_number_type_has_its_own_finiteness_test():
    import math

    import numpy as np

    from gradcli.numbers.arrays import NumpyMath
    from gradcli.numbers.dual import Dual, dual_math
    from gradcli.numbers.float64 import FloatMath

    m = MpMath(30)
    big = m.exp(m.number(1000))
    assert m.isfinite(big) and not math.isfinite(big)  # math's test would call it inf
    assert not m.isfinite(m.inf) and not m.isfinite(m.nan)
    assert FloatMath.isfinite(1e308) and not FloatMath.isfinite(math.inf)
    assert NumpyMath.isfinite(np.array([1.0, np.inf])).tolist() == [True, False]
    D = dual_math(m)
    assert D.isfinite(Dual(big, m.one)) and not D.isfinite(Dual(m.one, m.nan))


def test_the_derivative_graph_folds_its_constants_at_precision():
    """d²/dx² x^0.1 = 0.1·(0.1 - 1)·x^(0.1-2): the folded 0.1 - 1 and 0.1 - 2 are literals with
    every working digit of -0.9 and -1.9, not float64's roundings of them."""
    import copy

    from gradcli.derived.diff import gradient_nodes

    program = compile_program("x^0.1")
    m = MpMath(40)
    graph = copy.deepcopy(program.graph)
    (first,) = gradient_nodes(graph, program.output, program.input_ids, m)
    gradient_nodes(graph, first, program.input_ids, m)
    from decimal import Decimal

    texts = [d.text for op, d in zip(graph.op, graph.data) if op == "const" and getattr(d, "text", None)]
    for want in ("0.9", "1.9"):  # float64's 0.1 - 1 is off by 2e-17; these by less than 1e-60
        assert any(abs(abs(Decimal(t)) - Decimal(want)) < Decimal("1e-60") for t in texts), (want, texts)


def test_a_precision_number_type_is_freed_with_its_run():
    """The dual type and the Taylor rules are made per number type and kept on it, so a
    --precision type, made per run (per batch line, per API call), goes when the run does
    (a module-level cache kept every one: 100 KB a call)."""
    import gc
    import weakref

    from gradcli.derived.hessian import hvp
    from gradcli.derived.taylor import taylor

    program = compile_program("sin(x)*y")
    m = MpMath(30, len(program.graph))
    hvp(program, {"x": 1.0, "y": 2.0}, {"x": 1.0}, m)
    taylor(program, {"x": 1.0, "y": 2.0}, {"x": 1.0}, 3, m=m)
    alive = weakref.ref(m)
    del m
    gc.collect()
    assert alive() is None
