"""Several outputs: the last statement `a, b, c`, their names, --of, and eval/batch refusing them."""

import json
from types import SimpleNamespace

import pytest

import gradcli

from conftest import run_cli
from gen import run_main


def invoke(*args, input=""):
    """The CLI in process, through main(): (exit_code, stdout, stderr) as a user sees them."""
    code, out, err = run_main(list(args), input.encode())
    return SimpleNamespace(exit_code=code, stdout=out, stderr=err)


def test_outputs_are_the_items_named_by_name_or_text_without_spaces():
    p = gradcli.compile_program("x = sin(w); y = x*w; x, y, x + y  # three")
    assert p.output_names == ["x", "y", "x+y"]
    assert p.outputs == [p.assigned["x"], p.assigned["y"], p.outputs[2]] and p.output == p.outputs[0]


def test_a_single_output_keeps_its_name_or_text():
    assert gradcli.compile_program("x = w*2").output_names == ["x"]
    assert gradcli.compile_program("sin( w ) * w").output_names == ["sin(w)*w"]


def test_an_item_with_commas_inside_a_call_is_one_item():
    p = gradcli.compile_program("max(w, v), hypot(w, v)\n")
    assert p.output_names == ["max(w,v)", "hypot(w,v)"]


def test_two_equal_names_are_an_error():
    with pytest.raises(gradcli.ProgramError, match="two outputs are both called x"):
        gradcli.compile_program("x = w; x, x")


def test_of_picks_assigned_names_and_refuses_others():
    p = gradcli.compile_program("x = sin(w); y = x*w; y").with_outputs(["y", "x"])
    assert p.output_names == ["y", "x"]
    with pytest.raises(gradcli.UsageError, match=r"--of q: never assigned in the program \(assigned names: x, y\)"):
        p.with_outputs(["q"])


def test_eval_refuses_several_outputs_naming_jacobian():
    r = invoke("eval", "x = sin(w); x, x*w", "--at", "w=1")
    assert r.exit_code == 2 and "jacobian" in r.stderr and "2 outputs (x, x*w)" in r.stderr


def test_a_batch_line_with_several_outputs_is_an_error_record_and_the_batch_goes_on():
    r = invoke("batch", "-o", "jsonl", input="w, 2*w @ w=1\nsin(w) @ w=0\n")
    first, second = (json.loads(line) for line in r.stdout.splitlines())
    assert r.exit_code == 1 and "jacobian" in first["error"] and second["value"] == 0.0


def test_several_outputs_survive_the_compile_cache(tmp_path):
    env = {"GRADCLI_CACHE_DIR": str(tmp_path)}
    for _ in range(2):  # the second run reads the cache entry the first one wrote
        proc = run_cli("jacobian", "x = w*v; x, x + w", "--at", "w=2,v=3", "--json", env=env)
        assert proc.returncode == 0
        assert json.loads(proc.stdout)["outputs"] == ["x", "x+w"]


@pytest.mark.parametrize("command", [["eval", "--at", "w=1"]])  # explain, graph, diff and check take several
def test_single_output_commands_refuse_several_saying_what_to_do(command):
    r = invoke(*command, "x = w*w; x, x*w")
    assert r.exit_code == 2 and "2 outputs (x, x*w)" in r.stderr and "jacobian" in r.stderr


# -- explain, graph and diff take several outputs, and --of as the drivers do ------------------


@pytest.mark.parametrize("command", [["explain", "--at", "w=1"], ["graph", "--at", "w=1", "--backward"], ["diff"]])
def test_explain_graph_and_diff_take_several_outputs_and_of(command):
    both = invoke(command[0], "x = w*w; x, x*w", *command[1:])
    assert both.exit_code == 0 and both.stderr == "" and "x*w" in both.stdout
    one = invoke(command[0], "x = w*w; y = x*w; x, y", *command[1:], "--of", "y")
    assert one.exit_code == 0 and "∂x/∂x" not in one.stdout and "dx_" not in one.stdout  # no sweep for x
    bad = invoke(command[0], "x = w*w; x, x*w", *command[1:], "--of", "q")
    same = invoke("jacobian", "x = w*w; x, x*w", "--at", "w=1", "--of", "q")
    assert bad.exit_code == same.exit_code == 2 and bad.stderr == same.stderr


def test_outputs_that_are_one_node_keep_their_own_names():
    text = invoke("graph", "x = w; y = x; x*y", "--of", "x,y", "--at", "w=1", "--backward", "-o", "dot").stdout
    assert '  n0 [label="w\\n∂x/∂w = 1\\n∂y/∂w = 1", peripheries=2];' in text
    text = invoke("explain", "x = w; y = x; x*y", "--of", "x,y", "--at", "w=1").stdout
    assert "Gradient of x\n  ∂x/∂w = 1\n" in text and "Gradient of y\n  ∂y/∂w = 1\n" in text
