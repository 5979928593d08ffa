"""--precision DIGITS: mpmath numbers with guard digits, checked against SymPy at 60 digits."""

import json
import math

import pytest
import sympy as sp
from click.testing import CliRunner

from gradcli.cli import cli
from gradcli.core.compiler import compile_program
from gradcli.core.graph import Literal
from gradcli.core.ops import OPS
from gradcli.engine.evaluate import evaluate
from gradcli.io.cache import decode, encode
from gradcli.numbers.float64 import FloatMath
from gradcli.numbers.mp import MpMath

from conftest import run_cli

PROGRAMS = [
    ("sin(x)*y + pi*x", {"x": "0.1", "y": "2.5"}),
    ("exp(x)/e + log(y)", {"x": "1.3", "y": "0.7"}),
    ("log2(x) + log10(y) + x*y", {"x": "3.7", "y": "0.02"}),
    ("erf(x) * erfc(y) + sqrt(x*y)", {"x": "0.4", "y": "1.1"}),
    ("atan(x/y) + tanh(x) * cosh(y) - 0.1", {"x": "2", "y": "0.3"}),
    ("f(t) = sin(t)^2 + t/3; a = f(x); b = f(a*y); a*b + pi^e", {"x": "0.9", "y": "1.7"}),
    ("hypot(x, y) + atan2(y, x) + cbrt(x) + x^y", {"x": "1.25", "y": "0.75"}),
]

SYMPY = {"log2": lambda t: sp.log(t, 2), "log10": lambda t: sp.log(t, 10), "pi": sp.pi, "e": sp.E,
         "erf": sp.erf, "erfc": sp.erfc, "cbrt": lambda t: t ** sp.Rational(1, 3), "hypot": lambda a, b: sp.sqrt(a * a + b * b)}


def sympy_truth(text, point):
    """(value, {name: partial}) of `text` at `point`, by SymPy evaluated at 60 digits."""
    statements = [s.strip() for s in text.split(";")]
    env = dict(SYMPY)
    names = {name: sp.Symbol(name) for name in point}
    env.update(names)
    for s in statements[:-1]:
        left, right = s.split("=", 1)
        if "(" in left:
            fname, param = left.strip().rstrip(")").split("(")
            body = sp.sympify(right.replace("^", "**"), locals={**env, param: sp.Symbol(param)}, rational=True)
            env[fname] = sp.Lambda(sp.Symbol(param), body)
        else:
            env[left.strip()] = sp.sympify(right.replace("^", "**"), locals=env, rational=True)
    expr = sp.sympify(statements[-1].replace("^", "**"), locals=env, rational=True)
    subs = {names[k]: sp.Rational(v) for k, v in point.items()}
    return expr.evalf(60, subs=subs), {k: sp.diff(expr, s).evalf(60, subs=subs) for k, s in names.items()}


def run(*args):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result


def json_exact(text):
    """JSON with every number kept as its text (the digits past float64 must survive)."""
    return json.loads(text, parse_float=str, parse_int=str)


def close(got, want, digits):
    """Within the contract's relative 10^(1-digits) (absolute where the truth is tiny)."""
    got, want = sp.Float(got, 70), sp.Float(want, 70)
    return abs(got - want) <= sp.Float(10) ** (1 - digits) * max(abs(want), sp.Float("1e-30"))


@pytest.mark.parametrize("digits", [30, 50])
@pytest.mark.parametrize("text, point", PROGRAMS)
def test_value_and_every_partial_against_sympy(text, point, digits):
    at = ",".join(f"{k}={v}" for k, v in point.items())
    out = run("eval", "--precision", str(digits), "--at", at, "-o", "json", text)
    assert out.exit_code == 0, out.output
    doc = json_exact(out.stdout)
    value, grad = sympy_truth(text, point)
    assert close(doc["value"], value, digits), (doc["value"], value)
    for name, g in grad.items():
        assert close(doc["gradient"][name], g, digits), (name, doc["gradient"][name], g)
    # every digit printed, as a JSON number: digits - 1 at least past the first
    assert len(doc["value"].replace("-", "").replace(".", "").lstrip("0").split("e")[0]) >= digits - 1


def test_catastrophic_cancellation_is_exact_at_50_digits():
    """(1 - cos x)/x² at x = 1e-8: float64 loses every digit (value 0); 50 digits keep all."""
    text, point = "(1 - cos(x))/x^2", {"x": "1e-8"}
    float64 = json.loads(run("eval", "--at", "x=1e-8", "-o", "jsonl", text).stdout)
    assert float64["value"] == 0.0
    doc = json_exact(run("eval", "--precision", "50", "--at", "x=1e-8", "-o", "jsonl", text).stdout)
    value, grad = sympy_truth(text, point)
    assert close(doc["value"], value, 50) and close(doc["gradient"]["x"], grad["x"], 50)


def test_literals_and_inputs_are_decimals():
    out = run("eval", "--precision", "50", "--at", "x=3", "-o", "plain", "x*0.1")
    assert out.stdout == "value 0.3\nd/dx 0.1\n"
    out = run("eval", "--precision", "50", "--at", "x=0.1", "-o", "plain", "x*3")
    assert out.stdout == "value 0.3\nd/dx 3\n"
    # float64 still reads the float nearest 0.1
    assert run("eval", "--at", "x=3", "-o", "plain", "x*0.1").stdout == "value 0.30000000000000004\nd/dx 0.1\n"


def test_constants_at_precision():
    out = run("eval", "--precision", "60", "-o", "plain", "pi + e + 0*x", "--at", "x=0")
    want = sp.N(sp.pi + sp.E, 60)
    assert close(out.stdout.split()[1], want, 60)


def test_digits_prints_fewer():
    assert run("eval", "--precision", "40", "--digits", "5", "--at", "x=2", "-o", "plain", "sqrt(x)").stdout == (
        "value 1.4142\nd/dx 0.35355\n")


@pytest.mark.parametrize("digits", ["0", "10001", "abc"])
def test_precision_out_of_range_is_a_usage_error(digits):
    code, _, err = run_cli("eval", "--precision", digits, "--at", "x=1", "x")
    assert code == 2 and err.startswith("gradcli: Invalid value for '--precision'") and err.count("\n") == 1
    assert "1<=x<=10000" in err or "not a valid integer" in err


def test_ieee_like_results_and_conventions():
    out = run("eval", "--precision", "20", "--at", "x=0", "-o", "jsonl", "1/x + abs(x)")
    doc = json.loads(out.stdout)
    assert doc["value"] == "inf" and doc["gradient"]["x"] == "-inf"
    assert "abs at 0" in out.stderr and "inf" in out.stderr
    out = run("eval", "--precision", "20", "--at", "x=-8", "-o", "plain", "cbrt(x) + log(x) + sqrt(x)")
    assert out.exit_code == 0 and out.stdout.startswith("value nan")


def test_no_mpmath_exception_reaches_the_user():
    for text in ["exp(exp(exp(x)))", "sin(exp(exp(x)))", "tanh(exp(exp(x)))", "erfc(exp(exp(x)))", "x^exp(exp(x))",
                 "(-x)^exp(exp(x))", "atan2(exp(exp(x))^9, -exp(exp(x)))"]:
        out = CliRunner().invoke(cli, ["eval", "--precision", "30", "--at", "x=1000", "-o", "plain", text])
        assert out.exit_code == 0 and out.exception is None, (text, out.output)


@pytest.mark.parametrize("name", sorted(OPS))
def test_every_kernel_agrees_with_float64_in_kind(name):
    """At ordinary and special values each kernel is float64's to its precision, or the same
    non-finite kind (nan where float64 has nan, ±inf where it has ±inf)."""
    m = MpMath(30)
    values = [0.5, -0.5, 2.0, -8.0, 0.0, 1.0, math.inf, -math.inf, math.nan]
    arity = OPS[name].arity or 2
    for xs in ([a] if arity == 1 else [(a, b) for b in values] for a in values):
        for args in xs:
            args = args if isinstance(args, tuple) else (args,)
            args = args + (1.0,) * (arity - len(args))
            f = getattr(FloatMath, name)(*args)
            r = getattr(m, name)(*map(m.number, args))
            if math.isfinite(f):
                assert abs(float(r) - f) <= 1e-12 * max(1.0, abs(f)), (name, args, f, r)
            else:
                assert str(float(r)) == str(f), (name, args, f, r)


def test_literal_keeps_its_text_through_the_graph_and_the_cache():
    program = compile_program("x*0.10 + 0.1")
    consts = [d for op, d in zip(program.graph.op, program.graph.data) if op == "const"]
    assert len(consts) == 1 and isinstance(consts[0], Literal) and consts[0].text == "0.10"
    back = decode(json.loads(json.dumps(encode(program, "k", program.source))), "k", program.source)
    assert [getattr(d, "text", d) for d in back.graph.data] == [getattr(d, "text", d) for d in program.graph.data]


def test_every_strategy_agrees_at_precision():
    program = compile_program("f(t) = sin(t)*t; a = f(x); b = f(a); c = f(b); c*a")
    m = MpMath(40, len(program.graph))
    point = {"x": Literal("0.3")}
    results = [evaluate(program, point, strategy, m=m) for strategy in ("store", "recompute", "checkpoint")]
    assert len({str(r.gradient["x"]) for r in results}) == 1


def test_batch_and_explain_take_precision():
    out = CliRunner().invoke(
        cli, ["batch", "--precision", "30", "-o", "jsonl"], input="x*0.1 @ x=3\nlog(x) @ x=0.5\n")
    lines = [json_exact(line) for line in out.stdout.splitlines()]
    assert lines[0]["value"] == "0.3" and lines[1]["value"] == "-0.693147180559945309417232121458"
    out = run("explain", "--precision", "30", "--at", "x=0.1", "sin(x)*x")
    assert "0.199333833174630728916370397191" in out.stdout


def test_check_reference_precision_settles_what_differences_cannot():
    from conftest import run_cli

    text = "(1-cos(x))/x^2"
    differences = run_cli("check", "--at", "x=1e-8", "-o", "json", text)
    assert differences.returncode == 0 and json.loads(differences.stdout)["verdict"] == "inconclusive"
    precise = run_cli("check", "--reference", "precision", "--at", "x=1e-8", "-o", "json", text)
    doc = json.loads(precise.stdout)
    assert precise.returncode == 1 and doc["verdict"] == "mismatch"
    assert math.isclose(doc["checks"][0]["precision_50"], -1e-8 / 12, rel_tol=1e-15)
    good = run_cli("check", "--reference", "precision", "--at", "x=2,y=3", "-o", "plain", "sin(x)*y + x/y")
    assert good.returncode == 0 and good.stdout.splitlines()[0].split()[2] == "precision_50"
    assert run_cli("check", "--reference", "precision", "--hessian", "--at", "x=1", "x").returncode == 2
