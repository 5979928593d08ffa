"""Benchmarks of issue 13: --precision, the uncertainty budget's overhead, Monte Carlo.

    python bench/precision.py                 # everything
    python bench/precision.py uncertainty     # only the uncertainty rows

In-process (the library, as `gradcli eval` calls it), medians of 5 runs after one warm-up;
parsing is outside the timings. Not a test: CI does not run this.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from run import W4_PROGRAM, tanh_chain, wide_sum
from timing import median_time as median
from timing import ratio

from gradcli.core.compiler import compile_program
from gradcli.derived.uncertainty import budget
from gradcli.engine.evaluate import evaluate
from gradcli.io.lines import parse_point
from gradcli.numbers.mp import MpMath


def main():
    rows = []
    workloads = [("W2 tanh chain, 1,000 steps", tanh_chain(1000), "w=0.5"),
                 ("100-node program (wide sum)", wide_sum(15, 5), "v0=1,v1=2,v2=0.5,v3=1.5,v4=0.7")]
    for label, text, at in [] if "uncertainty" in sys.argv[1:] else workloads:
        program = compile_program(text)
        point = parse_point([at])
        f64 = median(lambda: evaluate(program, point))
        for digits in (50, 1000):
            m = MpMath(digits, len(program.graph))
            mp = median(lambda: evaluate(program, point, m=m), repeat=3 if digits > 50 else 5)
            rows.append((f"{label}: --precision {digits} ({len(program.graph)} nodes)", mp, mp / f64, "× float64 eval"))
    chain = compile_program(tanh_chain(1000))
    w, w_u = parse_point(["w=0.5"]), parse_point(["w=0.5±0.01"])
    first, base, _ = ratio(lambda: budget(evaluate(chain, w_u), w_u), lambda: evaluate(chain, w), 11, 5)
    rows.append(("W2 (1,000 steps) eval with ± (first order) vs plain eval", first, first / base, "× eval"))
    program = compile_program(W4_PROGRAM)
    plain = parse_point(["x1=0.3,x2=-0.7,x3=1.1"])
    uncertain = parse_point(["x1=0.3±0.01,x2=-0.7±0.02,x3=1.1±0.05"])
    first, base, _ = ratio(lambda: budget(evaluate(program, uncertain), uncertain), lambda: evaluate(program, plain), 31, 2000)
    rows.append(("W4 eval with ± (first order) vs plain eval", first, first / base, "× eval"))
    second = median(lambda: budget(evaluate(program, uncertain), uncertain, "second-order"), repeat=21)
    rows.append(("W4 second order", second, second / base, "× eval"))
    result = evaluate(program, uncertain)
    mc = median(lambda: budget(result, uncertain, "mc:1000000"), repeat=3)
    rows.append(("W4 Monte Carlo, 10^6 samples", mc, None, ""))
    mc = median(lambda: budget(result, uncertain, "mc:1000000", {("x1", "x2"): 0.3}), repeat=3)
    rows.append(("W4 Monte Carlo, 10^6 samples, x1 and x2 correlated", mc, None, ""))
    for label, t, times, what in rows:
        extra = f"  ({times:.2f}{what})" if times else ""
        print(f"{label:62s} {t * 1000:10.3f} ms{extra}")


if __name__ == "__main__":
    main()
