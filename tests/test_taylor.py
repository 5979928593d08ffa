"""Taylor mode: every op's recurrence against SymPy to order 8; order 1 is the jvp and order 2
is vᵀHv; the CLI and its bad input."""

import json
import math
from types import SimpleNamespace

import pytest
import sympy as sp

import gradcli
from gradcli.core.ops import OPS
from gradcli.derived.hessian import hessian
from gradcli.derived.taylor import taylor
from gradcli.engine.jacobian import jvp
from gradcli.numbers.mp import MpMath
from gradcli.numbers.taylor import RULES
from profiles import seeds

from gen import run_main
from symgen import example

w, v, t = sp.symbols("w v t", real=True)
CASES = {
    "exp(w)": sp.exp(w), "sin(w)*v": sp.sin(w) * v, "cos(w)": sp.cos(w), "tan(w)": sp.tan(w),
    "w^3": w**3, "(w-2)^3": (w - 2) ** 3, "v^-1.5": v ** sp.Rational(-3, 2), "pow(w, v)": w**v,
    "w/v": w / v, "sqrt(w)": sp.sqrt(w), "cbrt(w)": sp.cbrt(w), "cbrt(-w)": -sp.cbrt(w),
    "log(w)": sp.log(w), "log1p(w)": sp.log(1 + w), "log2(w)": sp.log(w, 2), "log10(w)": sp.log(w, 10),
    "expm1(w)": sp.exp(w) - 1, "sinh(w)": sp.sinh(w), "cosh(w)": sp.cosh(w), "tanh(w)": sp.tanh(w),
    "asin(w/3)": sp.asin(w / 3), "acos(w/3)": sp.acos(w / 3), "atan(w)": sp.atan(w),
    "atan2(w, v)": sp.atan2(w, v), "asinh(w)": sp.asinh(w), "acosh(w+2)": sp.acosh(w + 2),
    "atanh(w/2)": sp.atanh(w / 2), "hypot(w, v)": sp.sqrt(w**2 + v**2), "sigmoid(w)": 1 / (1 + sp.exp(-w)),
    "softplus(w)": sp.log(1 + sp.exp(w)), "erf(w)": sp.erf(w), "erfc(w)": sp.erfc(w),
    "abs(w-1)": 1 - w, "relu(w)": w, "max(w, v)": v, "min(w, v)": w, "select(w, v*v, w)": v * v,
    "sign(w)*v": v, "step(w)+v": 1 + v, "floor(w)+v": v, "ceil(w)*v": v,
}
POINT = {"w": 0.6, "v": 1.7}
DIR = {"w": 1.0, "v": 0.5}


def invoke(*args):
    code, out, err = run_main(list(args))
    return SimpleNamespace(exit_code=code, stdout=out, stderr=err)


def test_every_op_of_the_table_has_a_taylor_rule():
    assert set(RULES) == set(OPS)


@pytest.mark.parametrize("text", list(CASES))
def test_coefficients_to_order_8_agree_with_sympy(text):
    e = CASES[text]
    program = gradcli.compile_program(text)
    direction = {n: DIR[n] for n in program.input_names}
    f = e.subs({w: w + t * sp.Rational(1), v: v + t * sp.Rational(1, 2)}, simultaneous=True)
    exact = {w: sp.Rational(3, 5), v: sp.Rational(17, 10)}
    got = taylor(program, POINT, direction, 8).derivatives
    for k in range(9):
        truth = float(sp.diff(f, t, k).subs(t, 0).subs(exact).evalf(30))
        assert math.isclose(got[k], truth, rel_tol=1e-9, abs_tol=1e-9), (k, got[k], truth)


@pytest.mark.parametrize("seed", seeds(10))
def test_order_1_is_the_jvp_and_order_2_is_vt_h_v(seed):
    ex = example(seed, ops=8, inputs=3)
    program = gradcli.compile_program(ex.text)
    names = program.input_names
    d = {n: 0.3 + 0.4 * k for k, n in enumerate(names)}
    got = taylor(program, ex.point, d, 2).derivatives
    assert got[0] == gradcli.evaluate(program, ex.point).value
    assert math.isclose(got[1], jvp(program, ex.point, d).jvp[0], rel_tol=1e-12, abs_tol=1e-12)
    H = hessian(program, ex.point).hessian
    vhv = [H[a][b] * d[na] * d[nb] for a, na in enumerate(names) for b, nb in enumerate(names)]
    assert abs(got[2] - sum(vhv)) <= 1e-10 * sum(map(abs, vhv)) + 1e-12


def test_json_and_plain():
    r = invoke("taylor", "exp(w)", "--at", "w=0", "--dir", "w=2", "--order", "3", "--json")
    doc = json.loads(r.stdout)
    assert doc["value"] == 1.0 and doc["derivatives"] == [1.0, 2.0, 4.0, 8.0]
    r = invoke("taylor", "w*w", "--at", "w=3", "--dir", "w=1", "-o", "plain")
    assert r.stdout == "d0 9\nd1 6\nd2 2\n"


def test_a_non_finite_coefficient_warns_naming_the_node():
    r = invoke("taylor", "sqrt(w)", "--at", "w=0", "--dir", "w=1", "--strict")
    assert r.exit_code == 1 and "order 1 of sqrt(w) (line 1, column 1) is inf" in r.stderr


@pytest.mark.parametrize("args,message", [
    (["w*v", "--dir", "w=1", "--order", "41"], "--order 41: the order must be 0 to 40"),
    (["w*v", "--dir", "q=1"], "--dir q: not an input of the program (inputs: w, v)"),
    (["w*v"], "--dir is required"),
    (["x = w*v; x, x*w", "--dir", "w=1"], "taylor needs one: pick one with --of NAME"),
])
def test_bad_input_is_one_line_exit_2(args, message):
    r = invoke("taylor", *args, "--at", "w=1,v=2")
    assert r.exit_code == 2 and message in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_python_api():
    assert gradcli.taylor("exp(w)", {"w": 0}, {"w": 1}, 3).derivatives == [1.0, 1.0, 1.0, 1.0]


@pytest.mark.parametrize("text, x", [
    ("tanh(w)", -18.8),  # 1 - y² is 2.2e-16 for the truth 1.9e-16
    ("sigmoid(w)", 30.0),  # y - y² is 0
    ("asin(w)", 0.99999999999),
    ("atanh(w)", 0.99999999999),
    ("acosh(w)", 1.00000000001),
])
def test_far_out_and_near_a_pole_the_coefficients_keep_their_digits(text, x):
    """Each rule's first coefficient is the op table's local partial (eval's digits), and the
    series 1 - x² starts from (1 - x)(1 + x): order 1 to 4 against the same rules at 40 digits."""
    got = taylor(text, {"w": x}, {"w": 1.0}, 4).derivatives
    want = taylor(text, {"w": x}, {"w": 1.0}, 4, m=MpMath(40, 10)).derivatives
    for k in range(1, 5):
        assert abs(got[k] - float(want[k])) <= 1e-9 * abs(float(want[k])), (k, got[k], want[k])
