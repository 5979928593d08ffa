"""The compiler's own promises: parse errors list exactly what may come next, a node's position
is where its subexpression starts, and user functions cost nothing until called, with a
call's size checked before any of its nodes is built."""

import pytest

import gradcli
from gradcli.core import compiler
from gradcli.core.graph import Graph

from conftest import run_cli

OPERAND = "a number, a name, '(' or a sign (+ -)"
AFTER = "an operator (+ - * / ^)"

PARSE_ERRORS = [
    # program, the message after "column N: ", the column
    ("x y", f"unexpected 'y': expected {AFTER}, ',' or the end of the statement", 3),
    ("sin(x y)", f"unexpected 'y': expected {AFTER}, ',' or ')'", 7),
    ("(x", f"unexpected end of the program: expected {AFTER} or ')'", 3),
    ("(x; y", f"unexpected ';': expected {AFTER} or ')'", 3),
    ("x +", f"unexpected end of the program: expected {OPERAND}", 4),
    ("f(a,) = 1", f"unexpected ')': expected {OPERAND}", 5),
    ("max(x,", f"unexpected end of the program: expected {OPERAND}", 7),
    ("x = = 1", f"unexpected '=': expected {OPERAND} ('=' belongs only in a statement's head, "
                "as in x = ... or f(a, b) = ...)", 5),
    ("2 3", f"unexpected '3': expected {AFTER}, ',' or the end of the statement", 3),
    ("sin(w", f"unexpected end of the program: expected {AFTER}, ',' or ')'", 6),
    ("* x", "unexpected '*': expected a number, a name, '(', a sign (+ -) or the end of the statement", 1),
    ("x)", f"unexpected ')': expected {AFTER}, ',' or the end of the statement", 2),
    ("x @ 2", f"unexpected character '@': expected {AFTER}, ',' or the end of the statement", 3),
    ("2^", f"unexpected end of the program: expected {OPERAND}", 3),
    ("f(t) = (t", f"unexpected end of the program: expected {AFTER} or ')'", 10),
]


@pytest.mark.parametrize("text,message,column", PARSE_ERRORS, ids=[e[0] for e in PARSE_ERRORS])
def test_a_parse_error_lists_exactly_what_may_come_next(text, message, column):
    with pytest.raises(gradcli.ProgramError) as info:
        gradcli.compile_program(text)
    assert info.value.render_line() == f"line 1, column {column}: {message}"


def test_a_parse_error_through_the_cli_on_a_later_line():
    proc = run_cli("eval", "--file", "-", input="x = 1\ny = sin(x\nz = y\n")
    assert proc.returncode == 2
    assert (
        proc.stderr.splitlines()[0]
        == f"gradcli: line 2, column 10: unexpected end of the line: expected {AFTER}, ',' or ')'"
    )


def test_the_expected_list_after_a_deep_nesting():
    with pytest.raises(gradcli.ProgramError) as info:
        gradcli.compile_program("sin(" * 20_000 + "w")
    assert info.value.message == f"unexpected end of the program: expected {AFTER}, ',' or ')'"


# -- positions: a node starts where its subexpression's text starts ----------------------------


def _positions(text):
    program = gradcli.compile_program(text)
    g = program.graph
    return {label: g.pos[i] for i, label in enumerate(g.labels())}


def test_a_node_starts_at_its_leftmost_token():
    pos = _positions("1 + 1/x")
    assert pos["1 / x"] == 4 and pos["1 + 1 / x"] == 0
    pos = _positions("((a+b))*c + 1")
    assert pos["a + b"] == 2 and pos["(a + b) * c"] == 0
    pos = _positions("-x^2 + 2^x")
    assert pos["x^2"] == 1 and pos["-x^2"] == 0 and pos["2^x"] == 7
    pos = _positions("w * sin(w)")
    assert pos["sin(w)"] == 4 and pos["w * sin(w)"] == 0


def test_a_shared_node_keeps_its_first_occurrence():
    assert _positions("y = sin(w) + 1; z = y * sin(w)")["sin(w)"] == 4


def test_a_warning_points_at_the_first_column_of_the_subexpression():
    proc = run_cli("eval", "1 + 1/x", "--at", "x=0", "-o", "plain")
    assert proc.returncode == 0
    assert "warning: 1 / x (line 1, column 5) is inf in the forward sweep" in proc.stderr


# -- user functions: expanded only where called, sized before building -------------------------


def _doubling(levels, limit=None):
    """f1(t) = f0(f0(t)+1), ...: no two nodes of an expansion can merge (the +1 sees to it)."""
    return "f0(t) = sin(t); " + "; ".join(f"f{k}(t) = f{k - 1}(f{k - 1}(t)+1)" for k in range(1, levels + 1))


@pytest.fixture
def built(monkeypatch):
    """Counts every node created in any graph (main graph and function bodies)."""
    count = [0]
    add = Graph._add

    def counting(self, *args):
        count[0] += 1
        return add(self, *args)

    monkeypatch.setattr(Graph, "_add", counting)
    return count


def test_unused_definitions_cost_nothing(built):
    program = gradcli.compile_program(_doubling(22) + "; f0(w)")
    assert len(program.graph) == 2
    assert built[0] < 200  # the bodies as written: a handful of nodes each, never 2^22


def test_a_call_too_large_is_refused_before_any_node_is_built(built):
    text = _doubling(22) + "; y = w + 1; f22(w)"
    with pytest.raises(gradcli.ProgramError) as info:
        gradcli.compile_program(text)
    before = built[0]
    assert before < 200
    e = info.value
    assert e.message.startswith("calling f22 here would expand to up to 12,582,910 (at least 8,388,607) nodes: "
                                "more than 5,000,000 nodes")
    assert e.pos == text.index("f22(w)")


def test_the_bound_may_be_astronomical():
    text = "f0(t) = sin(t); " + "; ".join(f"f{k}(t) = f{k - 1}(f{k - 1}(t))" for k in range(1, 10_001)) + "; f10000(w)"
    with pytest.raises(gradcli.ProgramError, match=r"calling f10000 here would expand to 2\.00e3010 nodes"):
        gradcli.compile_program(text)


def test_deeply_nested_definitions_and_long_chains_of_calls():
    n = 10_000
    text = "f0(t) = sin(t); " + "; ".join(f"f{k}(t) = cos(f{k - 1}(t))" for k in range(1, n + 1)) + f"; f{n}(w)"
    assert len(gradcli.compile_program(text).graph) == n + 2


def test_merging_calls_still_compile_whatever_their_bound(monkeypatch):
    """Bounds of 2^40 where hash-consing merges everything: built while counting, as before."""
    monkeypatch.setattr(compiler, "MAX_INLINED", 10_000)
    text = "f0(t) = t*t; " + "; ".join(f"f{k}(t) = f{k - 1}(t) + f{k - 1}(t)" for k in range(1, 41)) + "; f40(w)"
    assert len(gradcli.compile_program(text).graph) == 42
    text = "f0(t) = sin(u); " + "; ".join(f"f{k}(t) = f{k - 1}(f{k - 1}(t))" for k in range(1, 41)) + "; f40(w)"
    assert len(gradcli.compile_program(text).graph) == 3  # u, sin(u), w
    text = ("f0(t) = exp(t); " + "; ".join(f"g{k}(a, b) = f{k - 1}(a) * f{k - 1}(b); f{k}(t) = g{k}(t, t)"
                                            for k in range(1, 41)) + "; f40(w)")
    assert len(gradcli.compile_program(text).graph) == 2 + 40
    text = (
        "f0(t) = sin(t); " + "; ".join(f"f{k}(t) = f{k - 1}(t) + f{k - 1}(sin(t))" for k in range(1, 30)) + "; f29(w)"
    )
    assert len(gradcli.compile_program(text).graph) < 2000  # 2^29 by the bound, ~k^2 in fact


def test_a_call_that_does_not_merge_is_stopped_by_the_running_count(monkeypatch, built):
    """Wide and shallow: the chain bound stays small, so it is built and stopped at the limit."""
    monkeypatch.setattr(compiler, "MAX_INLINED", 10_000)
    text = (
        "f0(t) = sin(t); "
        + "; ".join(f"f{k}(t) = f{k - 1}(t + 1) + f{k - 1}(t + 2)" for k in range(1, 21))
        + "; f20(w)"
    )
    with pytest.raises(
        gradcli.ProgramError, match=r"calling f20 here makes user-function calls create more than 10,000 nodes"
    ):
        gradcli.compile_program(text)
    assert built[0] < 10_300


def test_repeated_calls_are_expanded_once_and_counted_once(monkeypatch):
    monkeypatch.setattr(compiler, "MAX_INLINED", 3000)
    text = "f0(t) = sin(t); " + "; ".join(f"f{k}(t) = f{k - 1}(f{k - 1}(t))" for k in range(1, 12))
    program = gradcli.compile_program(text + "; y = f11(w) + f11(w); z = y * f11(w)")
    assert len(program.graph) == 2**11 + 3


@pytest.mark.parametrize("definitions,call", [
    ("f(t) = t", "f(x)"),
    ("f(t) = sin(u)", "f(x)"),
    ("f(a, b) = a * sin(b) + 1", "f(x, v)"),
    ("g(a, b) = b; f(t) = g(sin(t), cos(t)) * 2", "f(x)"),
    ("g(t) = exp(t) + t; f(a, b) = g(g(a) * b) - g(b)", "f(x, v)"),
    ("h(t) = t; g(a) = h(h(a)); f(t) = g(g(t)) + g(1)", "f(x)"),
])
def test_the_bounds_hold_for_a_call_on_fresh_inputs(definitions, call, monkeypatch):
    """least <= the nodes a call on fresh inputs creates <= most."""
    seen = []
    expand = compiler._Builder.expand

    def recording(self, fn, args, pos):
        before = len(self.graph)
        node = expand(self, fn, args, pos)
        seen.append((fn.least, len(self.graph) - before, fn.most))
        return node

    monkeypatch.setattr(compiler._Builder, "expand", recording)
    gradcli.compile_program(f"{definitions}; y = {call}")
    [(least, created, most)] = seen
    assert least <= created <= most
