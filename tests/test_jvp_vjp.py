"""jvp (one tangent sweep) equals J·v, vjp (one adjoint sweep) equals u·J; the CLI's JSON and
its bad input."""

import json
import math
from types import SimpleNamespace

import pytest

import gradcli
from gradcli.engine.jacobian import jacobian, jvp, vjp
from profiles import seeds
from test_jacobian import several

from gen import run_main

PROGRAM = "x = sin(w)*v; y = x*w; x, y, x + y"


def invoke(*args, input=""):
    """The CLI in process, through main(): (exit_code, stdout, stderr) as a user sees them."""
    code, out, err = run_main(list(args), input.encode())
    return SimpleNamespace(exit_code=code, stdout=out, stderr=err)


@pytest.mark.parametrize("seed", seeds(10))
def test_jvp_is_j_times_v_and_vjp_is_u_times_j(seed):
    ex, text, _ = several(seed)
    program = gradcli.compile_program(text)
    names, outs = program.input_names, program.output_names
    J = jacobian(program, ex.point).jacobian
    v = {n: 0.5 + k for k, n in enumerate(names)}
    u = {o: 1.5 - k for k, o in enumerate(outs)}
    jv = jvp(program, ex.point, v).jvp
    uj = vjp(program, ex.point, u).vjp
    for k in range(len(outs)):
        want = sum(J[k][j] * v[n] for j, n in enumerate(names))
        assert math.isclose(jv[k], want, rel_tol=1e-12, abs_tol=1e-12)
    for j in range(len(names)):
        want = sum(u[o] * J[k][j] for k, o in enumerate(outs))
        assert math.isclose(uj[j], want, rel_tol=1e-12, abs_tol=1e-12)


def test_vjp_of_one_output_is_the_gradient_bit_for_bit():
    program = gradcli.compile_program("z = exp(sin(w)*v)/w")
    at = {"w": 0.7, "v": -1.3}
    assert vjp(program, at).vjp == list(gradcli.evaluate(program, at).gradient.values())


def test_jvp_json():
    r = invoke("jvp", PROGRAM, "--at", "w=1,v=2", "--dir", "w=1", "--json")
    doc = json.loads(r.stdout)
    assert r.exit_code == 0 and doc["outputs"] == ["x", "y", "x+y"]
    assert doc["jvp"] == {"x": 2 * math.cos(1.0), "y": doc["jvp"]["y"], "x+y": doc["jvp"]["x+y"]}
    assert list(doc) == ["outputs", "values", "jvp", "warnings", "notes"]


def test_vjp_json():
    r = invoke("vjp", PROGRAM, "--at", "w=1,v=2", "--seed", "y=1", "--json")
    doc = json.loads(r.stdout)
    assert r.exit_code == 0 and list(doc["vjp"]) == ["w", "v"]
    assert doc["vjp"]["v"] == math.sin(1.0)


def test_vjp_seeds_an_unnamed_output_by_its_text():
    """An output that is not a bare name is called by its text, spaces removed, and --seed
    takes that name (a comma inside its parentheses is the name's)."""
    r = invoke("vjp", "w, w*w, max(w,v)", "--at", "w=2,v=1", "--seed", "w * w=1,max(w, v)=2", "-o", "plain")
    assert r.exit_code == 0 and r.stdout.endswith("vjp[w] 6\nvjp[v] 0\n")
    r = invoke("vjp", "w, w*w", "--at", "w=2", "--seed", "w+w=1")
    assert r.exit_code == 2 and "--seed w+w: not an output of the program (outputs: w, w*w)" in r.stderr


def test_vjp_seed_defaults_to_one_with_one_output():
    r = invoke("vjp", "w*v", "--at", "w=2,v=3", "-o", "plain")
    assert r.stdout == "value[w*v] 6\nvjp[w] 3\nvjp[v] 2\n"


@pytest.mark.parametrize("args,message", [
    (["jvp", "--dir", "q=1"], "--dir q: not an input of the program (inputs: w, v)"),
    (["jvp"], "--dir is required"),
    (["vjp"], "--seed is needed with several outputs"),
    (["vjp", "--seed", "w=1"], "--seed w: not an output of the program (outputs: x, y, x+y)"),
    (["jvp", "--dir", "w"], "--dir 'w': expected NAME=VALUE"),
])
def test_bad_input_is_one_line_exit_2(args, message):
    r = invoke(args[0], PROGRAM, "--at", "w=1,v=2", *args[1:])
    assert r.exit_code == 2 and message in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_python_api():
    assert gradcli.jvp("w*v", {"w": 2, "v": 3}, {"v": 1}).jvp == [2.0]
    assert gradcli.vjp("w*v, w", {"w": 2, "v": 3}, {"w*v": 1, "w": 2}).vjp == [5.0, 2.0]


def test_points_give_a_record_per_point_and_an_error_record_for_a_bad_row(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("w,v\n1,2\n0,x\n3,4\n")
    for command, extra, key in [("jacobian", [], "jacobian"), ("jvp", ["--dir", "w=1"], "jvp"), ("vjp", ["--seed", "x=1"], "vjp")]:
        r = invoke(command, "x = w*v; x, x + w", "--points", str(path), *extra)
        records = [json.loads(line) for line in r.stdout.splitlines()]
        assert r.exit_code == 1 and [rec["line"] for rec in records] == [2, 3, 4]
        assert key in records[0] and "not a number" in records[1]["error"] and key in records[2]


def test_points_from_json_lines_over_at_defaults():
    code, out, _ = run_main(["jvp", "w*v", "--points", "-", "--dir", "w=1", "--at", "v=2"], b'{"w": 1}\n{"w": 0, "v": 5}\n')
    assert code == 0 and [json.loads(line)["jvp"] for line in out.splitlines()] == [{"w*v": 2.0}, {"w*v": 5.0}]


def test_points_refuse_other_formats():
    r = invoke("jacobian", "w", "--points", "-", "-o", "csv")
    assert r.exit_code == 2 and "leave out -o" in r.stderr


@pytest.mark.parametrize("command,names", [("jvp", ["--dir", "q=1,w=1"]), ("vjp", ["--seed", "c=1,x=1"])])
def test_a_direction_or_seed_name_the_program_lacks_is_ignored_under_points_as_at_is(tmp_path, command, names):
    """Exit 2 for one program (test_bad_input_is_one_line_exit_2); under --points, as eval
    --points does with an --at name that is not an input: ignored, no warning."""
    path = tmp_path / "p.csv"
    path.write_text("w,v\n1,2\n3,4\n")
    r = invoke(command, "x = w*v; x, x + w", "--points", str(path), *names)
    alone = invoke(command, "x = w*v; x, x + w", "--points", str(path), names[0], names[1].split(",")[1])
    assert (r.exit_code, r.stdout, r.stderr) == (0, alone.stdout, "") and alone.exit_code == 0
    assert invoke("eval", "w*v", "--at", "q=1", "--points", str(path)).stderr == ""
    one = invoke(command, "x = w*v; x, x + w", "--at", "w=1,v=2", *names)
    assert one.exit_code == 2 and "not an" in one.stderr


def test_only_unknown_names_under_points_leave_a_zero_direction():
    r = invoke("jvp", "w*v", "--points", "-", "--dir", "q=1", input='{"w": 1, "v": 2}\n')
    assert r.exit_code == 0 and json.loads(r.stdout)["jvp"] == {"w*v": 0.0}


def test_points_failures_end_the_run_as_eval_points_does(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("w,v\n1,2\n0,x\n1e308,1e308\n")
    for strict, failed in [([], 1), (["--strict"], 2)]:
        r = invoke("jacobian", "x = w*v; x, x + w", "--points", str(path), *strict)
        assert r.exit_code == 1 and r.stderr == f"gradcli: {failed} of 3 points failed\n"
        assert ("failed" in json.loads(r.stdout.splitlines()[2])) == bool(strict)
    e = invoke("eval", "w*v", "--points", str(path), "--strict", "-o", "jsonl")
    assert e.stderr == "gradcli: 2 of 3 points failed\n"


def test_a_json_lines_row_that_is_not_an_object_is_an_error_record_not_a_header():
    r = invoke("vjp", "w*v", "--points", "-", "--at", "v=2", input='{"w": 1}\nnope\n{"w": 3}\n')
    records = [json.loads(line) for line in r.stdout.splitlines()]
    assert r.exit_code == 1 and [rec["line"] for rec in records] == [1, 2, 3]
    assert records[1] == {"line": 2, "error": "not a JSON object"}


def test_vjp_points_of_several_outputs_without_seed_is_exit_2_before_any_point(tmp_path):
    """The weights are needed whatever the point: one usage error, not an error record per point."""
    points = tmp_path / "p.csv"
    points.write_text("w,v\n1,2\n3,4\n")
    r = invoke("vjp", PROGRAM, "--points", str(points))
    assert (r.exit_code, r.stdout) == (2, "") and "--seed is needed with several outputs" in r.stderr
    ok = invoke("vjp", PROGRAM, "--points", str(points), "--seed", "y=1")
    assert ok.exit_code == 0 and len(ok.stdout.splitlines()) == 2
