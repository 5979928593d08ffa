"""Benchmarks of the derivative drivers (issue 12), in one process, as ratios within one run.

    python bench/derivatives.py            # W2 at 1,000 steps, arrowhead at 1,000 inputs
    python bench/derivatives.py --quick    # smaller, for a smoke run

Each figure is the median of a few runs of the library call (no process start, no parsing).
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gradcli.core.compiler import compile_program
from gradcli.derived.hessian import dual_sweep, hvp
from gradcli.derived.sparse import sparse_hessian
from gradcli.derived.taylor import taylor
from gradcli.engine.evaluate import evaluate
from gradcli.engine.forward import forward, point_values
from gradcli.engine.jacobian import jacobian, jvp, vjp


def tanh_chain(n):
    return "x0 = w\n" + "\n".join(f"x{i} = tanh(x{i - 1}*x{i - 1} + x{i - 1})" for i in range(1, n + 1)) + "\n"


def arrowhead(n):
    text = "x0*(" + " + ".join(f"sin(x0*x{i})" for i in range(1, n)) + ") + " + " + ".join(f"x{i}^3" for i in range(1, n))
    return text, {f"x{i}": 0.001 * (i + 1) for i in range(n)}


def timed(fn, repeat=5):
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    opts = ap.parse_args()
    n, inputs = (200, 100) if opts.quick else (1000, 1000)
    program = compile_program(tanh_chain(n))
    at = {"w": 0.5}
    fwd = timed(lambda: forward(program, point_values(program, at)))
    grad = timed(lambda: evaluate(program, at))
    rows = [
        (f"W2 tanh {n}: forward sweep", fwd, 1.0),
        (f"W2 tanh {n}: gradient (eval)", grad, grad / fwd),
        (f"W2 tanh {n}: jvp", timed(lambda: jvp(program, at, {"w": 1.0})), None),
        (f"W2 tanh {n}: vjp", timed(lambda: vjp(program, at)), None),
        (f"W2 tanh {n}: hvp (forward over reverse)", timed(lambda: hvp(program, at, {"w": 1.0})), None),
        (f"W2 tanh {n}: taylor order 8", timed(lambda: taylor(program, at, {"w": 1.0}, 8), 3), None),
    ]
    several = compile_program("x0 = w\n" + "\n".join(f"x{i} = tanh(x{i - 1}*v + x{i - 1})" for i in range(1, n + 1))
                              + "\n" + ", ".join(f"x{i}" for i in range(n - 4, n + 1)))
    at2 = {"w": 0.5, "v": 0.3}
    for mode in ("forward", "reverse"):
        r = jacobian(several, at2, mode)
        rows.append((f"jacobian 5 outputs x 2 inputs, {mode} ({r.sweeps} sweeps)", timed(lambda mode=mode: jacobian(several, at2, mode)), None))
    text, point = arrowhead(inputs)
    arrow = compile_program(text)
    s = sparse_hessian(arrow, point)
    sparse = timed(lambda: sparse_hessian(arrow, point), 3)
    one = timed(lambda: dual_sweep(arrow, point_values(arrow, point), [1.0] * inputs), 3)
    rows.append((f"arrowhead {inputs}: sparse Hessian ({s.sparsity.sweeps} colours)", sparse, None))
    rows.append((f"arrowhead {inputs}: one H·v sweep; dense = {inputs} of them", one, None))
    rows.append((f"arrowhead {inputs}: dense by {inputs} H·v sweeps (estimated)", one * inputs, one * inputs / sparse))
    print("| workload | seconds | ratio |")
    print("|---|---|---|")
    for label, seconds, ratio in rows:
        ratio = ratio if ratio is not None else seconds / fwd
        print(f"| {label} | {seconds:.4f} | {ratio:.2f} |")
    print("\nratio: to one forward sweep of W2, except the dense-Hessian row (dense / sparse).")


if __name__ == "__main__":
    main()
