"""H·v by forward over reverse (dual numbers through one reverse sweep) equals today's
symbolic Hessian times v; hessian --dir, --hvp and their bad input."""

import json
import math
import struct
from types import SimpleNamespace

import pytest

import gradcli
from gradcli.core.ops import OPS
from gradcli.derived.hessian import hessian, hvp
from gradcli.engine.forward import forward, point_values
from gradcli.engine.reverse import reverse
from gradcli.numbers.dual import Dual, dual_math
from gradcli.numbers.float64 import FloatMath
from gradcli.numbers.mp import MpMath
from profiles import seeds

from gen import run_main
from symgen import example


def invoke(*args):
    code, out, err = run_main(list(args))
    return SimpleNamespace(exit_code=code, stdout=out, stderr=err)


def _times_v(H, v, names):
    """(H·v, Σ|H·v|'s terms) per row."""
    return [(sum(h * v[n] for h, n in zip(row, names)), sum(abs(h * v[n]) for h, n in zip(row, names))) for row in H]


def _terms(program, point, v):
    """Σ over edges of |adjoint × each argument's part of the local partial's tangent| +
    |tangent of the adjoint × local partial|: the size of what the dual sweep adds up into
    H·v, the parts taken one argument at a time so that a cancellation between arguments
    (hypot(a, a)'s partial) counts its terms (finite ones only: a dead branch's partial is
    never used)."""
    D = dual_math(FloatMath)
    inputs = point_values(program, point)
    duals = forward(program, [Dual(x, v[n]) for x, n in zip(inputs, program.input_names)], D)
    adjoints = reverse(program, duals, D)[0]
    graph, terms = program.graph, []
    for i, ps in enumerate(graph.parents):
        if ps and adjoints[i] != 0:
            a, rule, args = adjoints[i], OPS[graph.op[i]].partials, [duals[p] for p in ps]
            local = rule(FloatMath, duals[i].value, *[x.value for x in args])
            terms += [abs(a.tangent * d) for d in local]
            for j, x in enumerate(args):
                alone = [Dual(y.value, y.tangent if k == j else 0.0) for k, y in enumerate(args)]
                part = rule(D, Dual(duals[i].value, local[j] * x.tangent), *alone)
                terms += [abs(a.value * d.tangent) for d in part]
    return math.fsum(t for t in terms if math.isfinite(t))


@pytest.mark.parametrize("seed", seeds(15))
def test_hvp_is_the_symbolic_hessian_times_v(seed):
    """Within rounding of the symbolic Hessian times v; where float64 puts them farther apart
    (a row that cancels to an exact 0 rounds to 1e-16 on one side, an intermediate underflows
    on the other), H·v must lie within a few ulps of the terms the dual sweep adds up from the
    40-digit symbolic Hessian times v, the truth."""
    ex = example(seed, ops=8, inputs=3)
    program = gradcli.compile_program(ex.text)
    names = program.input_names
    v = {n: 1.0 - 0.7 * k for k, n in enumerate(names)}
    hv = hvp(program, ex.point, v).hvp
    rows = _times_v(hessian(program, ex.point).hessian, v, names)
    if all(abs(got - want) <= 1e-12 * scale + 1e-300 for got, (want, scale) in zip(hv, rows)):
        return
    truth = _times_v(hessian(program, ex.point, m=MpMath(40, len(program.graph))).hessian, v, names)
    terms = _terms(program, ex.point, v)
    for got, (want, scale) in zip(hv, truth):
        assert abs(got - want) <= 1e-12 * scale + 64 * 2.0**-52 * terms + 1e-300, (got, want, terms)
def test_the_gradient_of_the_dual_sweep_is_evals():
    s = hvp("exp(sin(w)*v)/w", {"w": 0.7, "v": -1.3}, {"w": 1})
    assert s.result.gradient == gradcli.evaluate("exp(sin(w)*v)/w", w=0.7, v=-1.3).gradient


def test_a_dead_select_branch_passes_no_nan():
    s = hvp("select(w, log(w), w*w*w)", {"w": -1.0}, {"w": 1})
    assert s.hvp == [-6.0]


def test_dual_kernels_use_the_op_tables_partials():
    D = dual_math(FloatMath)
    y = D.sin(Dual(1.0, 2.0))
    assert (y.value, y.tangent) == (math.sin(1.0), math.cos(1.0) * 2.0)
    assert D.sqrt(Dual(0.0, 0.0)).tangent == 0.0  # a zero tangent contributes nothing, inf or not


def test_hessian_dir_json():
    r = invoke("hessian", "w*w*v", "--at", "w=2,v=3", "--dir", "v=1", "--json")
    doc = json.loads(r.stdout)
    assert r.exit_code == 0 and doc["hvp"] == {"w": 4.0, "v": 0.0} and doc["value"] == 12.0


def test_hvp_option_takes_the_same_route():
    r = invoke("hessian", "w*w*v", "--at", "w=2,v=3", "--hvp", "0,1", "-o", "plain")
    assert r.stdout.endswith("Hv[w] 4\nHv[v] 0\n")


@pytest.mark.parametrize("args,message", [
    (["w*v", "--dir", "w=1", "--hvp", "1,0"], "--hvp and --dir both give the vector v"),
    (["w*v", "--dir", "q=1"], "--dir q: not an input of the program (inputs: w, v)"),
    (["x = w*v; x, x*w", "--dir", "w=1"], "hessian needs one: pick one with --of NAME"),
    (["x = w*v; x, x*w"], "hessian needs one"),
])
def test_bad_input_is_one_line_exit_2(args, message):
    r = invoke("hessian", *args, "--at", "w=1,v=2")
    assert r.exit_code == 2 and message in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_of_picks_the_single_output():
    r = invoke("hessian", "x = w*v; y = x*w; x, y", "--of", "y", "--at", "w=1,v=1", "--dir", "w=1", "-o", "plain")
    assert r.exit_code == 0 and "Hv[w] 2\nHv[v] 2\n" in r.stdout


def bits(xs):
    """Each number's bits (a nan's sign aside: which nan survives a product is the C
    compiler's choice; every nan shows as nan)."""
    return ["nan" if x != x else struct.pack("<d", x) for x in xs]


def test_the_float_dual_sweep_is_the_dual_number_sweep():
    """derived.hessian's float64 forward over reverse (flat adjoints) gives the dual-number
    reverse sweep's H·v, gradient and values exactly, selects, ties and kinks included."""
    from gradcli.derived.hessian import float_dual_sweep

    D = dual_math(FloatMath)
    texts = [(ex.text, ex.point) for ex in (example(seed, ops=8, inputs=3) for seed in range(20))]
    texts += [("select(w - 1, log(w), w*w*x) + max(w, x, 2)*sqrt(x) + abs(w - x)^x", {"w": 0.5, "x": 0.5}),
              ("hypot(w, x) * atan2(w, x) + relu(w) * tanh(x) / w", {"w": 0.0, "x": 0.0})]
    for text, point in texts:
        program = gradcli.compile_program(text)
        inputs = point_values(program, point)
        v = [1.0 - 0.5 * k for k in range(len(inputs))]
        values, adjoints, _, hv = float_dual_sweep(program, inputs, v)
        duals = forward(program, [Dual(x, t) for x, t in zip(inputs, v)], D)
        adj = reverse(program, duals, D)[0]
        want = [adj[i].tangent for i in program.input_ids]
        assert bits(hv) == bits(want), text
        assert bits(values) == bits([d.value for d in duals])
        assert bits(adjoints) == bits([a.value for a in adj])


def test_tanh_far_out_keeps_its_second_order_term():
    """tanh's partial (1/cosh x)² keeps the dual tangent in range where 1/cosh² x's
    reciprocal tangent −(1/c²)/c² underflowed (x = expm1(e^1.72) ≈ 270: it gave 1.7e-231)."""
    text, at = "tanh(expm1(exp(z)))", {"z": 1.7237849447007823}
    got = hvp(text, at, {"z": 1.0}).hvp[0]
    want = hvp(text, at, {"z": 1.0}, m=MpMath(40, 5)).hvp[0]
    assert want < 0 and abs(got - float(want)) <= 1e-12 * abs(float(want))
