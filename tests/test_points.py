"""`gradcli eval PROGRAM --points FILE` through the real CLI, and the numpy number type that
runs the sweeps over whole columns of points: the same numbers as one `eval` per point."""

import itertools
import json
import math
import subprocess
import sys

import numpy as np
import pytest

import gradcli
from gradcli.core.ops import CALLABLE, OPS
from gradcli.io.points import sweep_columns
from gradcli.numbers.arrays import NumpyMath
from gradcli.numbers.float64 import FloatMath

from conftest import run_cli

W4 = "tanh(0.5*x1 - 1.2*x2 + 0.3*x3 + 0.1) * sigmoid(x1*x2) + log1p(x3^2)"


def records(stdout):
    return [json.loads(line) for line in stdout.splitlines()]


def close(a, b, rel=1e-12):
    """Equal, or within `rel` where numpy's SIMD exp/log/tanh/pow differ from the C library's
    in the last bits (a few ulps, more after cancellation, as in tanh' = 1 - tanh²)."""
    if isinstance(a, str) or isinstance(b, str):  # "nan", "inf", "-inf"
        return a == b
    return a == b or (a != a and b != b) or abs(a - b) <= rel * max(abs(a), abs(b))


def eval_at(program, point):
    at = ",".join(f"{k}={v!r}" for k, v in point.items())
    proc = run_cli("eval", "-o", "jsonl", "--at", at, "--", program)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def grid(names, n, seed=0):
    rng = np.random.default_rng(seed)
    return [dict(zip(names, row, strict=True)) for row in rng.normal(0, 2, (n, len(names))).tolist()]


def test_csv_points_equal_eval_at_each_point(tmp_path):
    points = grid(["x1", "x2", "x3"], 4) + [{"x1": 0.0, "x2": -0.0, "x3": 1e300}]
    path = tmp_path / "points.csv"
    path.write_text("x1,x2,x3\n" + "".join(f"{p['x1']!r},{p['x2']!r},{p['x3']!r}\n" for p in points))
    proc = run_cli("eval", W4, "--points", str(path), "-o", "jsonl")
    assert proc.returncode == 0, proc.stderr
    recs = records(proc.stdout)
    assert [r["line"] for r in recs] == [2, 3, 4, 5, 6]  # the header is line 1
    for point, rec in zip(points, recs, strict=True):
        expected = eval_at(W4, point)
        assert close(rec["value"], expected["value"])
        assert rec["gradient"].keys() == expected["gradient"].keys()
        assert all(close(rec["gradient"][k], g) for k, g in expected["gradient"].items())


def test_arithmetic_is_bit_for_bit_the_same_as_eval():
    """+ - * / and sqrt are correctly rounded in numpy and in C: no tolerance at all."""
    program = "(x*y - 3/x) / sqrt(y*y + 1) + x^2 - y^3"
    points = grid(["x", "y"], 3, seed=1)
    csv_text = "x,y\n" + "".join(f"{p['x']!r},{p['y']!r}\n" for p in points)
    proc = run_cli("eval", program, "--points", "-", "-o", "jsonl", input=csv_text)
    for point, rec in zip(points, records(proc.stdout), strict=True):
        expected = eval_at(program, point)
        assert {k: rec[k] for k in expected} == expected


def test_jsonl_points_and_defaults_from_at():
    lines = ['{"x": 1.5, "y": 2}', "", '{"x": -3}', '{"y": 1, "x": "inf", "other": "ignored"}']
    proc = run_cli("eval", "x^2*y", "--points", "-", "-o", "jsonl", "--at", "y=10", input="\n".join(lines))
    assert proc.returncode == 0, proc.stderr
    assert records(proc.stdout) == [
        {"line": 1, "value": 4.5, "gradient": {"x": 6.0, "y": 2.25}},
        {"line": 3, "value": 90.0, "gradient": {"x": -60.0, "y": 9.0}},
        {"line": 4, "value": "inf", "gradient": {"x": "inf", "y": "inf"}},
    ]


def test_the_api_agrees_on_many_points():
    """The vectorised sweeps against one scalar evaluation per point, for a program using
    most of the op table."""
    program = gradcli.compile_program(
        "f(t) = sin(t)*cos(t) + atan2(t, 2); a = f(x) * exp(-y^2) + hypot(x, y) - max(x, y, 1) + min(x, y);"
        "b = softplus(x) + relu(y) * abs(x) + erf(x/3) - erfc(y/3) + cbrt(x*y) + expm1(y/4);"
        "a * sigmoid(b) + log1p(x^2) + sqrt(1 + y^2) + asinh(x) + acosh(2 + y^2) + atanh(tanh(x)/2) + asin(sin(y))/2"
    )
    points = grid(["x", "y"], 300, seed=2) + [{"x": 0.0, "y": 0.0}, {"x": 1.0, "y": 1.0}, {"x": -0.0, "y": 2.0}]
    columns = [np.array([p[name] for p in points]) for name in program.input_names]
    value, partials = sweep_columns(program, columns, len(points), program.input_ids)
    for k, point in enumerate(points):
        r = gradcli.evaluate(program, point)
        assert close(float(value[k]), r.value, 1e-10)
        for name, p in zip(program.input_names, partials, strict=True):
            assert close(float(p[k]), r.gradient[name], 1e-10), (point, name)


SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, -2.0, 3.0, 1e-300, 1e300, -1e300, 710.0, -710.0, 1000.0, -1000.0,
           math.inf, -math.inf, math.nan]


def same(a, b):
    """Equal with the same sign (or both nan), or a few ulps apart (numpy's SIMD functions)."""
    if a != a or b != b:
        return a != a and b != b
    if a == b:
        return math.copysign(1, a) == math.copysign(1, b)
    return not (math.isinf(a) or math.isinf(b)) and abs(a - b) <= 64 * math.ulp(max(abs(a), abs(b)))


@pytest.mark.parametrize("name", sorted(CALLABLE))
def test_numpy_kernels_and_rules_match_the_float_kernels(name):
    """Every function, value and local partials, at every combination of special values:
    the same IEEE nan/inf, signed zeros and conventions as the float64 kernels."""
    op = OPS[name]
    arity = op.arity or 3
    for args in itertools.product(SPECIAL, repeat=arity):
        y = getattr(FloatMath, name)(*args)
        columns = [np.array([a]) for a in args]
        with np.errstate(all="ignore"):
            vy = getattr(NumpyMath, name)(*columns)
            vlocal = op.partials(NumpyMath, vy, *columns)
        assert same(float(np.asarray(vy).ravel()[0]), y), (name, args)
        for v, d in zip(vlocal, op.partials(FloatMath, y, *args), strict=True):
            assert same(float(np.asarray(v).ravel()[0]), d), (name, args)


def test_bad_rows_become_error_records_in_place():
    csv_text = "x,y\n1,2\n\n3,abc\n,1\n7,8,9\n4,5\n1e999,0\n"
    proc = run_cli("eval", "x^2*y", "--points", "-", "-o", "csv", input=csv_text)
    assert proc.returncode == 1
    assert proc.stderr == "gradcli: 3 of 6 points failed\n"
    assert proc.stdout.splitlines() == [
        "line,value,error,d/dx,d/dy",
        "2,2,,4,1",
        "4,,y: 'abc' is not a number,,",
        "5,,x: no value,,",
        "6,,3 values for the 2 columns of the header,,",
        "7,80,,40,16",
        "8,nan,,nan,inf",
    ]


def test_bad_jsonl_rows_and_unreadable_lines():
    data = b'{"x": 1}\n[1]\n{"x": true}\nnot json\n{"x": "\xff"}\n{"x": 1\x00}\n{"y": 2}\n{"x": 2}\n'
    proc = run_cli("eval", "x^2", "--points", "-", "-o", "jsonl", input=data)
    assert proc.returncode == 1
    assert proc.stderr == "gradcli: 6 of 8 points failed\n"
    recs = records(proc.stdout)
    assert [r["line"] for r in recs] == list(range(1, 9))
    assert recs[0] == {"line": 1, "value": 1.0, "gradient": {"x": 2.0}}
    assert recs[1]["error"].startswith("not a JSON object")
    assert recs[2]["error"] == "x: true is not a number"
    assert recs[3]["error"].startswith("not JSON")
    assert recs[4]["error"] == "byte 8 of the line is not UTF-8 text"
    assert recs[5]["error"] == "byte 8 of the line is a NUL byte: this is not text"
    assert recs[6]["error"] == "x: no value (and no --at x=... default)"
    assert recs[7] == {"line": 8, "value": 4.0, "gradient": {"x": 4.0}}


def test_unreadable_csv_rows():
    data = b"x\n1\n\xff\n2\x00\n3\n"
    proc = run_cli("eval", "x^2", "--points", "-", "-o", "jsonl", input=data)
    assert [r.get("error", r.get("value")) for r in records(proc.stdout)] == [
        1.0, "byte 1 of the line is not UTF-8 text", "byte 2 of the line is a NUL byte: this is not text", 9.0]


def test_a_column_missing_from_the_header_is_a_usage_error():
    proc = run_cli("eval", "x*y*z", "--points", "-", input="x\n1\n")
    assert proc.returncode == 2
    assert (
        proc.stderr
        == "gradcli: the points file has no column for inputs y, z: add them to its header, or give --at y=...,z=...\n"
    )
    assert proc.stdout == ""
    filled = run_cli("eval", "x*y*z", "--points", "-", "--at", "y=2,z=3", "-o", "csv", input="x,unused\n1,junk\n")
    assert filled.stdout == "line,value,error,d/dx,d/dy,d/dz\n2,6,,6,3,2\n"
    assert run_cli("eval", "x", "--points", "-", input="x,x\n1,2\n").returncode == 2
    assert run_cli("eval", "x", "--points", "-", "--json", input="x\n1\n").returncode == 2
    assert run_cli("eval", "x", "--points", "nope.csv").returncode == 2
    assert run_cli("eval", "--file", "-", "--points", "-", input="x").returncode == 2


def test_wrt_quiet_digits_and_plain():
    csv_text = "y,x\n2,3\n0.5,1\n"
    proc = run_cli("eval", "x^2*y", "--points", "-", "--wrt", "y", "-q", input=csv_text)
    assert proc.stdout == "9\n1\n"
    proc = run_cli("eval", "x^2*y", "--points", "-", "--digits", "2", input="x,y\n3.14159,2\n")
    assert proc.stdout == "20\t13\t9.9\n"
    assert run_cli("eval", "x", "--points", "-", "--wrt", "q", input="x\n1\n").returncode == 2


def test_crlf_bom_quotes_and_blank_lines():
    data = '\ufeff"x", "y"\r\n1,2\r\n\r\n"3",4\r\n5,6'.encode()
    proc = run_cli("eval", "x*y", "--points", "-", "-o", "csv", input=data)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "line,value,error,d/dx,d/dy\n2,2,,2,1\n4,12,,4,3\n5,30,,6,5\n"


def test_no_points_no_records():
    for text in ["", "x\n", "\n\n"]:
        proc = run_cli("eval", "x", "--points", "-", "-o", "jsonl", input=text)
        assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")
    assert run_cli("eval", "x", "--points", "-", "-o", "csv", input="x\n").stdout == "line,value,error,d/dx\n"


def test_a_program_without_inputs_and_the_strict_flag():
    proc = run_cli("eval", "2^0.5", "--points", "-", "-o", "csv", input="x\n1\n2\n")
    assert proc.stdout == "line,value,error\n2,1.4142135623730951,\n3,1.4142135623730951,\n"
    strict = run_cli("eval", "log(x)", "--points", "-", "--strict", input="x\n1\n0\n-1\n")
    assert strict.returncode == 1
    assert strict.stdout == "0\t1\n-inf\tinf\nnan\t-1\n"
    assert strict.stderr == "gradcli: 2 of 3 points failed\n"


def test_many_points_cross_chunk_boundaries(tmp_path):
    """Enough rows for several blocks of input and several sweeps per block, with a bad row in
    the middle: every point once, in order."""
    n = 200_000
    rng = np.random.default_rng(3)
    xs = rng.normal(size=n).tolist()
    rows = [f"{x!r}\n" for x in xs]
    rows[123_456] = "oops\n"
    path = tmp_path / "many.csv"
    path.write_text("x\n" + "".join(rows))
    proc = run_cli("eval", "x^2 + 1", "--points", str(path), "-o", "csv", timeout=300)
    assert proc.returncode == 1
    out = proc.stdout.splitlines()
    assert len(out) == n + 1
    assert out[123_457] == "123458,,x: 'oops' is not a number,"
    for k in (0, 1, 99_999, 199_999):
        line, value, _, d = out[k + 1].split(",")
        assert (int(line), float(value), float(d)) == (k + 2, xs[k] ** 2 + 1, 2 * xs[k])


def test_numpy_is_imported_only_for_points():
    def modules(*args, stdin="x @ x=1\n"):
        proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "gradcli", *args], input=stdin.encode(),
                              capture_output=True, timeout=60)
        return {
            line.split("|")[-1].strip() for line in proc.stderr.decode().splitlines() if line.startswith("import time")
        }

    assert "numpy" not in modules("batch", "-o", "jsonl")
    assert "rich" not in modules("batch", "-o", "jsonl")
    assert "numpy" in modules("eval", "x", "--points", "-", stdin="x\n1\n")


@pytest.mark.slow
def test_memory_stays_flat_with_the_number_of_points(tmp_path):
    from test_batch import peak_rss_kb

    def points(n):
        path = tmp_path / f"points{n}.csv"
        rng = np.random.default_rng(4)
        path.write_text("x1,x2,x3\n" + "".join(f"{a!r},{b!r},{c!r}\n" for a, b, c in rng.normal(size=(n, 3)).tolist()))
        return path

    small, large = points(10_000), points(400_000)
    growth = peak_rss_kb(["eval", W4, "--points", str(large), "-o", "csv"]) - peak_rss_kb(
        ["eval", W4, "--points", str(small), "-o", "csv"])
    # The input is read a megabyte at a time, which the small file does not fill: the large
    # run holds one full block (about 15 MB with its numbers and text); 390,000 more points
    # kept would be well over 50 MB.
    assert growth < 32 * 1024, f"peak RSS grew by {growth} KB for 40x the points"


def test_a_control_character_in_a_header_is_shown_escaped(tmp_path):
    """Found by the thorough fuzz: a duplicate column named \\x01 reached the terminal raw."""
    path = tmp_path / "p.csv"
    path.write_bytes(b"\x01,\x01\n1,2\n")
    r = run_cli("eval", "x", "--points", str(path))
    assert r.returncode == 2 and r.stderr == "gradcli: points file, line 1: column \\x01 appears twice in the header\n"
