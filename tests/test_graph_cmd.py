"""`gradcli graph`: G and B as DOT, Mermaid and a rich tree."""

import subprocess

import pytest

import gradcli
from gradcli.render import drawing

from conftest import require, run_cli

BOOK = "f(t) = sin(t); x = f(w); y = f(x); z = f(y)"
SHARED = "x = sin(w); y = x*x + x + v*2; z = y^2"


def picture(source, point=None, backward=False):
    program = gradcli.compile_program(source)
    result = gradcli.evaluate(program, point) if point else None
    return drawing.Drawing(program, result, backward)


def test_forward_graph_draws_a_shared_node_once_with_all_its_edges():
    text = drawing.dot(picture("x*x"))
    assert text.count("n0 [") == 1 and text.count("n0 -> n1") == 2
    assert 'label="arg 1"' in text and 'label="arg 2"' in text


def test_backward_graph_reverses_edges_and_labels_partials():
    text = drawing.dot(picture(BOOK, {"w": 1.0}, backward=True))
    assert 'n2 -> n1 [label="∂y/∂x = 0.6664"]' in text
    assert 'n1 [label="x = sin(w)\\n∂z/∂x = 0.4896"]' in text
    assert "n0 -> n1" not in text
    symbolic = drawing.dot(picture(BOOK, backward=True))
    assert 'n2 -> n1 [label="∂y/∂x"]' in symbolic


def test_backward_graph_shows_constants_marked_in_words():
    # version 2: B has every edge; the 2 in x^2 is there, marked as not needed for the gradient
    text = drawing.mermaid(picture("y = x^2", backward=True))
    assert '  n1["2<br/>∂y/∂2<br/>(not needed for the gradient: depends on no input)"]' in text
    assert '  n2 -->|"∂y/∂2"| n1' in text and "n0" in text
    numbers = drawing.dot(picture("y = x^2", {"x": 3.0}, backward=True))
    assert 'n2 -> n1 [label="∂y/∂2 = 9.888", style=dashed];' in numbers


def test_mermaid_flowchart():
    text = drawing.mermaid(picture(BOOK, {"w": 1.0}))
    lines = text.splitlines()
    assert lines[0] == "flowchart BT"
    assert '  n1["x = sin(w)<br/>= 0.8415"]' in lines and "  n0 --> n1" in lines
    assert lines[-1] == "  class n3 output"


def test_tree_marks_repeats_as_references():
    from rich.console import Console

    console = Console(width=200, color_system=None)
    with console.capture() as cap:
        console.print(drawing.tree(picture(SHARED, {"w": 1.0, "v": 2.0})))
    text = cap.get()
    assert text.count("x = sin(w) = 0.8415") == 3  # expanded once, then two references
    assert text.count("shared: expanded above") == 2
    assert text.count("w = 1") == 1


def test_tree_is_cut_at_max_depth():
    from rich.console import Console

    chain = "x0 = w\n" + "".join(f"x{j} = sin(x{j - 1})\n" for j in range(1, 50))
    console = Console(width=200, color_system=None)
    with console.capture() as cap:
        console.print(drawing.tree(picture(chain), max_depth=5))
    assert "deeper levels not shown" in cap.get() and len(cap.get().splitlines()) == 7


@pytest.mark.parametrize("args", [[], ["--backward"], ["--at", "w=1,v=2"], ["--at", "w=1,v=2", "--backward"]])
def test_dot_parses_with_graphviz(args):
    require("dot")
    p = run_cli("graph", SHARED, "-o", "dot", *args)
    assert p.returncode == 0
    svg = subprocess.run(["dot", "-Tsvg"], input=p.stdout.encode(), capture_output=True, timeout=60)
    assert svg.returncode == 0, svg.stderr
    assert b"<svg" in svg.stdout


def test_output_is_deterministic():
    runs = [run_cli("graph", SHARED, "--at", "w=1,v=2", "-o", fmt) for fmt in ("dot", "dot", "mermaid", "mermaid")]
    assert runs[0].stdout == runs[1].stdout and runs[2].stdout == runs[3].stdout


def test_cli_tree_and_errors():
    p = run_cli("graph", BOOK, "--at", "w=1", "--backward")
    assert p.returncode == 0 and "[∂y/∂x = 0.6664] x = sin(w); ∂z/∂x = 0.4896" in p.stdout
    p = run_cli("graph", BOOK, "-o", "svg")
    assert p.returncode == 2 and "Traceback" not in p.stderr
    p = run_cli("graph", BOOK, "--at", "v=1")
    assert p.returncode == 2 and "no value for input w" in p.stderr


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["dot", "tree"])
def test_a_100000_node_program_draws(tmp_path, fmt):
    path = tmp_path / "big.txt"
    path.write_text("x0 = w\n" + "".join(f"x{j} = sin(x{j - 1})\n" for j in range(1, 100_000)))
    p = run_cli("graph", "--file", str(path), "--at", "w=0.5", "--backward", "-o", fmt, timeout=300)
    assert p.returncode == 0, p.stderr[-2000:]
    if fmt == "dot":
        assert p.stdout.count(" -> ") == 99_999
    else:
        assert "deeper levels not shown" in p.stdout
