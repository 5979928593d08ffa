"""`gradcli explain`: the reverse sweep written out in Algorithm 6.2's order."""

import json

import gradcli
from gradcli.derived.explain import explain as build
from gradcli.render import explain

from conftest import run_cli

BOOK = "f(t) = sin(t); x = f(w); y = f(x); z = f(y)"


def steps(source, **point):
    return build(gradcli.compile_program(source), point)


def test_book_example_steps_as_data():
    ex = steps(BOOK, w=1.0)
    labels = ex.result.program.graph.labels()
    assert [labels[s.node] for s in ex.steps] == ["z", "y", "x", "w"]  # from the output down
    assert [[labels[t.child] for t in s.terms] for s in ex.steps] == [[], ["z"], ["y"], ["x"]]
    x = ex.steps[2]
    (term,) = x.terms
    assert term.partial == 0.6663667453928805  # ∂y/∂x = cos(x)
    assert term.contribution == ex.result.adjoints[x.node] == 0.4895560643054356
    assert ex.unreached == []


def test_book_example_reads_like_the_book():
    text = explain.plain(steps(BOOK, w=1.0))
    assert "  ∂z/∂x = ∂z/∂y · ∂y/∂x = 0.7347 × 0.6664 = 0.4896\n" in text
    assert "  ∂z/∂y = ∂z/∂z · ∂z/∂y = 1 × 0.7347 = 0.7347\n" in text
    assert "  x = sin(w) = 0.8415\n" in text
    assert text.rstrip().endswith("∂z/∂w = 0.26450827039595814")


def test_a_shared_node_gets_one_contribution_per_edge():
    ex = steps("b = a + a", a=3.0)
    (out, a) = ex.steps
    assert [(t.slot, t.partial, t.contribution) for t in a.terms] == [(0, 1.0, 1.0), (1, 1.0, 1.0)]
    text = explain.plain(ex)
    assert "∂b/∂a = ∂b/∂b · ∂b/∂a (argument 1) + ∂b/∂b · ∂b/∂a (argument 2) = 1 × 1 + 1 × 1 = 2" in text
    assert "a is used 2 times by b" in text


def assert_sums_are_adjoints(ex):
    """Each step's terms, added in the order listed, give its node's adjoint exactly."""
    for s in ex.steps[1:]:
        total = 0.0
        for t in s.terms:
            total += t.contribution
        assert total == ex.result.adjoints[s.node]


def test_the_printed_sum_is_the_adjoint_exactly():
    # Terms are listed in the order the reverse sweep added them, so their sum is the adjoint.
    assert_sums_are_adjoints(steps("x = sin(w); y = x*x + x + cos(x)*x; z = y^2", w=0.7))


def test_an_input_the_output_does_not_use():
    text = explain.plain(steps("q = sin(v); z = w*2", v=1.0, w=1.0))
    assert "z does not depend on v" in text and "∂z/∂v = 0" in text


def test_long_graphs_are_elided_and_all_shows_everything():
    chain = "x0 = w\n" + "".join(f"x{j} = sin(x{j - 1})\n" for j in range(1, 101))
    ex = steps(chain, w=0.5)
    short = explain.plain(ex)
    assert "81 steps skipped (--all shows every one)" in short and "81 nodes skipped" in short
    assert len(short.splitlines()) < 60
    full = explain.plain(ex, max_steps=None, max_terms=None)
    assert "skipped" not in full
    assert sum(line.startswith("  ∂x100/∂") for line in full.splitlines()) == 101 + 1  # steps, gradient


def test_many_terms_in_one_sum_are_elided():
    text = explain.plain(steps("max(" + ", ".join(f"x*{k}" for k in range(1, 21)) + ") + x", x=1.0))
    assert "(15 more terms)" in text or "(16 more terms)" in text


def test_cli_plain_in_a_pipe_and_json():
    p = run_cli("explain", BOOK, "--at", "w=1")
    assert p.returncode == 0 and p.stderr == ""
    assert "∂z/∂x = ∂z/∂y · ∂y/∂x = 0.7347 × 0.6664 = 0.4896" in p.stdout
    assert "\x1b[" not in p.stdout  # no colour codes when piped
    p = run_cli("explain", BOOK, "--at", "w=1", "--json")
    data = json.loads(p.stdout)
    assert [s["node"] for s in data["steps"]] == ["z", "y", "x", "w"]
    assert data["gradient"] == {"w": 0.26450827039595814}


def test_cli_colour_when_asked():
    p = run_cli("explain", "b = a + a", "--at", "a=3", "--color")
    assert p.returncode == 0 and "\x1b[" in p.stdout and "argument 2" in p.stdout


def test_cli_errors_are_messages():
    p = run_cli("explain", BOOK)
    assert p.returncode == 2 and "no value for input w" in p.stderr and "Traceback" not in p.stderr
    p = run_cli("explain", "sin(", "--at", "w=1")
    assert p.returncode == 2 and "Traceback" not in p.stderr
    p = run_cli("explain", "log(x)", "--at", "x=-1")
    assert p.returncode == 0 and "warning: log(x)" in p.stderr


# -- several outputs: the forward sweep once, a reverse sweep per output -----------------

SEVERAL = "x = sin(w)*v; y = x*w; x, y, x + y"


def test_several_outputs_sweep_forward_once_and_back_once_per_output(monkeypatch):
    from gradcli.engine import evaluate as engine
    from gradcli.engine.forward import Forward

    runs, backs = [], []
    monkeypatch.setattr(Forward, "run", lambda self, *a, _run=Forward.run: runs.append(1) or _run(self, *a))
    monkeypatch.setattr(engine, "reverse", lambda *a, _rev=engine.reverse, **k: backs.append(1) or _rev(*a, **k))
    ex = steps(SEVERAL, w=1.0, v=2.0)
    assert len(runs) == 1  # the forward sweep, once for all three outputs
    assert len(ex.parts) == 3 and len(backs) == 3 + 2  # outputs 2 and 3: a gradient sweep each; all: a full one
    jac = gradcli.compile_program(SEVERAL)
    from gradcli.engine.jacobian import jacobian

    rows = jacobian(jac, {"w": 1.0, "v": 2.0}, "reverse").jacobian
    assert [list(part.result.gradient.values()) for part in ex.parts] == rows  # bit for bit
    for part in ex.parts:  # each sweep's sums are its adjoints exactly
        assert_sums_are_adjoints(part)


def test_several_outputs_read_as_one_forward_sweep_then_a_sweep_per_output():
    text = explain.plain(steps(SEVERAL, w=1.0, v=2.0))
    assert text.count("Forward sweep") == 1 and text.count("  x = sin(w) * v = 1.683\n") == 1
    assert "3 outputs (x, y, x+y): one reverse sweep each" in text
    heads = [line for line in text.splitlines() if line.startswith(("Reverse sweep", "Gradient"))]
    assert [h.split(" (")[0] for h in heads] == [
        "Reverse sweep for x", "Gradient of x", "Reverse sweep for y", "Gradient of y",
        "Reverse sweep for x+y", "Gradient of x+y"]
    assert "  ∂x/∂y = 0  (not on a path to the output)\n" in text  # y comes after x: x does not depend on it
    assert "  ∂(x + y)/∂x = ∂(x + y)/∂(x + y) · ∂(x + y)/∂x + ∂(x + y)/∂y · ∂y/∂x = 1 × 1 + 1 × 1 = 2\n" in text
    assert text.rstrip().endswith("∂(x + y)/∂v = 1.682941969615793")


def test_cli_several_outputs_and_of():
    p = run_cli("explain", SEVERAL, "--at", "w=1,v=2")
    assert p.returncode == 0 and p.stderr == "" and p.stdout.count("Reverse sweep for") == 3
    picked = run_cli("explain", SEVERAL, "--at", "w=1,v=2", "--of", "y, x").stdout
    assert [line.split(" (")[0] for line in picked.splitlines() if line.startswith("Reverse")] == [
        "Reverse sweep for y", "Reverse sweep for x"]
    one = run_cli("explain", SEVERAL, "--at", "w=1,v=2", "--of", "y").stdout
    assert "Reverse sweep (Algorithm 6.2)" in one and "\nGradient\n  ∂y/∂w = 2.7635465813520725\n" in one
    assert json.loads(run_cli("explain", SEVERAL, "--at", "w=1,v=2", "--of", "y", "--json").stdout)["output"] == "y"
    bad = run_cli("explain", SEVERAL, "--at", "w=1", "--of", "q")
    assert bad.returncode == 2 and "--of q: never assigned" in bad.stderr


def test_cli_several_outputs_json_keys_adjoints_by_output():
    doc = json.loads(run_cli("explain", SEVERAL, "--at", "w=1,v=2", "--json").stdout)
    assert list(doc) == ["outputs", "at", "values", "forward", "sweeps", "warnings", "notes"]
    assert doc["outputs"] == ["x", "y", "x+y"] and [s["output"] for s in doc["sweeps"]] == doc["outputs"]
    w = doc["forward"][0]
    assert w["node"] == "w" and list(w["adjoints"]) == ["x", "y", "x+y"]
    for sweep in doc["sweeps"]:
        by_id = {s["id"]: s["adjoint"] for s in sweep["steps"]}
        assert all(node["adjoints"][sweep["output"]] == by_id[node["id"]] for node in doc["forward"])
        assert sweep["gradient"]["w"] == w["adjoints"][sweep["output"]]
    assert doc["values"][2] == doc["values"][0] + doc["values"][1]


def test_several_outputs_say_each_warning_once():
    p = run_cli("explain", "a = log(w); a, a*w", "--at", "w=-1")
    assert p.returncode == 0 and p.stderr.count("warning: a = log(w)") == 1
