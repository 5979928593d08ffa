"""gradcli jacobian: forward and reverse sweeps over one DAG agree with each other, with the
gradient, and with SymPy; the CLI's formats, --mode, --strict, warnings and notes."""

import json
import math
from types import SimpleNamespace

import pytest
import sympy

import gradcli
from gradcli.engine.jacobian import jacobian
from profiles import seeds

from gen import run_main
from symgen import SYMBOLS, example

PROGRAM = "x = sin(w)*v; y = x*w; x, y, x + y"
AT = {"w": 1.0, "v": 2.0}


def invoke(*args, input=""):
    """The CLI in process, through main(): (exit_code, stdout, stderr) as a user sees them."""
    code, out, err = run_main(list(args), input.encode())
    return SimpleNamespace(exit_code=code, stdout=out, stderr=err)


def close(a, b, rel=1e-12):
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-12)


def several(seed):
    """A random smooth program with two outputs (its last node, and that times x plus y),
    each with its SymPy expression."""
    ex = example(seed, ops=6, inputs=2)
    last = ex.text.splitlines()[-1].split(" = ")[0]
    text = f"{ex.text}\nq = {last}*x + y\n{last}, q"
    return ex, text, [ex.expr, ex.expr * SYMBOLS["x"] + SYMBOLS["y"]]


@pytest.mark.parametrize("seed", seeds(12))
def test_forward_and_reverse_jacobians_agree_with_sympy(seed):
    ex, text, exprs = several(seed)
    program = gradcli.compile_program(text)
    names = program.input_names
    fwd = jacobian(program, ex.point, "forward").jacobian
    rev = jacobian(program, ex.point, "reverse").jacobian
    for k, e in enumerate(exprs):
        for j, name in enumerate(names):
            truth = ex.sympy_at(sympy.diff(e, SYMBOLS[name]))
            assert close(fwd[k][j], truth, 1e-9) and close(rev[k][j], truth, 1e-9)
            assert close(fwd[k][j], rev[k][j], 1e-12)


def test_a_reverse_row_is_the_gradient_bit_for_bit():
    program = gradcli.compile_program("x = sin(w)*v; y = exp(x)/w; x, y")
    rows = jacobian(program, AT, "reverse").jacobian
    for k in range(2):
        grad = gradcli.evaluate(program.single(k), AT).gradient
        assert rows[k] == [grad["w"], grad["v"]]


def test_auto_takes_the_fewer_sweeps():
    program = gradcli.compile_program(PROGRAM)  # 3 outputs, 2 inputs: forward
    assert (jacobian(program, AT).mode, jacobian(program, AT).sweeps) == ("forward", 2)
    tall = gradcli.compile_program("a*b*c, a")  # 2 outputs, 3 inputs: reverse
    assert jacobian(tall, {"a": 1, "b": 2, "c": 3}).mode == "reverse"


def test_select_dead_branch_passes_nothing_in_either_mode():
    program = gradcli.compile_program("s = select(w, log(w), w*w); s, w")
    for mode in ("forward", "reverse"):
        r = jacobian(program, {"w": -1.0}, mode)
        assert r.jacobian == [[-2.0], [1.0]]


def test_json_is_the_contract():
    r = invoke("jacobian", PROGRAM, "--at", "w=1,v=2", "--json")
    doc = json.loads(r.stdout)
    assert r.exit_code == 0
    assert doc["outputs"] == ["x", "y", "x+y"] and doc["inputs"] == ["w", "v"]
    assert doc["values"][0] == 2 * math.sin(1.0) and len(doc["jacobian"]) == 3
    assert doc["jacobian"][0] == [2 * math.cos(1.0), math.sin(1.0)]


def test_plain_csv_and_table():
    plain = invoke("jacobian", "w*v, w", "--at", "w=2,v=3", "-o", "plain").stdout
    assert plain == "value[w*v] 6\nvalue[w] 2\nJ[w*v,w] 3\nJ[w*v,v] 2\nJ[w,w] 1\nJ[w,v] 0\n"
    csv = invoke("jacobian", "w*v, w", "--at", "w=2,v=3", "-o", "csv").stdout
    assert csv == "output,value,w,v\nw*v,6,3,2\nw,2,1,0\n"
    table = invoke("jacobian", "w*v, w", "--at", "w=2,v=3", "-o", "table").stdout
    assert "Jacobian" in table and "w*v" in table


def test_of_picks_the_outputs():
    r = invoke("jacobian", PROGRAM, "--at", "w=1,v=2", "--of", "y", "--json")
    assert json.loads(r.stdout)["outputs"] == ["y"]


def test_a_non_finite_entry_warns_naming_the_node_and_strict_exits_1():
    r = invoke("jacobian", "sqrt(w), w", "--at", "w=0", "--strict")
    assert r.exit_code == 1
    assert "the local partial of sqrt(w) (line 1, column 1)" in r.stderr
    assert "note: sqrt(w) (line 1, column 1): sqrt at 0" in r.stderr
    assert "--strict: not finite: J[sqrt(w), w]" in r.stderr


def test_notes_at_kinks_as_eval_names_them():
    r = invoke("jacobian", "max(w, v), w", "--at", "w=1,v=1")
    assert "a 2-way tie" in r.stderr and "J[max(w,v),w] 0.5" in r.stdout


@pytest.mark.parametrize("args,message", [
    (["--of", "q"], "--of q: never assigned"),
    (["--mode", "sideways"], "Invalid value for '--mode'"),
])
def test_bad_input_is_one_line_exit_2(args, message):
    r = invoke("jacobian", PROGRAM, "--at", "w=1,v=2", *args)
    assert r.exit_code == 2 and message in r.stderr


def test_a_missing_input_value_is_exit_2():
    r = invoke("jacobian", PROGRAM, "--at", "w=1")
    assert r.exit_code == 2 and "v" in r.stderr


def test_python_api():
    r = gradcli.jacobian("x = w*v; x, x + w", {"w": 2, "v": 3})
    assert r.outputs == ["x", "x+w"] and r.jacobian == [[3.0, 2.0], [4.0, 2.0]]


ONE_OP = ["sin(w)", "exp(w)*v", "w/v", "w^v", "atan2(w, v)", "hypot(w, v)", "tanh(w)", "log(w)",
          "sqrt(w)", "cbrt(w)", "sigmoid(w)", "softplus(w)", "erf(w)", "max(w, v)", "asinh(w)", "w*v"]


@pytest.mark.parametrize("text", ONE_OP)
def test_forward_and_reverse_agree_within_4_ulp_on_one_operation(text):
    program = gradcli.compile_program(f"{text}, w")
    for w, v in [(0.3, 1.7), (1.9, 0.4), (0.8, 2.5)]:
        fwd = jacobian(program, {"w": w, "v": v}, "forward").jacobian
        rev = jacobian(program, {"w": w, "v": v}, "reverse").jacobian
        for a, b in zip([x for row in fwd for x in row], [x for row in rev for x in row]):
            assert abs(a - b) <= 4 * math.ulp(max(abs(a), abs(b)))
