"""Nothing quietly wrong: every edge's partial and every node's adjoint is the true number in
the tables, JSON, explain and graph --backward, and a table never splits a number."""

import json
import math
import re

import pytest

import gradcli
from gradcli.engine.evaluate import evaluate
from gradcli.numbers.text import format_number

from conftest import run_cli


def ok(*args, env=None):
    proc = run_cli(*args, env=env)
    assert proc.returncode == 0, proc.stderr
    return proc


def doc_of(*args):
    return json.loads(ok("eval", *args, "--json").stdout)


def edge(doc, parent, child):
    (found,) = [e for e in doc["edges"] if (e["from"], e["to"]) == (parent, child)]
    return found


# -- the numbers -------------------------------------------------------------------------


def test_the_2_in_2w_has_partial_w_and_adjoint_w_and_no_warning():
    proc = ok("eval", "2*w", "--at", "w=3", "--json")
    doc = json.loads(proc.stdout)
    assert [n["op"] for n in doc["nodes"]] == ["const", "input", "mul"]
    assert edge(doc, 0, 2)["partial"] == 3 and edge(doc, 0, 2)["contribution"] == 3
    assert doc["nodes"][0]["adjoint"] == 3 and doc["nodes"][0]["role"] == "constant"
    assert doc["gradient"] == {"w": 2} and doc["warnings"] == [] and proc.stderr == ""
    assert all(e["partial"] is not None for e in doc["edges"])


def test_a_constant_only_path_with_an_infinite_partial_raises_no_warning():
    # sqrt'(0) = inf on the edge 0 -> sqrt(0): true, shown, but the gradient never needs it
    proc = ok("eval", "sqrt(0)*w", "--at", "w=2", "--json")
    doc = json.loads(proc.stdout)
    assert proc.stderr == "" and doc["warnings"] == [] and doc["notes"] == []
    assert edge(doc, 0, 1)["partial"] == "inf" and doc["nodes"][0]["adjoint"] == "inf"
    assert doc["nodes"][1]["adjoint"] == 2 and doc["gradient"] == {"w": 0}
    assert ok("eval", "sqrt(0)*w", "--at", "w=2", "-o", "table").stderr == ""


def test_a_convention_on_a_constant_only_path_makes_no_note():
    proc = ok("eval", "abs(0)*w", "--at", "w=2", "--json")
    assert json.loads(proc.stdout)["notes"] == [] and proc.stderr == ""
    proc = ok("explain", "abs(0)*w", "--at", "w=2")
    assert proc.stderr == "" and "∂(abs(0) * w)/∂0 = " in proc.stdout


def test_a_node_the_output_does_not_depend_on_has_adjoint_0_and_true_partials():
    doc = doc_of("q = sqrt(x); b = sin(x); b", "--at", "x=0")
    labels = {n["label"]: n for n in doc["nodes"]}
    assert labels["q"]["adjoint"] == 0 and labels["q"]["role"] == "unused"
    into_q = edge(doc, labels["x"]["id"], labels["q"]["id"])
    assert into_q == {**into_q, "partial": "inf", "contribution": 0, "role": "unused"}
    assert doc["gradient"] == {"x": 1} and doc["warnings"] == []


def test_nodes_after_the_output_are_there_too():
    # the output is sin(x), created before z: z is a node of its own, with adjoint 0
    doc = doc_of("y = sin(x); z = cos(x); y", "--at", "x=1")
    z = [n for n in doc["nodes"] if n["label"] == "z"][0]
    assert z["id"] > doc["nodes"][1]["id"] and z["adjoint"] == 0 and z["role"] == "unused"
    assert edge(doc, 0, z["id"])["partial"] == -math.sin(1)


@pytest.mark.parametrize("source", [
    "x^2*y", "2*w + w^3 - 0.5", "max(x, 2, y) * exp(1)", "z = log1p(x*y); sqrt(2)^z + z/3",
    "a = sin(x); b = a*2; c = b + pi; c*c", "q = 1/y; x + 0*y",
])
def test_the_full_sweep_leaves_the_gradient_bit_for_bit(source):
    program = gradcli.compile_program(source)
    point = {"x": 0.7, "y": -1.3, "w": 2.5}
    fast, full = evaluate(program, point), evaluate(program, point, full=True)
    assert [g.hex() for g in fast.gradient.values()] == [g.hex() for g in full.gradient.values()]
    assert fast.warnings == full.warnings and fast.notes == full.notes
    assert None in fast.partials or not any(r != "gradient" for r in full.edge_roles)
    assert None not in full.partials
    for i, role in enumerate(full.roles):
        if role == "gradient":
            assert full.adjoints[i].hex() == fast.adjoints[i].hex()


def test_adjoints_of_constants_match_a_finite_difference():
    # treat the constant as a variable: d/dc (c*w + c^2) = w + 2c
    r = gradcli.evaluate("3*w + 3^2", w=5.0)
    three = r.program.graph.labels().index("3")
    assert r.adjoints[three] == 5 + 2 * 3


def test_stats_count_the_gradient_sweep_only():
    plain = ok("eval", "x^2", "--at", "x=3", "--stats", "-o", "plain").stdout
    assert "partials 2\n" in plain and "multiply_adds 1\n" in plain
    doc = doc_of("x^2", "--at", "x=3", "--stats")
    assert doc["stats"]["partials"] == 2 and doc["stats"]["multiply_adds"] == 1
    assert edge(doc, 1, 2)["partial"] == 9 * math.log(3)


# -- explain and graph --backward ----------------------------------------------------------


def test_explain_shows_the_constants_steps_marked_in_words():
    out = ok("explain", "2*w", "--at", "w=3").stdout
    assert (
        "∂(2 * w)/∂2 = ∂(2 * w)/∂(2 * w) · ∂(2 * w)/∂2 = 1 × 3 = 3  (not needed for the gradient: depends on no input)"
        in out
    )
    record = json.loads(ok("explain", "2*w; ", "--at", "w=3", "--json").stdout)
    step = [s for s in record["steps"] if s["node"] == "2"][0]
    assert step["adjoint"] == 3 and step["role"] == "constant" and step["terms"][0]["partial"] == 3


def test_explain_says_when_a_node_is_not_on_a_path_to_the_output():
    out = ok("explain", "q = cos(w); b = sin(w); b", "--at", "w=1").stdout
    assert "  ∂b/∂q = 0  (not on a path to the output)" in out


def test_graph_backward_has_every_edge():
    out = ok("graph", "2*w", "--at", "w=3", "--backward", "-o", "dot").stdout
    assert 'n2 -> n0 [label="∂(2 * w)/∂2 = 3", style=dashed];' in out
    assert "(not needed for the gradient: depends on no input)" in out


# -- tables people can read ----------------------------------------------------------------

LONG = ("alpha_long_name = sin(x_input_value)*exp(y_other_input/3.7) + 2*x_input_value; "
        "beta_long_name = alpha_long_name^2 + log1p(alpha_long_name*y_other_input) - 0.1; "
        "gamma = atan2(beta_long_name, alpha_long_name) * 1e-300 + sqrt(0)")
POINT = "x_input_value=1.2345678901234567,y_other_input=-0.00012345678901234567"


def every_number(result):
    r = result
    return {format_number(x) for x in [*r.values, *r.adjoints, *r.partials, *r.contributions, r.value]}


@pytest.mark.parametrize("source, columns, fits", [
    (LONG, "80", False), (LONG, "50", False), (LONG.replace("1e-300", "1e-3"), "80", True)])
def test_no_number_is_split_across_rows(source, columns, fits):
    out = ok("eval", source, "--at", POINT, "-o", "table", "--all", env={"COLUMNS": columns}).stdout
    cells = {cell.strip() for line in out.splitlines() for cell in re.split("[│┃]", line)}
    numbers = every_number(gradcli.evaluate(source, {k: float(v) for k, v in (p.split("=") for p in POINT.split(","))}))
    assert max(map(len, numbers)) >= 21  # 17 digits, a sign, a point and more
    assert numbers <= cells, sorted(numbers - cells)
    assert "…" not in out and "—" not in out
    if fits:  # the numbers leave room for labels: every table fits in 80 columns
        assert max(map(len, out.splitlines())) <= 80


def test_long_labels_give_way_to_ids_and_the_legend_says_so():
    out = ok("eval", LONG, "--at", POINT, "-o", "table", env={"COLUMNS": "80"}).stdout
    assert re.search(r"│ #\d+ → ", out) or re.search(r"→ #\d+", out)
    assert "#N is node N of the Nodes table" in out
    assert "#N in a label is node N" in out
    assert "(not needed): depends on no input" in out


def test_nodes_picks_rows_by_name_id_and_range():
    out = ok("eval", LONG, "--at", POINT, "-o", "table", "--nodes", "alpha_long_name,0", "--nodes", "1-2").stdout
    ids = [int(m) for m in re.findall(r"^│ +(\d+) │", out, re.M)]
    doc = doc_of(LONG, "--at", POINT)
    alpha = [n["id"] for n in doc["nodes"] if n["label"] == "alpha_long_name"][0]
    assert ids == sorted({0, 1, 2, alpha})
    touching = [e for e in doc["edges"] if {e["from"], e["to"]} & {0, 1, 2, alpha}]
    assert f"Nodes (4 of {len(doc['nodes'])};" in out
    assert f"Edges ({len(touching)} of {len(doc['edges'])};" in out


@pytest.mark.parametrize("args, message", [
    (["--nodes", "nope"], "--nodes nope: not a node id"),
    (["--nodes", "99"], "--nodes 99: the nodes are numbered 0 to 2"),
    (["--nodes", "w", "-o", "json"], "--nodes picks rows of the node and edge tables"),
])
def test_nodes_errors_are_usage_errors(args, message):
    proc = run_cli("eval", "2*w", "--at", "w=3", *(args if "-o" in args else [*args, "-o", "table"]))
    assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr
