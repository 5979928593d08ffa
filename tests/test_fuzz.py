"""Fuzzing the front door: random and mutated byte strings through `gradcli eval` and
`gradcli batch`, in process (gradcli.cli.main, fast) and a sample through the real binary.

What is asserted of every run, exactly:

1. The run ends through main()'s sys.exit with status 0, 1 or 2 (for `eval` without --strict:
   0 or 2). Any other exception escaping main() is the traceback a user would have seen.
2. stderr holds no "Traceback" and no control character other than newline: the program's
   text is echoed in error excerpts, and a raw CR or ESC there would rewrite the user's terminal.
3. Status 2 (eval): stderr is exactly one message, either one line
      `gradcli: MESSAGE`
   or the parse-error display of three lines
      `gradcli: line L, column C: MESSAGE` / `  EXCERPT` / `  ␣␣␣^`
   where C is a real column of line L (1 <= C <= its length + 1) and the caret stands under
   column C of the excerpt. MESSAGE names the position (column C, or byte N of undecodable
   input) or the name at fault (`no value for input w`); the only message with neither is the
   empty program's.
4. Status 0 (eval): stdout is well-formed in the format asked for (strict JSON for json/jsonl,
   the `value` / `d/dNAME` lines for plain, two rows for csv), with one partial per input, and
   every stderr line is a `warning: ` or a `note: `, or the excerpt and caret lines under a
   warning (`  EXCERPT` / `  ␣␣␣^`).
5. batch: status 0 or 1; exactly one JSON record per line that is not blank or a `#` comment
   (a line is what ends at b"\\n"), in order, each carrying its 1-based "line" and either
   "value" and "gradient" or a one-line "error".
6. The Python API: compile_program raises nothing but gradcli.GradcliError.

What the fuzzer found is kept below as explicit regression cases (REGRESSIONS).
"""

import functools
import json
import random
import re
import subprocess
import sys

import pytest
from hypothesis import currently_in_test_context, example, given, note
from hypothesis import strategies as st

import gradcli

from conftest import run_binary, run_cli

CORPUS = [
    "sin(w)*w",
    "f(t) = sin(t); x = f(w); y = f(x); z = f(y)",
    "x^2*y + exp(-x)/y",
    "-x^2",
    "2^-2 + -2^-2 + e^-x",
    "2^3^2 * x",
    "a = sin(w)\nb = a*a + cos(a)\r\nb - a",
    "max(x, y, 1) + min(x) - hypot(x, y) + atan2(y, x)",
    "# comment\n\nx = 1.5e-3 * w ;; y = .5 + 5. + 6.02E+23*w\ny",
    "g(a, b) = a*b + sin(a); h(c) = g(c, c)^2; h(w) + g(w, 2)",
    "sigmoid(x) + softplus(x) + relu(x) + erf(x) + erfc(x) + sign(x) + step(x)",
    "sqrt(x) + cbrt(x) + abs(x) + log(x) + log1p(x) + log2(x) + log10(x) + expm1(x)",
    "asin(x) + acos(x) + atan(x) + sinh(x) + cosh(x) + tanh(x) + asinh(x) + acosh(x+2) + atanh(x/2)",
    "pow(x, y) + x**y + x ^ y",
    "sin (w) * pi - e",
    "\ufeffw*2",
    "x = w; y = x; y",
    "f() = 3; f() * w",
    "((((w))))",
    "10^400 + exp(1000) + 2^2^2^2^2 + 9^9^9^9 + 1e999999",
    "log(-1) + 1/0 + 0/0 + w",
]

TOKENS = [
    b"(", b")", b"^", b"**", b"-", b"+", b"*", b"/", b"=", b",", b";", b"\n", b"\r\n", b"\r", b"#",
    b"1e999999", b"9" * 400, b".", b"1_000", b"\x00", b"\xff", b"\xc3", b"\xe2\x88\x82", b"\xef\xbb\xbf",
    b"\t", b"\x0b", b"\x0c", b"\x1b[31m", b"\x7f", b"\xc2\x85", b"\xe2\x80\xa8", b"pi", b"e", b"sin(",
    b"max(", b"f(a)=", b"x=", b"__import__('os')", b"\xed\xa0\x80", b"\xf0\x9f\x98\x80", b"\xe2\x80\xae",
    b"a" * 3000, b"@", b"@ w=1", b"%", b"!", b"\\", b'"', b"'", b"`", b"{", b"[", b"$x", b"0x1F", b"1e",
    b"1e+", b"..5", b"f(", b"f(t)=t", b"Sin(", b"x x", b"= =", b"\xa0", "\u3000".encode(),
]

VALUES = ["1", "0", "-1", "0.5", "2", "-0.0", "1e308", "-1e-308", "5e-324", "inf", "-inf", "nan", "3.7"]


@st.composite
def fuzz_bytes(draw):
    """A corpus program mutated 1-4 times: truncated, spliced, bytes inserted, replaced or
    deleted, a range repeated, a token dropped in, or wrapped in deep nesting."""
    data = draw(st.sampled_from(CORPUS)).encode()
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.integers(0, 8))
        i = draw(st.integers(0, len(data)))
        if kind == 0:
            data = data[:i]
        elif kind == 1:
            other = draw(st.sampled_from(CORPUS)).encode()
            data = data[:i] + other[draw(st.integers(0, len(other))):]
        elif kind == 2:
            data = data[:i] + draw(st.binary(min_size=1, max_size=6)) + data[i:]
        elif kind == 3 and data:
            j = min(len(data) - 1, i)
            data = data[:j] + draw(st.binary(min_size=1, max_size=1)) + data[j + 1:]
        elif kind == 4:
            data = data[:i] + data[draw(st.integers(i, len(data))):]
        elif kind == 5:
            j = draw(st.integers(i, len(data)))
            data = data[:j] + data[i:j] * draw(st.integers(1, 50)) + data[j:]
        elif kind == 6:
            data = data[:i] + draw(st.sampled_from(TOKENS)) + data[i:]
        elif kind == 7:
            n = draw(st.integers(1, 3000))
            opener, closer = draw(
                st.sampled_from([(b"(", b")"), (b"sin(", b")"), (b"-", b""), (b"w^", b""), (b"max(1,", b")")])
            )
            data = opener * n + data + closer * draw(st.sampled_from([n, max(0, n - 1), n + 1]))
        else:
            data = draw(st.binary(max_size=40))
    return data


# -- the checks --------------------------------------------------------------------------------

_POSITION = re.compile(r"gradcli: line (\d+), column (\d+): \S")
_ONE_LINERS = [
    re.compile(r"gradcli: the program is empty"),
    re.compile(r"gradcli: no value for inputs? [A-Za-z_][A-Za-z0-9_]*"),
    re.compile(r"gradcli: stdin is not UTF-8 text \(byte \d+\)"),
    re.compile(r"gradcli: the program has \d+ outputs \(.*\) and .+ needs one: .*jacobian"),
]
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def check_error(stderr, source):
    """Assertion 3: one message, naming a position or a name, with a sound caret display."""
    lines = stderr.split("\n")
    assert lines[-1] == "", f"stderr does not end with a newline: {stderr!r}"
    lines = lines[:-1]
    assert lines and lines[0].startswith("gradcli: "), stderr
    m = _POSITION.match(lines[0])
    if m is None:
        assert len(lines) == 1 and any(p.match(lines[0]) for p in _ONE_LINERS), f"unexpected message: {stderr!r}"
        return
    assert len(lines) == 3, f"a positioned error is the message, the excerpt and the caret: {stderr!r}"
    line_no, col = int(m.group(1)), int(m.group(2))
    source_lines = source.removeprefix("\ufeff").split("\n")
    assert 1 <= line_no <= len(source_lines), stderr
    text = source_lines[line_no - 1].rstrip("\r")
    assert 1 <= col <= len(text) + 1, f"column {col} is not in line {line_no} ({len(text)} characters): {stderr!r}"
    shown, caret = lines[1], lines[2]
    assert shown.startswith("  ") and re.fullmatch(r"  +\^", caret), stderr
    k = len(caret) - 1
    if col <= len(text) and k < len(shown) and shown[k] != "…":
        ch = text[col - 1]
        if ch.isprintable():
            assert shown[k] == ch, f"the caret is not under column {col}: {stderr!r}"
        else:  # a tab shows as a space, another unprintable character as a printable stand-in
            assert shown[k].isprintable() and shown[k] != ch, stderr


def check_stderr(stderr):
    """Assertion 2."""
    assert "Traceback" not in stderr, stderr
    assert not _CONTROL.search(stderr), f"a control character on stderr: {stderr!r}"


def check_output(fmt, stdout, stderr, inputs):
    """Assertion 4."""
    lines = stderr.splitlines()
    k = 0
    while k < len(lines):
        assert lines[k].startswith(("warning: ", "note: ")), stderr
        shown = lines[k + 1:k + 3]
        under = len(shown) == 2 and shown[0].startswith("  ") and re.fullmatch(r"  +\^", shown[1])
        k += 3 if lines[k].startswith("warning: ") and under else 1
    if fmt in ("json", "jsonl"):
        record = json.loads(stdout, parse_constant=_no_constant)
        assert set(record) >= {"value", "gradient"} and list(record["gradient"]) == inputs
        assert fmt == "json" or stdout.count("\n") == 1, stdout
        for v in [record["value"], *record["gradient"].values()]:
            assert isinstance(v, float | int) or v in ("nan", "inf", "-inf"), v
    elif fmt == "plain":
        lines = stdout.splitlines()
        assert [line.split(" ")[0] for line in lines] == ["value"] + [f"d/d{name}" for name in inputs], stdout
        for line in lines:
            float(line.split(" ", 1)[1])
    elif fmt == "csv":
        rows = stdout.splitlines()
        assert len(rows) == 2 and rows[0].split(",") == ["value"] + [f"d/d{name}" for name in inputs], stdout
        [float(cell) for cell in rows[1].split(",")]
    else:
        assert stdout.startswith("Result") or "Result" in stdout.splitlines()[0], stdout


def _no_constant(name):
    raise AssertionError(f"JSON with a bare {name}: not RFC 8259")


def compile_or_error(text):
    """Assertion 6: the API compiles or raises a GradcliError, nothing else."""
    try:
        return gradcli.compile_program(text)
    except gradcli.GradcliError:
        return None


def fuzz_eval(data, how, fmt, values):
    """One fuzz input through `gradcli eval` in process, with every check."""
    if how == "argv":
        text = data.replace(b"\0", b"").decode("utf-8", "surrogateescape")  # as a shell passes it
        stdin = b""
    else:
        text = data.decode("utf-8", "surrogateescape")
        stdin = data
    decodable = _decodes(data)
    program = compile_or_error(text) if how == "argv" or decodable else None
    inputs = program.input_names if program else []
    at = [f"--at={name}={values[k % len(values)]}" for k, name in enumerate(inputs)]
    args = ["eval", "-o", fmt, *at] + (["--", text] if how == "argv" else ["--file", "-"])
    code, out, err = run_cli(*args, input=stdin)
    if currently_in_test_context():
        note(f"exit {code}\nstdout {out!r}\nstderr {err!r}")
    assert code in (0, 2), f"exit status {code}"
    check_stderr(err)
    if code == 2:
        check_error(err, text if how == "argv" else text.removeprefix("\ufeff"))
        assert program is None or len(program.outputs) > 1, "the API compiled it but the CLI refused it"
    else:
        assert program is not None, "the CLI accepted what the API refused"
        check_output(fmt, out, err, inputs)
    return code


def _decodes(data):
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


REGRESSIONS = [
    # the program's own CR and ESC were echoed raw into the error excerpt (fixed in errors.excerpt)
    b"x +\r y $",
    b"w + \x1b]0;pwned\x07",
    b"sin(w\x0b)",
    b"\xc2\x85w)",
    b"\x00",
    b"w\x00",
    b"\xff\xfe",
    b"\xef\xbb\xbf\xef\xbb\xbfw",
    b"1e999999^w",
    b"9" * 400 + b"*w",
    b"a" * 3000 + b"(",
    b"(" * 3000 + b"w",
    b"w" + b")" * 50,
    b"f(t)=t\n" * 3,
    b"__import__('os').system('true')",
    b"\xed\xa0\x80",
    b"x = \xe2\x80\xae w",
    b"\r",
    b"\r\r\nw",
    b";",
    b"",
    b"\xe2\x80\xa8w",
    # a parse error at a CRLF line end put the caret one column past the line (fixed in errors.locate)
    b"f(\r\nt) = sin(t); x = f(w)",
    # a literal whose exponent Decimal cannot hold crashed the constant's hash-consing key
    b" + 1e999999999999999999999",
    b"10e999999999999999999998 - 1e999999999999999999999 + 0e999999999999999999999",
    # several outputs: one line naming jacobian (the oracle did not know the message)
    b"max(x, y, 1) + min(x) - hypot(x, y), + atan2(y, x)",
]


def _id(data):
    return repr(data if len(data) <= 24 else data[:20] + b"...")[2:-1]


@pytest.mark.parametrize("data", REGRESSIONS, ids=_id)
@pytest.mark.parametrize("how", ["argv", "stdin"])
def test_fuzz_regressions(data, how):
    fuzz_eval(data, how, "json", VALUES)


@given(fuzz_bytes(), st.sampled_from(["argv", "stdin"]), st.sampled_from(["plain", "json", "jsonl", "csv", "table"]),
       st.lists(st.sampled_from(VALUES), min_size=1, max_size=4))
@example(b"sin(w)*w", "argv", "plain", ["1"])
def test_fuzz_eval_in_process(data, how, fmt, values):
    fuzz_eval(data, how, fmt, values)


@given(st.binary(max_size=200), st.sampled_from(["argv", "stdin"]))
def test_random_bytes_in_process(data, how):
    fuzz_eval(data, how, "json", VALUES)


# -- batch -----------------------------------------------------------------------------------


def expected_lines(data):
    """1-based numbers of the lines of `data` that hold a program (not blank, not a # comment)."""
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    if lines:
        lines[0] = lines[0].removeprefix(b"\xef\xbb\xbf")
    return [k for k, raw in enumerate(lines, 1) if raw.strip() and not raw.strip().startswith(b"#")]


def check_batch(data, code, out, err):
    """Assertion 5."""
    assert code in (0, 1), f"exit status {code}: {err!r}"
    check_stderr(err)
    records = [json.loads(line, parse_constant=_no_constant) for line in out.splitlines()]
    assert [r["line"] for r in records] == expected_lines(data), "a line lost, added or out of order"
    for r in records:
        if "error" in r:
            assert r["error"] and "\n" not in r["error"], r
        else:
            assert "value" in r and "gradient" in r, r
    assert (code == 1) == any("error" in r for r in records), (code, err)


@given(st.lists(fuzz_bytes(), min_size=1, max_size=8), st.sampled_from([b"\n", b"\r\n"]))
def test_fuzz_batch_in_process(programs, newline):
    data = newline.join(p.replace(b"\n", b" ") for p in programs) + newline
    code, out, err = run_cli("batch", "-", "-o", "jsonl", "--at", "w=1,x=0.5,y=2,t=3,a=1", input=data)
    note(f"exit {code}\nstdout {out!r}\nstderr {err!r}")
    check_batch(data, code, out, err)


# -- every other command that reads a program, and --points ---------------------------------------

OTHER_COMMANDS = [
    ["eval", "--strategy", "recompute"],
    ["eval", "--strategy", "checkpoint"],
    ["eval", "--stats", "-o", "json"],
    ["diff"],
    ["diff", "--inline"],
    ["hessian"],
    ["check"],
    ["explain"],
    ["graph"],
    ["graph", "--backward", "--format", "dot"],
]


@functools.cache
def _help(command):
    return run_cli(command, "--help")


def available(command):
    """Does the CLI have this command, with these options?"""
    code, out, _ = _help(command[0])
    return code == 0 and all(opt in out for opt in command[1:] if opt.startswith("--"))


@given(fuzz_bytes(), st.sampled_from(OTHER_COMMANDS))
def test_fuzz_every_command_in_process(data, command):
    """Assertions 1-3 for every command that reads a program: exit 0, 1 or 2, no traceback,
    no control character on stderr, and an error is one message (with the caret display when
    it has a position)."""
    text = data.replace(b"\0", b"").decode("utf-8", "surrogateescape")
    program = compile_or_error(text)
    names = program.input_names if program and available([command[0], "--at"]) else []
    at = [f"--at={name}={VALUES[k % len(VALUES)]}" for k, name in enumerate(names)]
    code, out, err = run_cli(*command, *at, "--", text)
    note(f"exit {code}\nstdout {out[:2000]!r}\nstderr {err!r}")
    assert code in (0, 1, 2), f"exit status {code}"
    check_stderr(err)
    if code == 2:
        message = [line for line in err.splitlines() if line.startswith("gradcli: ")]
        assert len(message) == 1, err
        if _POSITION.match(message[0]):
            check_error(err[err.index("gradcli: "):], text)
        else:
            assert err.endswith(message[0] + "\n"), err


@st.composite
def points_bytes(draw):
    """A points file: CSV with a header or JSON Lines, then mutated like a program."""
    rows = draw(st.lists(st.tuples(st.sampled_from(VALUES), st.sampled_from(VALUES)), max_size=6))
    if draw(st.booleans()):
        data = b"w,x\n" + b"".join(f"{a},{b}\n".encode() for a, b in rows)
    else:
        data = b"".join(json.dumps({"w": a, "x": b}).encode() + b"\n" for a, b in rows)
    for _ in range(draw(st.integers(0, 3))):
        i = draw(st.integers(0, len(data)))
        data = (
            data[:i]
            + draw(st.one_of(st.binary(max_size=4), st.sampled_from(TOKENS + [b",", b'"', b"{}", b"[1]", b"null"])))
            + data[i:]
        )
    return data


@given(points_bytes(), st.sampled_from(["jsonl", "csv", "plain"]))
def test_fuzz_points_in_process(data, fmt):
    """--points FILE: exit 0, 1 or 2, no traceback; with jsonl, every record is one JSON line
    carrying its "line" (increasing), and a failed point makes the exit status 1."""
    code, out, err = run_cli("eval", "w * x + sin(w)", "--points", "-", "-o", fmt, input=data)
    note(f"exit {code}\nstdout {out!r}\nstderr {err!r}")
    assert code in (0, 1, 2), f"exit status {code}"
    check_stderr(err)
    if code == 2:
        assert len(err.splitlines()) == 1 and err.startswith("gradcli: "), err
    if fmt == "jsonl" and code != 2:
        records = [json.loads(line, parse_constant=_no_constant) for line in out.splitlines()]
        lines = [r["line"] for r in records]
        assert lines == sorted(set(lines)), lines
        assert (code == 1) == any("error" in r for r in records), (code, records)


# -- a sample through the real binary -----------------------------------------------------------


def real_sample(n=12, seed=7):
    """A fixed sample of mutated inputs (the regressions, and seeded mutations of the corpus)."""
    rng = random.Random(seed)
    sample = list(REGRESSIONS[:6])
    for _ in range(n):
        data = rng.choice(CORPUS).encode()
        i = rng.randrange(len(data) + 1)
        data = data[:i] + rng.choice(TOKENS) + data[rng.randrange(i, len(data) + 1):]
        sample.append(data)
    return sample


@pytest.mark.parametrize("data", real_sample(), ids=_id)
def test_real_binary_eval(data):
    """Through `python -m gradcli`, stdin carrying the raw bytes; the timeout is the hang guard."""
    program = compile_or_error(data.decode("utf-8", "surrogateescape")) if _decodes(data) else None
    at = [f"--at={name}=1.5" for name in (program.input_names if program else [])]
    proc = run_binary("eval", "-o", "json", "--file", "-", *at, input=data, timeout=60)
    assert proc.returncode in (0, 2), proc.stderr
    check_stderr(proc.stderr)
    if proc.returncode == 2:
        check_error(proc.stderr, data.decode("utf-8", "replace").removeprefix("\ufeff"))
    else:
        check_output("json", proc.stdout, proc.stderr, program.input_names)


def test_real_binary_batch():
    """Every regression and sampled input as one line each of one batch, through the real binary."""
    data = (
        b"\n".join(d.replace(b"\n", b" ").replace(b"\r", b" ") for d in REGRESSIONS + real_sample(40, seed=11)) + b"\n"
    )
    proc = subprocess.run([sys.executable, "-m", "gradcli", "batch", "-o", "jsonl", "--at", "w=1,x=2,y=3"],
                          input=data, capture_output=True, timeout=120)
    check_batch(data, proc.returncode, proc.stdout.decode(), proc.stderr.decode("utf-8", "backslashreplace"))


def test_fuzz_checks_can_fail():
    """The checks are not vacuous: a traceback, a two-line message, a wrong caret all fail."""
    with pytest.raises(AssertionError):
        check_stderr("Traceback (most recent call last):\n")
    with pytest.raises(AssertionError):
        check_error("gradcli: something\nmore\n", "w")
    with pytest.raises(AssertionError):
        check_error("gradcli: line 1, column 9: unexpected end\n  w\n          ^\n", "w")
    with pytest.raises(AssertionError):
        check_error("gradcli: line 1, column 1: unexpected x\n  ab\n   ^\n", "ab")
    check_error("gradcli: line 1, column 2: unexpected end of the program: expected ')'\n  (\n   ^\n", "(")
