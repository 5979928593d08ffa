"""Bounds that hold: size, depth, long lines, overflow, no big integers, memory per node.

The big runs go through the real binary (`python -m gradcli`) with a subprocess timeout as
the hang guard (never as a measurement) and are marked slow. Documented limits (README,
"Guarantees"): user-function inlining may create at most compiler.MAX_INLINED nodes; past it,
and whenever memory runs out, gradcli exits 2 with a one-line message, never a traceback.
"""

import json
import math
import resource
import subprocess
import sys

import pytest

import gradcli
from gradcli.core import compiler

from conftest import run_cli

GRADCLI = [sys.executable, "-m", "gradcli"]

# Runs `gradcli ARGS` as its child and reports the child's peak RSS (KiB) as its last stderr line.
_PEAK_RSS = (
    "import resource, subprocess, sys\n"
    "r = subprocess.run(sys.argv[1:])\n"
    "sys.stderr.write(f'\\npeak-rss-kib {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\\n')\n"
    "sys.exit(r.returncode)\n"
)


def run_measured(args, timeout=600, limit_bytes=None):
    """(exit code, stdout, stderr, peak RSS in bytes) of `gradcli ARGS` in a fresh process."""
    def limit():
        if limit_bytes:
            resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))

    proc = subprocess.run([sys.executable, "-c", _PEAK_RSS, *GRADCLI, *args], capture_output=True, timeout=timeout,
                          preexec_fn=limit if limit_bytes else None)
    err = proc.stderr.decode("utf-8", "replace")
    err, _, rss = err.rstrip("\n").rpartition("\npeak-rss-kib ")
    return proc.returncode, proc.stdout.decode(), err.lstrip("\n") if err else "", int(rss) * 1024


def chain_program(n):
    """x0 = w; xk = sin(x(k-1))*w for k = 1..n, all on ONE line: 2n + 1 nodes."""
    return "x0 = w; " + "; ".join(f"x{k} = sin(x{k - 1})*w" for k in range(1, n + 1))


def chain_expected(n, w):
    """The chain's value (the same float operations: bit for bit) and d/dw by forward mode."""
    x, dx = w, 1.0
    for _ in range(n):
        x, dx = math.sin(x) * w, math.cos(x) * dx * w + math.sin(x)
    return x, dx


def plain(stdout):
    return {k: float(v) for k, v in (line.split(" ", 1) for line in stdout.splitlines())}


def close(a, b, rel=1e-9):
    return abs(a - b) <= rel * abs(b)


# -- size and depth --------------------------------------------------------------------------


@pytest.mark.slow
def test_a_million_nodes_on_one_ten_megabyte_line_and_the_memory_per_node(tmp_path):
    """10^6 nodes written as one 13 MB line; memory per node = the slope of peak RSS between
    10^5 and 10^6 nodes (so the interpreter's own footprint cancels)."""
    runs = {}
    for n in (50_000, 500_000):
        path = tmp_path / f"chain{n}.txt"
        path.write_text(chain_program(n))
        code, out, err, rss = run_measured(["eval", "--file", str(path), "--at", "w=1.5", "-o", "plain"])
        assert code == 0, err
        value, dw = chain_expected(n, 1.5)
        got = plain(out)
        assert got["value"] == value and close(got["d/dw"], dw), (got, value, dw)
        runs[n] = (2 * n + 1, rss)
    assert (tmp_path / "chain500000.txt").stat().st_size > 10_000_000
    assert "\n" not in (tmp_path / "chain500000.txt").read_text()
    assert len(gradcli.compile_program(chain_program(1000)).graph) == 2001
    (n0, rss0), (n1, rss1) = runs[50_000], runs[500_000]
    per_node = (rss1 - rss0) / (n1 - n0)
    print(f"\npeak RSS {rss0 / 2**20:.0f} MiB at {n0:,} nodes, {rss1 / 2**20:.0f} MiB at {n1:,} nodes: "
          f"{per_node:.0f} bytes per node")
    assert per_node < 2000, f"{per_node:.0f} bytes per node (README says under 2,000)"


@pytest.mark.slow
def test_a_million_deep_nesting(tmp_path):
    path = tmp_path / "deep.txt"
    n = 10**6
    path.write_text("sin(" * n + "w" + ")" * n)
    code, out, err, _ = run_measured(["eval", "--file", str(path), "--at", "w=1", "-o", "plain"])
    assert code == 0, err
    x, d = 1.0, 1.0
    for _ in range(n):
        x, d = math.sin(x), d * math.cos(x)
    got = plain(out)
    assert got["value"] == x and close(got["d/dw"], d)


@pytest.mark.parametrize("text", [
    "(" * 10**5 + "w" + ")" * 10**5,
    "-" * 10**5 + "w",
    "+-" * 10**5 + "w",
    "w^" * 10**5 + "1",
    "max(" * 10**5 + "w" + ", 0)" * 10**5,
    "sin(" * 10**5 + "w" + ")" * 10**5,
    "f(t) = t/2 + 1; " + "f(" * 10**5 + "w" + ")" * 10**5,
    "+".join(["w*w"] * 10**5),
    "x0 = w\n" + "\n".join(f"x{k} = x{k - 1} + 1" for k in range(1, 10**5)),
], ids=["parens", "minus", "plus-minus", "power chain", "max", "sin", "calls", "long sum", "statements"])
def test_deep_and_long_programs_work_in_process(text):
    """Nesting 10^5 deep of every kind (the contract's figure): no recursion anywhere."""
    r = gradcli.evaluate(text, w=1.0)
    assert math.isfinite(r.value) and all(math.isfinite(g) for g in r.gradient.values())
    if text.startswith(("(", "w^", "f(")):  # and through the CLI (not for all: it compiles again)
        code, out, err = run_cli("eval", "-o", "plain", "--at", "w=1", "--", text)
        assert code == 0, err
        assert plain(out) == {"value": r.value, **{f"d/d{k}": g for k, g in r.gradient.items()}}


@pytest.mark.parametrize("command", [["hessian", "--at", "w=2"], ["diff", "--order", "2"]])
@pytest.mark.parametrize("minus", [10**5, 10**5 + 1])
def test_second_order_of_a_deep_minus_chain_does_not_recurse(command, minus):
    """Found by the thorough fuzz: the symbolic derivative took a chain of minus signs off one
    recursive call per sign. (-...-w)*w*w: d2/dw2 = ±6w."""
    code, out, err = run_cli(*command, "-o", "json", "--", "(" + "-" * minus + "w)*w*w")
    assert code == 0 and "Traceback" not in err, err
    if command[0] == "hessian":
        assert json.loads(out)["hessian"] == [[12.0 * (-1) ** minus]]


def test_json_of_a_deep_program_is_linear():
    """The JSON record lists every node and edge; 10^5 of them once took minutes (each edge
    rebuilt the whole list of contributions)."""
    text = "-" * 10**5 + "w"
    code, out, err = run_cli("eval", "-o", "json", "--at", "w=1", "--", text)
    record = json.loads(out)
    assert code == 0 and len(record["nodes"]) == 10**5 + 1 and len(record["edges"]) == 10**5
    assert record["edges"][0]["contribution"] == 1.0


def test_deep_nesting_error_is_one_message():
    code, out, err = run_cli("eval", "--at", "w=1", "--", "(" * 10**5 + "w")
    assert code == 2 and err.startswith("gradcli: line 1, column 100002: unexpected end of the program")
    assert len(err.splitlines()) == 3 and all(len(line) < 120 for line in err.splitlines())


def test_ten_megabyte_line_with_an_error_at_its_end():
    text = "w" + " " * 10**7 + "$"
    code, out, err = run_cli("eval", "--at", "w=1", "--", text)
    assert code == 2
    lines = err.splitlines()
    assert (
        lines[0]
        == "gradcli: line 1, column 10000002: unexpected character '$': "
        "expected an operator (+ - * / ^), ',' or the end of the statement"
    )
    assert len(lines) == 3 and len(lines[1]) <= 80 and lines[1].rstrip().endswith("$") and lines[2].endswith("^")


def test_ten_megabyte_name():
    name = "a" * 10**7
    r = gradcli.evaluate(f"{name} * 2", {name: 3.0})
    assert r.value == 6.0 and r.gradient == {name: 2.0}


def test_exponential_inlining_is_refused_with_a_message(monkeypatch):
    """f(k) = f(k-1)(f(k-1)(t)) doubles at every level: 40 levels would be 2^40 nodes."""
    monkeypatch.setattr(compiler, "MAX_INLINED", 10_000)
    text = "f0(t) = sin(t); " + "; ".join(f"f{k}(t) = f{k - 1}(f{k - 1}(t))" for k in range(1, 41)) + "; f40(w)"
    with pytest.raises(
        gradcli.ProgramError, match=r"calling f40 here would expand to 1,099,511,627,776 nodes: more than 10,000 nodes"
    ):
        gradcli.compile_program(text)
    ok = "f0(t) = sin(t); " + "; ".join(f"f{k}(t) = f{k - 1}(f{k - 1}(t))" for k in range(1, 12)) + "; f11(w)"
    assert len(gradcli.compile_program(ok).graph) == 2**11 + 1


@pytest.mark.slow
def test_exponential_inlining_through_the_binary_at_the_real_limit(tmp_path):
    path = tmp_path / "blowup.txt"
    path.write_text(
        "f0(t) = sin(t); " + "; ".join(f"f{k}(t) = f{k - 1}(f{k - 1}(t))" for k in range(1, 41)) + "; f40(w)"
    )
    code, out, err, rss = run_measured(["eval", "--file", str(path), "--at", "w=1"], timeout=300)
    assert code == 2 and out == ""
    assert err.startswith("gradcli: line 1, column ") and f"more than {compiler.MAX_INLINED:,} nodes" in err, err
    assert len(err.splitlines()) == 3 and "Traceback" not in err


@pytest.mark.slow
def test_out_of_memory_is_a_message_not_a_traceback(tmp_path):
    """Under a 200 MB address-space limit a 10^6-deep program cannot fit: exit 2, one message."""
    path = tmp_path / "deep.txt"
    path.write_text("sin(" * 10**6 + "w" + ")" * 10**6)
    code, out, err, _ = run_measured(["eval", "--file", str(path), "--at", "w=1"], limit_bytes=200 * 2**20)
    assert code == 2, err
    assert err == "gradcli: out of memory: the program (or its output) is too large for this machine\n", err


# -- overflow: inf with a warning, never OverflowError -----------------------------------------


@pytest.mark.parametrize("program, value, where", [
    ("10^400", math.inf, "10^400 (line 1, column 1)"),
    ("exp(1000)", math.inf, "exp(1000) (line 1, column 1)"),
    ("2^2^2^2^2", math.inf, "2^2^2^2^2 (line 1, column 1)"),
    ("9^9^9^9", math.inf, "9^9^9 (line 1, column 3)"),
    ("1e999999", math.inf, "(line 1, column 1)"),
    ("9" * 400, math.inf, "(line 1, column 1)"),
    ("-exp(1000)", -math.inf, "exp(1000) (line 1, column 2)"),
    ("(-10)^401", -math.inf, "(line 1, column 1)"),
    ("pow(10, 400)", math.inf, "10^400 (line 1, column 1)"),
    ("sinh(1000) + cosh(-1000) + expm1(1000)", math.inf, "sinh(1000) (line 1, column 1)"),
    ("1e308 * 10", math.inf, "(line 1, column 1)"),
    ("1e308 + 1e308", math.inf, "(line 1, column 1)"),
    ("10^400 - 10^400", math.nan, "10^400 (line 1, column 1)"),
    ("x^400", math.inf, "x^400 (line 1, column 1)"),
    ("exp(400) * exp(400)", math.inf, "exp(400) * exp(400) (line 1, column 1)"),
])
def test_overflow_is_inf_with_a_warning(program, value, where):
    code, out, err = run_cli("eval", "-o", "json", "--at", "x=1e300", "--", program)
    assert code == 0, err
    got = json.loads(out)["value"]
    assert got == ("nan" if value != value else "inf" if value > 0 else "-inf")
    warnings = [line for line in err.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 1 and where in warnings[0] and "in the forward sweep" in warnings[0], err
    r = gradcli.evaluate(program, x=1e300)  # the library: no OverflowError either
    assert r.warnings and (r.value == value or value != value)


def test_overflow_in_the_reverse_sweep_is_named():
    code, out, err = run_cli("eval", "-o", "plain", "--at", "x=1", "--", "1e300*sin(1e300*x)")
    assert code == 0 and math.isfinite(plain(out)["value"]) and plain(out)["d/dx"] == -math.inf
    assert err.startswith("warning: the reverse sweep went -inf on the edge into") and "overflows" in err
    code, _, err = run_cli("eval", "--strict", "--at", "x=1", "--", "1e300*sin(1e300*x)")
    assert code == 1 and err.splitlines()[-1] == "gradcli: --strict: not finite: d/dx"


@pytest.mark.parametrize("value", ["9" * 400, "1e999999999", "-1e400", "1" + "0" * 5000])
def test_huge_input_values_are_inf(value):
    code, out, err = run_cli("eval", "-o", "plain", "--at", f"x={value}", "--", "x*2")
    assert code == 0 and abs(plain(out)["value"]) == math.inf


def test_integer_looking_input_is_never_big_integer_arithmetic():
    """Constants and every value are floats, so 9^9^9^9 is math.pow's inf, not a 10^10^8-digit
    integer; the real binary answers it well inside the hang guard."""
    for text in ["9^9^9^9", "99999999999999999999^99999999999", "x^y^z", "2**2**2**2**2**2"]:
        p = gradcli.compile_program(text)
        # a float (a Literal is a float that also keeps its text, for --precision)
        assert all(isinstance(d, float) for op, d in zip(p.graph.op, p.graph.data, strict=True) if op == "const")
        r = gradcli.evaluate(p, x=9, y=9, z=9)
        assert all(type(v) is float for v in r.values) and all(type(a) is float for a in r.adjoints)
        assert r.value == math.inf
    proc = subprocess.run([*GRADCLI, "eval", "9^9^9^9^9^9 * x", "--at", "x=99999999999999999999999", "-o", "plain"],
                          capture_output=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.decode().startswith("value inf")


def test_api_huge_integer_input_is_inf():
    assert gradcli.evaluate("x*2", x=10**400).value == math.inf
    assert gradcli.evaluate("x*2", x=-10**400).value == -math.inf
