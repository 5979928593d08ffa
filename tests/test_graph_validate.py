"""Graph.validate(): the invariants every pass relies on, checked after every build; and a
parse's state is its own (two compilations at once never share a builder)."""

from concurrent.futures import ThreadPoolExecutor

import pytest

import gradcli
from gradcli.core.graph import Graph, InvalidGraph
from gradcli.derived.diff import Derivatives


def good():
    g = Graph()
    w = g.input("w")
    g.intern("mul", (g.intern("sin", (w,)), w))
    return g


def broken(change):
    g = good()
    change(g)
    return g


@pytest.mark.parametrize("change", [
    lambda g: g.append("sin", (5,), None),  # a parent after its child
    lambda g: g.append("mul", (0,), None),  # arity 2 with one parent
    lambda g: g.append("max", (), None),  # max needs one argument or more
    lambda g: g.append("nosuchop", (0,), None),
    lambda g: g.append("sin", (0,), None),  # sin(w) a second time: hash-consing broken
    lambda g: g.append("input", (0,), "v"),  # a leaf with a parent
    lambda g: g.append("const", (), "1.0"),  # a constant's value is a float
    lambda g: g.append("input", (), 7),  # an input's name is text
    lambda g: g.append("sin", (0.0,), None),  # a parent is a node id
    lambda g: g.index.clear(),
    lambda g: g.names.update({9: "z"}),
], ids=["order", "arity", "variadic", "op", "twice", "leaf-parent", "const-data", "input-data", "parent-type",
        "index", "name"])
def test_a_broken_invariant_is_named(change):
    good().validate()
    with pytest.raises(InvalidGraph):
        broken(change).validate()


def test_every_build_is_a_valid_graph():
    program = gradcli.compile_program("f(t) = t*t; y = sin(w)*w; f(y) + max(y, 2, w)")
    program.graph.validate()
    Derivatives(program, order=2).graph.validate()


def test_compilations_in_threads_never_share_a_builder():
    texts = [f"x{k} = w * {k}; sin(x{k}) + " + " + ".join(f"w^{j}" for j in range(1, 30)) for k in range(40)]
    alone = [gradcli.evaluate(t, {"w": 0.5}).value for t in texts]
    with ThreadPoolExecutor(8) as pool:
        together = list(pool.map(lambda t: gradcli.evaluate(t, {"w": 0.5}).value, texts))
    assert together == alone
