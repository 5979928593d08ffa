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
    results = [gradcli.evaluate(program, point)] if point else None
    return drawing.Drawing(program, results, backward)


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


# -- several outputs: every output marked, an adjoint per output in B --------------------

SEVERAL = "x = sin(w)*v; y = x*w; x, y, x + y"


@pytest.mark.parametrize("args", [[], ["--backward"], ["--at", "w=1,v=2"], ["--at", "w=1,v=2", "--backward"],
                                  ["--at", "w=1,v=2", "--backward", "--of", "y,x"]])
def test_several_outputs_dot_parses_with_graphviz_and_marks_every_output(args):
    require("dot")
    p = run_cli("graph", SEVERAL, "-o", "dot", *args)
    assert p.returncode == 0, p.stderr
    marked = 2 if "--of" in args else 3
    assert p.stdout.count("peripheries=2") == marked
    svg = subprocess.run(["dot", "-Tsvg"], input=p.stdout.encode(), capture_output=True, timeout=60)
    assert svg.returncode == 0 and b"<svg" in svg.stdout, svg.stderr


def test_several_outputs_backward_labels_an_adjoint_per_output():
    from gradcli.engine.jacobian import jacobian
    from gradcli.numbers.text import format_number

    text = run_cli("graph", SEVERAL, "--at", "w=1,v=2", "--backward", "-o", "dot", "--digits", "17").stdout
    rows = jacobian(gradcli.compile_program(SEVERAL), {"w": 1.0, "v": 2.0}, "reverse").jacobian
    w_label = next(line for line in text.splitlines() if line.startswith("  n0 ["))
    n = [format_number(row[0], 17) for row in rows]
    assert w_label == f'  n0 [label="w\\n∂x/∂w = {n[0]}\\n∂y/∂w = {n[1]}\\n∂(x + y)/∂w = {n[2]}"];'
    # y comes after x, so x does not depend on it: its line for x says so, but y is still needed
    assert '  n4 [label="y = x * w\\n∂x/∂y = 0 (not on a path to the output)\\n∂y/∂y = 1\\n∂(x + y)/∂y = 1", peripheries=2];' in text
    assert "dashed" not in text


def test_several_outputs_mermaid_and_tree():
    lines = run_cli("graph", SEVERAL, "--backward", "-o", "mermaid").stdout.splitlines()
    assert lines[-1] == "  class n3,n4,n5 output"
    assert '  n0["w<br/>∂x/∂w<br/>∂y/∂w<br/>∂(x + y)/∂w"]' in lines
    picked = run_cli("graph", SEVERAL, "--backward", "-o", "mermaid", "--of", "y").stdout.splitlines()
    assert picked[-1] == "  class n4 output" and '  n0["w<br/>∂y/∂w"]' in picked
    tree = run_cli("graph", SEVERAL, "--at", "w=1,v=2", env={"COLUMNS": "200"}).stdout.splitlines()
    assert tree[:2] == ["3 outputs (x, y, x+y)", "├── [output x] x = sin(w) * v = 1.683"]
    assert "├── [output y] y = x * w = 1.683" in tree and "└── [output x+y] x + y = 3.366" in tree
    assert sum("shared: expanded above" in line for line in tree) == 3


def test_several_outputs_a_warning_once_and_of_errors():
    p = run_cli("graph", "a = log(w); a, a*w", "--at", "w=-1", "--backward")
    assert p.returncode == 0 and p.stderr.count("warning: a = log(w)") == 1
    p = run_cli("graph", SEVERAL, "--of", "nope")
    assert p.returncode == 2 and "--of nope: never assigned" in p.stderr
