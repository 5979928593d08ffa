"""Store, recompute and checkpoint agree bit for bit, and --stats counts what was done."""

import json
import math
import random

import pytest

import gradcli
from gradcli.engine.evaluate import differentiate
from gradcli.engine.forward import point_values
from gradcli.engine.strategies import STRATEGIES
from gradcli.numbers import text as formats
from profiles import seeds

from conftest import run_cli

BOOK = "f(t) = sin(t); x = f(w); y = f(x); z = f(y)"


def tanh_chain(k):
    """x0 = w; x1 = tanh(x0*x0 + x0); ...: 3 op nodes and 3 paths per step."""
    return "x0 = w\n" + "".join(f"x{j} = tanh(x{j - 1}*x{j - 1} + x{j - 1})\n" for j in range(1, k + 1))


def sin_chain(n):
    return "x0 = w\n" + "".join(f"x{j} = sin(x{j - 1})\n" for j in range(1, n))


def bits(x):
    """A float as its exact bits (nan as one spelling), None kept: equality means bit for bit."""
    return None if x is None else float(x).hex()


def swept(program, point, strategy):
    value, (adjoints, partials, notes), source = differentiate(
        program, point_values(program, point), strategy
    )
    return (bits(value), [bits(a) for a in adjoints], [bits(d) for d in partials], notes), source


UNARY = ["sin", "cos", "tanh", "exp", "log", "sqrt", "abs", "relu", "sigmoid", "softplus", "atan", "cbrt"]
BINARY = ["+", "-", "*", "/", "^"]


def random_program(rng):
    """A program with fan-out (names reused), max/min that can tie, and domain edges."""
    names = ["a", "b", "c"]
    lines = []
    for k in range(rng.randint(2, 12)):
        pick = lambda: rng.choice(names)
        kind = rng.random()
        if kind < 0.35:
            expr = f"{rng.choice(UNARY)}({pick()})"
        elif kind < 0.8:
            expr = f"{pick()} {rng.choice(BINARY)} {pick()}"
        elif kind < 0.9:
            expr = f"{rng.choice(['max', 'min'])}({pick()}, {pick()}, {pick()})"
        else:
            expr = f"{pick()} * {rng.choice(['0', '2', '1e308', '0.5'])}"
        lines.append(f"t{k} = {expr}")
        names.append(f"t{k}")
    return "\n".join(lines)


POINTS = [
    {"a": 1.0, "b": 2.0, "c": -0.5},
    {"a": 0.0, "b": 0.0, "c": 0.0},  # ties, 0^0, log(0), sqrt at 0
    {"a": -1.0, "b": 1e300, "c": 3.0},  # nan and inf
    {"a": 0.7, "b": 0.7, "c": 0.7},
]


@pytest.mark.parametrize("seed", seeds(120))
def test_strategies_agree_bit_for_bit_on_random_programs(seed):
    rng = random.Random(seed)
    program = gradcli.compile_program(random_program(rng))
    for point in POINTS:
        reference, _ = swept(program, point, "store")
        for strategy in ("recompute", "checkpoint"):
            assert swept(program, point, strategy)[0] == reference, (strategy, point)


@pytest.mark.parametrize(
    "source, point",
    [
        (BOOK, {"w": 1.0}),
        ("x*x", {"x": 3.0}),  # fan-out: one node, two edges
        ("a = sin(w); b = a + a; c = b*a + a", {"w": 0.3}),
        ("max(x, x, y) + min(x, y)", {"x": 2.0, "y": 2.0}),  # a 3-way tie: shares of 1/3
        ("log(x) + 1/x + sqrt(x)", {"x": 0.0}),  # -inf, inf, sqrt'(0) = inf
        ("0 * exp(x)", {"x": 1000.0}),  # 0 × inf in the reverse sweep
        ("x^y + y^x", {"x": 0.0, "y": 0.0}),  # 0^0 conventions
        ("x = 2*3; y = x*w; q = sin(w); y", {"w": 2.0}),  # constant subgraph, dead statement
        (tanh_chain(40), {"w": 0.3}),
        ("w", {"w": 1.0}),
        ("2", {}),
    ],
)
def test_strategies_agree_on_chosen_programs(source, point):
    program = gradcli.compile_program(source)
    reference, _ = swept(program, point, "store")
    for strategy in ("recompute", "checkpoint"):
        assert swept(program, point, strategy)[0] == reference


def test_the_api_takes_a_strategy_and_the_results_match():
    results = [gradcli.evaluate(BOOK, w=1.0, strategy=s, stats=True) for s in STRATEGIES]
    assert {r.value for r in results} == {0.6784304773607402}
    assert {r.gradient["w"] for r in results} == {0.26450827039595814}
    assert [r.stats.strategy for r in results] == list(STRATEGIES)
    assert all(r.values == results[0].values and r.partials == results[0].partials for r in results)
    assert gradcli.evaluate(BOOK, w=1.0).stats is None
    with pytest.raises(gradcli.UsageError):
        gradcli.evaluate(BOOK, w=1.0, strategy="guess")


# -- counts against hand-computed values -------------------------------------------------


def stats(source, strategy="store", **point):
    return gradcli.evaluate(source, point, strategy=strategy, stats=True).stats


def test_book_chain_counts():
    # w, x, y, z: 3 sin ops, 3 edges. Recompute re-runs the forward sweep for z (3 ops: x, y, z),
    # for y (2) and for x (1); checkpoint has 2 segments [w x] [y z] and recomputes each once.
    store, recompute, checkpoint = (stats(BOOK, s, w=1.0) for s in STRATEGIES)
    assert (store.nodes, store.edges, store.partials, store.multiply_adds) == (4, 3, 3, 3)
    assert (store.forward_ops, store.recomputed_ops, store.peak_values) == (3, 0, 4)
    assert (recompute.forward_ops, recompute.recomputed_ops, recompute.peak_values) == (3, 3 + 2 + 1, 2)
    assert (checkpoint.forward_ops, checkpoint.recomputed_ops, checkpoint.segments) == (3, 3, 2)
    assert (store.paths, store.tree_size) == (1, 4)
    assert store.segments is None and store.forward_seconds >= 0 and store.reverse_seconds >= 0


@pytest.mark.parametrize("k", [1, 2, 3, 10, 200])
def test_tanh_chain_has_3_to_the_k_paths(k):
    s = stats(tanh_chain(k), w=0.5)
    assert s.paths == 3**k
    assert s.tree_size == (5 * 3**k - 3) // 2  # T(k) = 3 + 3 T(k-1), T(0) = 1
    assert (s.nodes, s.edges, s.forward_ops, s.partials, s.multiply_adds) == (3 * k + 1, 5 * k, 3 * k, 5 * k, 5 * k)


def test_recompute_is_quadratic_on_a_chain():
    # Op node j (1-based, creation order) has j op ancestors, itself included.
    n = 3 * 30
    assert stats(tanh_chain(30), "recompute", w=0.5).recomputed_ops == n * (n + 1) // 2


def test_structural_zeros_are_computed_by_the_rule_but_not_multiplied():
    s = stats("x^2", x=3.0)
    assert (s.partials, s.multiply_adds, s.paths, s.tree_size) == (2, 1, 1, 3)


@pytest.mark.parametrize("n", [100, 10_000])
def test_checkpoint_holds_about_sqrt_n_values(n):
    program = gradcli.compile_program(sin_chain(n))
    store, checkpoint = (gradcli.evaluate(program, {"w": 0.5}, strategy=s, stats=True).stats
                         for s in ("store", "checkpoint"))
    root = math.isqrt(n)
    assert store.peak_values == n
    assert root <= checkpoint.peak_values <= 3 * root  # the boundary values plus one segment
    assert checkpoint.segments == root
    assert checkpoint.recomputed_ops == n - 1  # one extra forward sweep


def test_peak_under_checkpoint_grows_like_sqrt_n():
    peaks = [stats(sin_chain(n), "checkpoint", w=0.5).peak_values for n in (100, 10_000)]
    assert 7 <= peaks[1] / peaks[0] <= 14  # sqrt(100) = 10


def test_recompute_holds_a_few_values():
    assert stats(tanh_chain(50), "recompute", w=0.5).peak_values <= 4


# -- rendering ---------------------------------------------------------------------------


def test_big_counts_are_abbreviated_in_text_and_exact_in_json():
    assert formats.count_text(3**1000) == "1.32e477"
    assert formats.count_text(59049) == "59049"
    assert formats.json_count(3**1000) == 3**1000
    huge = 2**20000  # past Python's 4300-digit int/str limit: a string of every digit
    assert formats.json_count(huge) == formats.count_digits(huge) and len(formats.count_digits(huge)) == 6021


def test_stats_through_the_cli_in_every_format(tmp_path):
    path = tmp_path / "chain.txt"
    path.write_text(tanh_chain(1000))
    p = run_cli("eval", "--file", str(path), "--at", "w=0.5", "--stats", "--json")
    assert p.returncode == 0, p.stderr
    st = json.loads(p.stdout)["stats"]
    assert st["paths"] == 3**1000 and st["forward_ops"] == 3000 and st["strategy"] == "store"

    p = run_cli("eval", "--file", str(path), "--at", "w=0.5", "--stats", "--strategy", "checkpoint", "-o", "plain")
    lines = dict(line.split(" ", 1) for line in p.stdout.splitlines())
    assert lines["paths"] == "1.32e477" and lines["strategy"] == "checkpoint" and lines["recomputed_ops"] == "3000"

    p = run_cli("eval", BOOK, "--at", "w=1", "--stats", "--strategy", "recompute", "-o", "table", "--no-color")
    row = next(line for line in p.stdout.splitlines() if "op evaluations recomputed" in line)
    assert p.returncode == 0 and row.rstrip(" │").endswith(" 6") and "1.32e477" not in p.stdout

    p = run_cli("eval", BOOK, "--at", "w=1", "--stats", "-o", "csv")
    header, row = p.stdout.splitlines()
    assert dict(zip(header.split(","), row.split(","), strict=True))["paths"] == "1"

    p = run_cli("eval", BOOK, "--at", "w=1", "--stats", "-o", "jsonl")
    assert json.loads(p.stdout)["stats"]["tree_size"] == 4


def test_a_bad_strategy_is_a_usage_error():
    p = run_cli("eval", "x", "--at", "x=1", "--strategy", "guess")
    assert p.returncode == 2 and "Traceback" not in p.stderr


def test_strategies_give_the_same_output_through_the_cli():
    outs = [run_cli("eval", BOOK, "--at", "w=1", "--json", "--strategy", s) for s in STRATEGIES]
    assert all(p.returncode == 0 for p in outs)
    assert len({p.stdout for p in outs}) == 1
