"""--sparse: the structural pattern, the colourings, one sweep per colour, exact recovery
against the dense Jacobian and Hessian; --stats."""

import json
import random
from types import SimpleNamespace

import pytest

import gradcli
from gradcli.derived.hessian import hessian
from gradcli.derived.sparse import (
    distance2_colouring,
    sparse_hessian,
    sparse_jacobian,
    star_colouring,
)
from gradcli.engine.jacobian import jacobian
from profiles import seeds

from gen import run_main
from symgen import example


def invoke(*args):
    code, out, err = run_main(list(args))
    return SimpleNamespace(exit_code=code, stdout=out, stderr=err)


def arrowhead(n):
    """f = x0·Σ sin(x0·xi) + Σ xi³: the Hessian is an arrowhead (row and column 0, the diagonal)."""
    text = "x0*(" + " + ".join(f"sin(x0*x{i})" for i in range(1, n)) + ") + " + " + ".join(f"x{i}^3" for i in range(1, n))
    return text, {f"x{i}": 0.01 * (i + 1) for i in range(n)}


def close(a, b):
    return all(abs(x - y) <= 1e-12 * (1 + abs(y)) for ra, rb in zip(a, b) for x, y in zip(ra, rb))


def test_arrowhead_hessian_takes_two_sweeps_and_is_exact():
    text, at = arrowhead(30)
    s = sparse_hessian(text, at)
    assert s.sparsity.sweeps == 2 and s.sparsity.dense_sweeps == 30
    assert close(s.hessian, hessian(gradcli.compile_program(text), at).hessian)


@pytest.mark.parametrize("seed", seeds(10))
def test_sparse_hessian_equals_dense_on_random_programs(seed):
    ex = example(seed, ops=8, inputs=3)
    s = sparse_hessian(ex.text, ex.point)
    assert close(s.hessian, hessian(gradcli.compile_program(ex.text), ex.point).hessian)


@pytest.mark.parametrize("mode", ["auto", "forward", "reverse"])
def test_sparse_jacobian_equals_dense(mode):
    text = "a = x0*x1; b = sin(x1*x2); c = x2 + x3; a, b, c, exp(x3)"
    program = gradcli.compile_program(text)
    at = {f"x{i}": 0.3 * (i + 1) for i in range(4)}
    r = sparse_jacobian(program, at, mode)
    assert r.jacobian == jacobian(program, at, "forward" if r.mode == "forward" else "reverse").jacobian
    assert r.sparsity.sweeps == 2


def test_distance2_colouring_separates_columns_of_a_line():
    lines = [[0, 1], [1, 2], [3]]
    c = distance2_colouring(lines, 4)
    assert c[0] != c[1] and c[1] != c[2] and c[3] == 0


def test_star_colouring_has_no_two_coloured_path_on_four_vertices():
    rng = random.Random(0)
    for _ in range(50):
        n = 9
        adj = [set() for _ in range(n)]
        for _ in range(12):
            a, b = rng.sample(range(n), 2)
            adj[a].add(b)
            adj[b].add(a)
        adj = [sorted(s) for s in adj]
        c = star_colouring(adj)
        for v in range(n):
            assert all(c[v] != c[w] for w in adj[v])
            for w in adj[v]:
                for x in adj[w]:
                    for y in adj[x]:
                        if len({v, w, x, y}) == 4:
                            assert len({c[v], c[w], c[x], c[y]}) >= 3


def test_cli_stats_json_and_a_dense_pattern_said_so():
    text, at = arrowhead(6)
    r = invoke("hessian", text, "--at", ",".join(f"{k}={v}" for k, v in at.items()), "--sparse", "--stats", "--json")
    assert json.loads(r.stdout)["sparsity"] == {"nonzeros": 16, "sweeps": 2, "dense_sweeps": 6, "dense": False}
    r = invoke("hessian", "sin(a*b)", "--at", "a=1,b=2", "--sparse", "--stats", "-o", "plain")
    assert r.stdout.endswith("sweeps 2\ndense_sweeps 2\ndense true\n")


@pytest.mark.parametrize("args,message", [
    (["hessian", "a*b", "--stats"], "--stats counts the sweeps of --sparse"),
    (["hessian", "a*b", "--sparse", "--dir", "a=1"], "--sparse computes the whole Hessian"),
    (["jacobian", "a*b", "--sparse", "--stats", "-o", "csv"], "no place in csv"),
])
def test_bad_input_is_exit_2(args, message):
    r = invoke(*args, "--at", "a=1,b=2")
    assert r.exit_code == 2 and message in r.stderr
