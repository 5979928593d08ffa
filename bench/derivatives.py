"""Benchmarks of the derivative drivers (issue 12), in one process, as ratios within one run.

    python bench/derivatives.py            # W2 at 1,000 steps; the dense Hessian at 1,000 inputs
    python bench/derivatives.py --quick    # smaller, and no dense Hessian: a smoke run

Each ratio is of two library calls timed in alternation (bench/timing.py): no process start,
no parsing. "A forward sweep" is engine.forward.forward at the same point, the unit of every
target but vjp's (whose unit is eval's gradient) and the dense Hessian's. Not a test.

jvp, hvp and the Jacobians run interpreted until a program's calls have cost what staging it
is expected to (engine.tiers), then staged: each is timed both ways, interpreted (what one
call from the command line costs) and staged (a loop over one program, after the calls it
took to get there, whose count and CPU seconds, staging included, are in the label).
"""

import argparse
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from run import tanh_chain
from timing import median_time, ratio, seconds

from gradcli.core.compiler import compile_program
from gradcli.derived.hessian import hessian, hvp
from gradcli.derived.sparse import sparse_hessian
from gradcli.derived.taylor import taylor
from gradcli.engine import tiers
from gradcli.engine.evaluate import evaluate
from gradcli.engine.forward import forward, point_values
from gradcli.engine.jacobian import jacobian, jvp, vjp


def arrowhead(n):
    text = "x0*(" + " + ".join(f"sin(x0*x{i})" for i in range(1, n)) + ") + " + " + ".join(f"x{i}^3" for i in range(1, n))
    return text, {f"x{i}": 0.001 * (i + 1) for i in range(n)}


def outputs_chain(n, inputs, outputs):
    """A W2-like chain mixing `inputs` inputs, its last `outputs` steps the outputs."""
    vs = [f"v{k}" for k in range(inputs)]
    lines = ["x0 = v0"] + [f"x{i} = tanh(x{i - 1}*{vs[i % inputs]} + x{i - 1})" for i in range(1, n + 1)]
    return "\n".join(lines) + "\n" + ", ".join(f"x{i}" for i in range(n - outputs + 1, n + 1)), {v: 0.3 + 0.1 * k for k, v in enumerate(vs)}


def forward_of(program, at):
    return lambda: forward(program, point_values(program, at))


def both_tiers(label, fn, program, base, target, limit):
    """The rows of one driver: its ratio to `base` interpreted (staging held off), then
    staged, after calling it until its tier was staged."""
    held, tiers.STAGING_SECONDS_PER_NODE = tiers.STAGING_SECONDS_PER_NODE, math.inf
    _, _, x = ratio(fn, base)
    tiers.STAGING_SECONDS_PER_NODE = held
    start, calls = time.process_time(), 0
    while not any(t.staged for t in tiers._tiers.get(program, {}).values()):
        fn()
        calls += 1
    spent = time.process_time() - start
    _, _, y = ratio(fn, base)
    return [(f"{label}, interpreted (one call)", x, "—", None),
            (f"{label}, staged (after {calls} calls, {spent:.2f} s)", y, target, y <= limit)]


def jacobian_rows(n):
    rows = []
    for m, k in ((5, 2), (2, 5)):
        text, at = outputs_chain(n, k, m)
        program = compile_program(text)
        r = jacobian(program, at)
        budget = 1.2 * (min(m, k) + 1)
        label = f"jacobian, {m} outputs × {k} inputs (auto: {r.mode})"
        rows.append((f"{label}: sweeps counted + 1 forward", r.sweeps + 1, f"≤ {budget:.1f}", r.sweeps + 1 <= budget))
        rows += both_tiers(f"{label} / forward sweep", lambda program=program, at=at: jacobian(program, at), program,
                           forward_of(program, at), f"≤ {budget:.1f}", budget)
        # the same budget with a sweep of either kind as the unit: one gradient is two sweeps
        one = program.single(0)
        _, _, g = ratio(lambda program=program, at=at: jacobian(program, at), lambda one=one, at=at: evaluate(one, at))
        rows.append(("  the same, staged / one output's gradient (a forward and a reverse sweep)", g,
                     f"≤ {budget / 2:.1f} gradients", g <= budget / 2))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    opts = ap.parse_args()
    n, inputs = (200, 100) if opts.quick else (1000, 1000)
    program = compile_program(tanh_chain(n))
    at, fwd = {"w": 0.5}, forward_of(program, {"w": 0.5})
    rows = []
    rows += both_tiers(f"W2 {n}: jvp / forward sweep", lambda: jvp(program, at, {"w": 1.0}), program, fwd, "≤ 3", 3)
    _, _, x = ratio(lambda: vjp(program, at), lambda: evaluate(program, at))
    rows.append((f"W2 {n}: vjp / gradient (eval)", x, "≤ 1.1", x <= 1.1))
    _, _, x = ratio(lambda: evaluate(program, at), fwd)
    rows.append((f"W2 {n}: gradient (eval) / forward sweep, for scale", x, "—", None))
    hvp_program = compile_program(tanh_chain(n))  # its own tiers: jvp's are staged by now
    rows += both_tiers(f"W2 {n}: hvp / forward sweep", lambda: hvp(hvp_program, at, {"w": 1.0}), hvp_program, fwd, "≤ 5", 5)
    rows += jacobian_rows(n)
    t = median_time(lambda: taylor(program, at, {"w": 1.0}, 8), 3)
    rows.append((f"W2 {n}: taylor order 8, seconds", t, "< 1 s", t < 1))
    text, point = arrowhead(inputs)
    arrow = compile_program(text)
    one = median_time(lambda: hvp(arrow, point, {"x0": 1.0}), 5)
    s = sparse_hessian(arrow, point)
    sparse = median_time(lambda: sparse_hessian(arrow, point), 3)
    rows.append((f"arrowhead {inputs}: sparse Hessian ({s.sparsity.sweeps} colours) / one hvp", sparse / one, "—", None))
    if not opts.quick:
        dense = seconds(lambda: hessian(arrow, point))
        rows.append((f"arrowhead {inputs}: dense Hessian ({dense:.1f} s) / one hvp", dense / one, "≥ 50", dense / one >= 50))
        rows.append((f"arrowhead {inputs}: dense Hessian / sparse Hessian ({s.sparsity.sweeps} colours, ≤ 3)", dense / sparse,
                     "≥ 100", dense / sparse >= 100 and s.sparsity.sweeps <= 3))
    print("| workload | measured | target | met |")
    print("|---|---|---|---|")
    for label, x, target, met in rows:
        print(f"| {label} | {x:.2f} | {target} | {'—' if met is None else 'yes' if met else 'no'} |")


if __name__ == "__main__":
    main()
