"""Benchmarks: gradcli on the workloads of issue 6, and the peers a user would otherwise pick.

    python bench/run.py                 # everything, medians of 3 fresh processes
    python bench/run.py --quick         # smaller sizes, one run each
    python bench/run.py --only W1,W5    # some workloads
    python bench/run.py --json out.json # also write the raw figures

Every figure comes from a fresh process (`os.wait4` gives its peak RSS). gradcli's phases
(parse/build, forward sweep, reverse sweep, output) are timed inside a child process through
the library; "process" is the whole `gradcli` command as a shell runs it. Peers (torch,
autograd, casadi, jax, qalc) run when installed and are skipped otherwise; their "in-process"
time is build + gradient, excluding `import`. Not a test: CI does not run this.
"""

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
W4_PROGRAM = "tanh(0.5*x1 - 1.2*x2 + 0.3*x3 + 0.1) * sigmoid(x1*x2) + log1p(x3^2)"


# -- workloads ---------------------------------------------------------------------------


def nested_chain(n):
    return "sin(" * n + "w" + ")" * n


def assigned_chain(n):
    return "x0 = w\n" + "\n".join(f"x{i} = sin(x{i - 1})" for i in range(1, n + 1)) + "\n"


def tanh_chain(n):
    return "x0 = w\n" + "\n".join(f"x{i} = tanh(x{i - 1}*x{i - 1} + x{i - 1})" for i in range(1, n + 1)) + "\n"


def wide_sum(terms, inputs, seed=1):
    rng = random.Random(seed)
    parts = [f"{rng.uniform(-1, 1):.3f}*sin({rng.uniform(0.5, 2):.3f}*v{rng.randrange(inputs)})" for _ in range(terms)]
    return " + ".join(parts)


def points_csv(path, n, seed=2):
    rng = random.Random(seed)
    with open(path, "w") as f:
        f.write("x1,x2,x3\n")
        for _ in range(n):
            f.write(f"{rng.uniform(-2, 2):.6f},{rng.uniform(-2, 2):.6f},{rng.uniform(-2, 2):.6f}\n")


def batch_file(path, n, seed=3, distinct=False):
    """n lines of about 10 nodes each with their own point; `distinct`: every program text
    differs (a coefficient per line), so none is compiled twice."""
    rng = random.Random(seed)
    shapes = [
        "sin(a)*b + a^2",
        "exp(-a*a) * cos(b) - a/b",
        "tanh(a*b + c) + log1p(a*a)",
        "sqrt(a*a + b*b) * sigmoid(c)",
    ]
    with open(path, "w") as f:
        for _ in range(n):
            s = rng.choice(shapes)
            if distinct:
                s = f"{rng.uniform(0.5, 2):.6f}*{s}"
            f.write(f"{s} @ a={rng.uniform(0.1, 2):.4f}, b={rng.uniform(0.1, 2):.4f}, c={rng.uniform(-1, 1):.4f}\n")


# -- measuring ---------------------------------------------------------------------------


TIME = shutil.which("time") or ("/usr/bin/time" if os.path.exists("/usr/bin/time") else None)


def run(cmd, env=None):
    """Wall time (s) and peak RSS (bytes) of one fresh process; its stdout goes nowhere.

    The peak RSS comes from GNU time (`%M`) when installed: a process forked from this
    benchmark (or vforked: exec keeps the old image's high-water mark) would report at least
    the benchmark's own size; time's child starts from time's small image."""
    err = tempfile.TemporaryFile()
    wrapped = [TIME, "-f", "gradcli-bench-rss %M", *cmd] if TIME else cmd
    start = time.perf_counter()
    proc = subprocess.run(wrapped, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, env=env)
    wall = time.perf_counter() - start
    err.seek(0)
    text = err.read().decode(errors="replace")
    err.close()
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{cmd[:3]} failed: {text[-500:]}")
    marks = [line for line in text.splitlines() if line.startswith("gradcli-bench-rss ")]
    return wall, int(marks[-1].split()[1]) * 1024 if marks else float("nan")


def child_json(code, *args):
    """Run a Python snippet in a fresh interpreter; it prints one JSON object."""
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(out.stderr[-800:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def median_of(repeat, fn):
    runs = [fn() for _ in range(repeat)]
    if isinstance(runs[0], dict):
        return {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    return tuple(statistics.median(r[k] for r in runs) for k in range(len(runs[0])))


PHASES = r"""
import json, sys, time, resource
t0 = time.perf_counter()
import gradcli
from gradcli.render import render
from gradcli.core.compiler import compile_program
from gradcli.engine.forward import forward, point_values
from gradcli.engine.reverse import reverse
text = open(sys.argv[1]).read()
point = json.loads(sys.argv[2])
rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t1 = time.perf_counter(); program = compile_program(text)
t2 = time.perf_counter(); values = forward(program, point_values(program, point))
t3 = time.perf_counter(); adjoints, partials, notes = reverse(program, values)
t4 = time.perf_counter()
result = gradcli.Result(program, values, adjoints, partials, [], [])
render(result, "plain")
t5 = time.perf_counter()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"import": t1 - t0, "parse_build": t2 - t1, "forward": t3 - t2, "reverse": t4 - t3,
                  "output": t5 - t4, "nodes": len(program.graph), "rss_growth": (rss - rss0) * 1024}))
"""

LARK_ONLY = r"""
import json, sys, time
from lark import Lark
from gradcli.core.compiler import grammar_path
text = open(sys.argv[1]).read()
parser = Lark(grammar_path().read_text(), parser="lalr", lexer="contextual")
t = time.perf_counter(); parser.parse(text); print(json.dumps({"lark_tree_parse": time.perf_counter() - t}))
"""

TORCH = r"""
import json, sys, time
import torch
kind, n = sys.argv[1], int(sys.argv[2])
t = time.perf_counter()
w = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
x = w
for _ in range(n):
    x = torch.sin(x) if kind == "W1" else torch.tanh(x * x + x)
x.backward()
g = w.grad.item()
print(json.dumps({"t": time.perf_counter() - t}))
"""

AUTOGRAD = r"""
import json, sys, time
import autograd.numpy as np
from autograd import grad
kind, n = sys.argv[1], int(sys.argv[2])
def f(w):
    x = w
    for _ in range(n):
        x = np.sin(x) if kind == "W1" else np.tanh(x * x + x)
    return x
t = time.perf_counter(); grad(f)(0.5); print(json.dumps({"t": time.perf_counter() - t}))
"""

CASADI = r"""
import json, sys, time
import casadi as ca
kind, n = sys.argv[1], int(sys.argv[2])
t = time.perf_counter()
w = ca.SX.sym("w"); x = w
for _ in range(n):
    x = ca.sin(x) if kind == "W1" else ca.tanh(x * x + x)
F = ca.Function("f", [w], [x, ca.gradient(x, w)])
t1 = time.perf_counter(); F(0.5); t2 = time.perf_counter()
print(json.dumps({"t": t1 - t, "run": t2 - t1}))
"""

NUMPY_W4 = r"""
import json, sys, time
import numpy as np
n = int(sys.argv[1])
rng = np.random.default_rng(2)
x1, x2, x3 = (rng.uniform(-2, 2, n) for _ in range(3))
best = 9e9
for _ in range(3):
    t = time.perf_counter()
    y = np.tanh(0.5*x1 - 1.2*x2 + 0.3*x3 + 0.1) * (1/(1+np.exp(-(x1*x2)))) + np.log1p(x3**2)
    best = min(best, time.perf_counter() - t)
print(json.dumps({"t": best}))
"""


VECTOR_W4 = r"""
import json, sys, time
import numpy as np
from gradcli.core.compiler import compile_program
from gradcli.io.points import sweep_columns
n, program_text, chunk = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
program = compile_program(program_text)
rng = np.random.default_rng(2)
cols = dict(zip(("x1", "x2", "x3"), (rng.uniform(-2, 2, n) for _ in range(3))))
best = 9e9
for _ in range(3):
    t = time.perf_counter()
    for lo in range(0, n, chunk):
        sweep_columns(program, [cols[k][lo:lo + chunk] for k in program.input_names], min(chunk, n - lo), program.input_ids)
    best = min(best, time.perf_counter() - t)
print(json.dumps({"t": best}))
"""


def have(module):
    return subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True).returncode == 0


def gradcli_cmd(*args):
    exe = shutil.which("gradcli")
    return [exe, *args] if exe else [sys.executable, "-m", "gradcli", *args]


# -- the report --------------------------------------------------------------------------


def fmt_s(x):
    return "—" if x is None else (f"{x * 1000:.1f} ms" if x < 1 else f"{x:.2f} s")


def fmt_mb(x):
    return "—" if x is None else f"{x / 2**20:.0f} MiB"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes, one run each")
    ap.add_argument("--only", help="comma-separated workload names (W1,W2,W3,W4,W5,WB)")
    ap.add_argument("--repeat", type=int, help="fresh processes per figure (default 3, quick 1)")
    ap.add_argument("--json", help="also write the raw figures here")
    opts = ap.parse_args()
    repeat = opts.repeat or (1 if opts.quick else 3)
    only = set(opts.only.split(",")) if opts.only else None
    big = 10_000 if opts.quick else 100_000
    rows, raw = [], {}
    tmp = Path(tempfile.mkdtemp(prefix="gradcli-bench-"))
    peers = {name: have(name) for name in ("torch", "autograd", "casadi", "jax")}
    peers["qalc"] = shutil.which("qalc") is not None

    def want(w):
        return only is None or w in only

    def gradcli_row(label, text, point, nodes_hint=None):
        path = tmp / f"{label.replace(' ', '_')}.txt"
        path.write_text(text)
        ph = median_of(repeat, lambda: child_json(PHASES, str(path), json.dumps(point)))
        lark = median_of(repeat, lambda: child_json(LARK_ONLY, str(path)))["lark_tree_parse"]
        at = ",".join(f"{k}={v}" for k, v in point.items())
        cmd = gradcli_cmd("eval", "--file", str(path), "--at", at, "-o", "plain")

        def cold_then_warm():
            """The command with an empty cache of compiled programs, then again (a cache hit)."""
            env = dict(os.environ, GRADCLI_CACHE_DIR=tempfile.mkdtemp(dir=tmp))
            return (*run(cmd, env), *run(cmd, env))

        wall, rss, warm, warm_rss = median_of(repeat, cold_then_warm)
        raw[label] = {**ph, "lark_tree_parse": lark, "process": wall, "process_rss": rss,
                      "process_cached": warm, "process_cached_rss": warm_rss}
        beyond = ph["forward"] + ph["reverse"] + ph["output"]
        rows.append(
            [label, f"{int(ph['nodes']):,}", fmt_s(ph["parse_build"]), fmt_s(lark), fmt_s(ph["forward"]),
             fmt_s(ph["reverse"]), f"{ph['reverse'] / max(ph['forward'], 1e-9):.2f}", fmt_s(ph["output"]),
             fmt_s(wall), fmt_s(warm), fmt_mb(rss), f"{ph['rss_growth'] / ph['nodes']:.0f}", fmt_s(beyond)]
        )
        return raw[label]

    def peer_rows(kind, n):
        out = {}
        for name, code in (("torch", TORCH), ("autograd", AUTOGRAD), ("casadi", CASADI)):
            if peers[name]:
                out[name] = median_of(repeat, lambda code=code: child_json(code, kind, str(n)))
        return out

    if want("W1"):
        for n in ([1000, big] if not opts.quick else [1000, big]):
            gradcli_row(f"W1 nested {n}", nested_chain(n), {"w": 0.5})
            gradcli_row(f"W1 assigned {n}", assigned_chain(n), {"w": 0.5})
            raw[f"W1 peers {n}"] = peer_rows("W1", n)
        if not opts.quick:
            gradcli_row("W1 assigned 1000000", assigned_chain(1_000_000), {"w": 0.5})
    if want("W2"):
        for n in (1000, big):
            gradcli_row(f"W2 tanh {n}", tanh_chain(n), {"w": 0.5})
            raw[f"W2 peers {n}"] = peer_rows("W2", n)
    if want("W3"):
        gradcli_row("W3 sum 100000x1000" if not opts.quick else "W3 sum 10000x1000",
                    wide_sum(big, 1000), {f"v{k}": 0.001 * k for k in range(1000)})
    if want("W4"):
        for n in ([100_000] if opts.quick else [100_000, 1_000_000]):
            csv = tmp / f"points{n}.csv"
            points_csv(csv, n)
            wall, rss = median_of(repeat, lambda: run(gradcli_cmd("eval", W4_PROGRAM, "--points", str(csv), "-o", "csv")))
            npt = median_of(repeat, lambda: child_json(NUMPY_W4, str(n)))["t"]
            from gradcli.io.points import Points  # sweep in the CLI's own chunks (W4 is small: full rows)

            chunk = Points.ROWS
            sweeps = median_of(repeat, lambda: child_json(VECTOR_W4, str(n), W4_PROGRAM, str(chunk)))["t"]
            raw[f"W4 {n}"] = {"process": wall, "process_rss": rss, "numpy_forward": npt, "sweeps": sweeps,
                              "points_per_s": n / wall}
    if want("W5"):
        reps = max(repeat, 10)
        cmd = gradcli_cmd("eval", "sin(w)*w", "--at", "w=1", "-o", "plain")
        warm_env = dict(os.environ, GRADCLI_CACHE_DIR=tempfile.mkdtemp(dir=tmp))
        run(cmd, warm_env)
        one = statistics.median(run(cmd, warm_env)[0] for _ in range(reps))
        cold = statistics.median(
            run(cmd, dict(os.environ, GRADCLI_CACHE_DIR=tempfile.mkdtemp(dir=tmp)))[0] for _ in range(reps))
        base = statistics.median(run([sys.executable, "-c", "pass"])[0] for _ in range(reps))
        raw["W5"] = {"gradcli": one, "gradcli_cold": cold, "python_pass": base}
        if peers["qalc"]:
            raw["W5"]["qalc"] = statistics.median(run(["qalc", "-t", "sin(1)*1; diff(sin(x)*x, x, 1, 1)"])[0] for _ in range(reps))
    if want("WB"):
        for distinct in (False, True):
            path = tmp / "batch.txt"
            batch_file(path, big, distinct=distinct)
            wall, rss = median_of(repeat, lambda: run(gradcli_cmd("batch", str(path), "-o", "plain")))
            kind = "distinct programs" if distinct else "4 programs repeated"
            raw[f"WB batch {big}, {kind}"] = {"process": wall, "process_rss": rss, "lines_per_s": big / wall}

    print(f"# gradcli benchmarks ({os.cpu_count()} cores, Python {sys.version.split()[0]}, medians of {repeat})\n")
    if rows:
        print("| workload | nodes | parse+build | lark parse alone | forward | reverse | rev/fwd | output | process | process, cached | peak RSS | RSS B/node | beyond parse |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for r in rows:
            print("| " + " | ".join(r) + " |")
    peer_lines = [(k, v) for k, v in raw.items() if "peers" in k and v]
    if peer_lines:
        print("\n| workload | gradcli (parse+sweeps) | gradcli process | " + " | ".join(n for n in ("torch", "autograd", "casadi")) + " |")
        print("|---|---|---|---|---|---|")
        for k, v in peer_lines:
            kind, _, n = k.split()
            g = raw.get(f"W1 nested {n}") if kind == "W1" else raw.get(f"W2 tanh {n}")
            ours = g["parse_build"] + g["forward"] + g["reverse"]
            cells = []
            for name in ("torch", "autograd", "casadi"):
                if name in v:
                    extra = f" + run {fmt_s(v[name]['run'])}" if "run" in v[name] else ""
                    cells.append(f"{fmt_s(v[name]['t'])}{extra} ({v[name]['t'] / ours:.2f}×)")
                else:
                    cells.append("not installed")
            print(f"| {kind} {int(n):,} | {fmt_s(ours)} | {fmt_s(g['process'])} | " + " | ".join(cells) + " |")
    for k, v in raw.items():
        if k.startswith("W4"):
            print(f"\n{k} points: process {fmt_s(v['process'])} ({v['points_per_s']:,.0f} points/s), peak RSS "
                  f"{fmt_mb(v['process_rss'])}; gradcli's sweeps {fmt_s(v['sweeps'])}, numpy plain forward alone "
                  f"{fmt_s(v['numpy_forward'])} ({v['sweeps'] / v['numpy_forward']:.1f}×)")
        if k.startswith("WB"):
            print(f"\n{k}: {fmt_s(v['process'])} ({v['lines_per_s']:,.0f} lines/s), peak RSS {fmt_mb(v['process_rss'])}")
        if k == "W5":
            extra = f", qalc {fmt_s(v['qalc'])}" if "qalc" in v else ""
            print(f"\nW5 one-shot `sin(w)*w`: gradcli {fmt_s(v['gradcli'])} (cache hit), {fmt_s(v['gradcli_cold'])} "
                  f"(empty cache), python -c pass {fmt_s(v['python_pass'])} ({v['gradcli'] / v['python_pass']:.1f}×){extra}")
    if opts.json:
        Path(opts.json).write_text(json.dumps(raw, indent=2))
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
