"""`gradcli eval` through the real command line (in process; in subprocesses where the shell
matters: pipes, terminals, the console script):
exact plain output, strict JSON, the --at forms, files and stdin, formats, colour, and every
error path (exit code, one message on stderr, never a traceback)."""

import fcntl
import json
import math
import os
import pty
import re
import shlex
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from conftest import run_binary, run_cli

BOOK = "f(t) = sin(t); x = f(w); y = f(x); z = f(y)"
ESCAPE = "\x1b["


def ok(*args, input=None, env=None):
    """Run gradcli, expect exit 0 and no traceback; return the process."""
    proc = run_cli(*args, input=input, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return proc


def fails(code, *args, input=None, env=None):
    """Run gradcli, expect exit `code`, an empty stdout and one clear message; return stderr."""
    proc = run_cli(*args, input=input, env=env)
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr and "Error:" not in proc.stdout
    assert proc.stderr.strip(), "an error must say something on stderr"
    return proc


def strict_json(text):
    """json.loads that refuses NaN and Infinity, as RFC 8259 does."""

    def refuse(token):
        raise ValueError(f"non-standard JSON constant {token}")

    return json.loads(text, parse_constant=refuse)


# -- plain output ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args,stdout",
    [
        (["sin(w)*w", "--at", "w=1"], "value 0.8414709848078965\nd/dw 1.3817732906760363\n"),
        (["x^2*y", "--at", "x=3,y=2"], "value 18\nd/dx 12\nd/dy 9\n"),
        ([BOOK, "--at", "w=1"], "value 0.6784304773607402\nd/dw 0.26450827039595814\n"),
        (["2 + 3"], "value 5\n"),
        (["x/3", "--at", "x=1"], "value 0.3333333333333333\nd/dx 0.3333333333333333\n"),
        (["1e300*x", "--at", "x=10"], "value 1e+301\nd/dx 1e+300\n"),
        (["--at", "x=0", "--", "-x"], "value -0\nd/dx -1\n"),
        (["x*y", "--at", "y=2,x=0.1"], "value 0.2\nd/dx 2\nd/dy 0.1\n"),
        (["u = q; out = p*2", "--at", "p=1,q=5"], "value 2\nd/dq 0\nd/dp 2\n"),
    ],
)
def test_plain_output(args, stdout):
    proc = ok("eval", *args)
    assert proc.stdout == stdout
    assert proc.stderr == ""


def test_plain_numbers_read_back_to_the_same_floats():
    proc = ok("eval", "exp(x)/7", "--at", "x=0.1")
    value, grad = [float(line.split()[1]) for line in proc.stdout.splitlines()]
    import math

    assert value == math.exp(0.1) / 7 and grad == value


def test_python_dash_m_and_the_console_script_agree():
    script = Path(sys.executable).with_name("gradcli")
    if not script.exists():
        pytest.skip("no gradcli console script beside this python")
    proc = subprocess.run([str(script), "eval", "sin(w)*w", "--at", "w=1"], capture_output=True, text=True)
    assert proc.returncode == 0
    assert proc.stdout == ok("eval", "sin(w)*w", "--at", "w=1").stdout


# -- json ------------------------------------------------------------------------------------------


def test_json_is_one_strict_object_with_every_node_and_edge():
    proc = ok("eval", "x^2*y", "--at", "x=3,y=2", "--json")
    doc = strict_json(proc.stdout)
    assert {"value", "gradient", "output", "inputs", "nodes", "edges", "warnings", "notes"} <= set(doc)
    assert doc["value"] == 18 and doc["gradient"] == {"x": 12, "y": 9}
    assert doc["output"] == "x^2 * y" and doc["inputs"] == ["x", "y"]
    assert [n["op"] for n in doc["nodes"]] == ["input", "const", "pow", "input", "mul"]
    assert [n["id"] for n in doc["nodes"]] == [0, 1, 2, 3, 4]
    assert doc["nodes"][2] == {
        "id": 2, "op": "pow", "label": "x^2", "parents": [0, 1], "value": 9, "adjoint": 2, "role": "gradient"}
    assert doc["nodes"][4]["adjoint"] == 1
    assert {"from", "to", "slot", "partial", "contribution"} <= set(doc["edges"][0])
    edges = {(e["from"], e["to"]): e for e in doc["edges"]}
    assert edges[(0, 2)]["partial"] == 6 and edges[(0, 2)]["contribution"] == 12
    # the 2 in x^2 depends on no input: the gradient does not need its edge, but the edge still
    # carries its true partial d(x^2)/d2 = x^2 log x, and the 2 its true adjoint (version 2)
    assert edges[(1, 2)]["partial"] == 9 * math.log(3) and edges[(1, 2)]["contribution"] == 2 * 9 * math.log(3)
    assert edges[(1, 2)]["role"] == "constant" and doc["nodes"][1]["role"] == "constant"
    assert doc["nodes"][1]["adjoint"] == 2 * 9 * math.log(3)
    assert doc["warnings"] == [] and doc["notes"] == []
    assert proc.stdout == ok("eval", "x^2*y", "--at", "x=3,y=2", "-o", "json").stdout


def test_json_op_names_for_every_operator():
    program = "a = x + y; b = a - x; c = b * y; d = c / x; g = -d; h = g ^ 2; k = h ** y; m = +sin(k) + pi"
    doc = strict_json(ok("eval", program, "--at", "x=1,y=2", "--json").stdout)
    assert [n["op"] for n in doc["nodes"]] == [
        "input", "input", "add", "sub", "mul", "div", "neg", "const", "pow", "pow", "sin", "const", "add",
    ]
    assert [n["label"] for n in doc["nodes"]][:4] == ["x", "y", "a", "b"]


@pytest.mark.parametrize(
    "program,at,value,grad",
    [
        ("1/x", "x=0", "inf", "-inf"),
        ("(-1)/x", "x=0", "-inf", "inf"),
        ("log(x)", "x=-1", "nan", -1),
        ("x", "x=nan", "nan", 1),
    ],
)
def test_json_non_finite_numbers_are_strings(program, at, value, grad):
    proc = ok("eval", program, "--at", at, "--json")
    doc = strict_json(proc.stdout)
    assert doc["value"] == value and doc["gradient"] == {"x": grad}
    assert len(doc["warnings"]) == 1 and doc["warnings"][0] in proc.stderr
    assert "NaN" not in proc.stdout and "Infinity" not in proc.stdout


def test_json_digits_and_notes():
    doc = strict_json(ok("eval", "x/3", "--at", "x=1", "--json", "--digits", "3").stdout)
    assert doc["value"] == 0.333 and doc["nodes"][-1]["value"] == 0.333
    proc = ok("eval", "abs(x)", "--at", "x=0", "--json")
    assert strict_json(proc.stdout)["notes"] == ["abs(x) (line 1, column 1): abs at 0: derivative taken as 0"]
    assert proc.stderr == "note: abs(x) (line 1, column 1): abs at 0: derivative taken as 0\n"


def test_jsonl_and_csv_are_one_record():
    proc = ok("eval", "x^2*y", "--at", "x=3,y=2", "-o", "jsonl")
    assert proc.stdout == '{"value": 18.0, "gradient": {"x": 12.0, "y": 9.0}}\n'
    proc = ok("eval", "1/x", "--at", "x=0", "-o", "jsonl")
    assert strict_json(proc.stdout)["value"] == "inf" and proc.stdout.count("\n") == 1
    proc = ok("eval", "x^2*y", "--at", "x=3,y=2", "-o", "csv")
    assert proc.stdout == "value,d/dx,d/dy\n18,12,9\n"
    proc = ok("eval", "x^2*y", "--at", "x=3,y=2", "-o", "csv", "--wrt", "y")
    assert proc.stdout == "value,d/dy\n18,9\n"


# -- --at ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "at",
    [
        ["--at", "x=3", "--at", "y=2"],
        ["--at", "x=3,y=2"],
        ["--at", "x=3, y=2"],
        ["--at", " x = 3 ,  y= 2 "],
        ["--at", "x=1", "--at", "y=2", "--at", "x=3"],
        ["--at", "x=1,y=2,x=3"],
        ["--at", "x=3,y=2,unused=7", "--at", "other=1"],
        ["--at", "x=3e0,y=.2e1"],
        ["--at", "x=3,y=2,"],
    ],
)
def test_at_forms(at):
    assert ok("eval", "x^2*y", *at).stdout == "value 18\nd/dx 12\nd/dy 9\n"


@pytest.mark.parametrize(
    "at,stdout",
    [
        ("x=inf", "value inf\nd/dx 1\n"),
        ("x=-inf", "value -inf\nd/dx 1\n"),
        ("x=nan", "value nan\nd/dx 1\n"),
        ("x=1e-3", "value 0.001\nd/dx 1\n"),
        ("x=-Infinity", "value -inf\nd/dx 1\n"),
    ],
)
def test_at_values_are_anything_float_reads(at, stdout):
    assert run_cli("eval", "x", "--at", at).stdout == stdout


@pytest.mark.parametrize("spec,shown", [("y2", "'y2'"), ("=3", "'=3'"), ("x=", "'x='"), ("x=abc", "'abc'"),
                                       ("1x=2", "'1x=2'"), ("x=1=2", "'1=2'"), ("x=1,y", "'y'")])
def test_malformed_at_is_named(spec, shown):
    proc = fails(2, "eval", "x", "--at", spec)
    assert proc.stderr.startswith("gradcli: --at ") and shown in proc.stderr
    assert proc.stderr.count("\n") == 1


def test_missing_inputs_are_all_listed_with_the_at_to_add():
    proc = fails(2, "eval", "x*y*z + w", "--at", "y=1")
    assert proc.stderr == "gradcli: no value for inputs x, z, w: add --at x=...,z=...,w=...\n"
    proc = fails(2, "eval", "sin(w)")
    assert proc.stderr == "gradcli: no value for input w: add --at w=...\n"


# -- where the program comes from ------------------------------------------------------------------


def test_program_from_a_file_and_from_stdin(tmp_path):
    path = tmp_path / "book.txt"
    path.write_text("# the book's chain\nf(t) = sin(t)\nx = f(w)\ny = f(x)\nz = f(y)\n")
    want = "value 0.6784304773607402\nd/dw 0.26450827039595814\n"
    assert ok("eval", "--file", str(path), "--at", "w=1").stdout == want
    assert ok("eval", "-f", str(path), "--at", "w=1").stdout == want
    assert ok("eval", "--file", "-", "--at", "w=1", input=path.read_text()).stdout == want
    path.write_bytes(b"\xef\xbb\xbff(t) = sin(t)\r\nx = f(w)\r\ny = f(x)\r\nz = f(y)\r\n")
    assert ok("eval", "--file", str(path), "--at", "w=1").stdout == want


def test_a_program_starting_with_minus_goes_after_double_dash():
    assert ok("eval", "--at", "x=3", "--", "-x^2").stdout == "value -9\nd/dx -6\n"
    assert ok("eval", "--file", "-", "--at", "x=3", input="-x^2\n").stdout == "value -9\nd/dx -6\n"
    fails(2, "eval", "-x^2", "--at", "x=3")


@pytest.mark.parametrize(
    "args,words",
    [
        (["x", "--file", "prog.txt"], "not both"),
        ([], "no program"),
        (["--file", "does-not-exist.txt"], "cannot read does-not-exist.txt"),
        (["--file", "."], "cannot read ."),
        (["--file", "latin1.txt"], "latin1.txt is not UTF-8 text"),
    ],
)
def test_program_source_errors(tmp_path, monkeypatch, args, words):
    (tmp_path / "prog.txt").write_text("x")
    (tmp_path / "latin1.txt").write_bytes("café".encode("latin-1"))
    monkeypatch.chdir(tmp_path)
    proc = fails(2, "eval", *args, "--at", "x=1")
    assert proc.stderr.startswith("gradcli: ") and words in proc.stderr


# -- --wrt, -q, --digits, --strict ----------------------------------------------------------------


def test_wrt_and_quiet():
    assert ok("eval", "x^2*y", "--at", "x=3,y=2", "--wrt", "x", "-q").stdout == "12\n"
    assert ok("eval", "x^2*y", "--at", "x=3,y=2", "-q").stdout == "18\n12\n9\n"
    assert ok("eval", "x^2*y", "--at", "x=3,y=2", "--wrt", "y", "--wrt", "x").stdout == "value 18\nd/dy 9\nd/dx 12\n"
    doc = strict_json(ok("eval", "x^2*y", "--at", "x=3,y=2", "--wrt", "y", "--json").stdout)
    assert doc["gradient"] == {"y": 9}
    proc = fails(2, "eval", "x^2*y", "--at", "x=3,y=2", "--wrt", "z")
    assert proc.stderr == "gradcli: --wrt z: not an input of the program (inputs: x, y)\n"


def test_quiet_wrt_sets_a_shell_variable():
    command = f'g=$({shlex.quote(sys.executable)} -m gradcli eval "x^2*y" --at x=3,y=2 --wrt x -q); echo "[$g]"'
    proc = subprocess.run(["bash", "-c", command], capture_output=True, text=True)
    assert proc.stdout == "[12]\n", proc.stderr


def test_digits():
    assert ok("eval", "x/3", "--at", "x=1", "--digits", "3").stdout == "value 0.333\nd/dx 0.333\n"
    assert ok("eval", "x*1e6/3", "--at", "x=1", "--digits", "2").stdout == "value 3.3e+05\nd/dx 3.3e+05\n"
    fails(2, "eval", "x", "--at", "x=1", "--digits", "0")
    fails(2, "eval", "x", "--at", "x=1", "--digits", "x")


def test_strict():
    assert ok("eval", "1/x", "--at", "x=2", "--strict").stdout == "value 0.5\nd/dx -0.25\n"
    proc = fails(1, "eval", "1/x", "--at", "x=0", "--strict")
    assert proc.stdout == "value inf\nd/dx -inf\n"
    assert proc.stderr.endswith("gradcli: --strict: not finite: value, d/dx\n")
    proc = fails(1, "eval", "sqrt(x)", "--at", "x=0", "--strict")
    assert proc.stderr.endswith("gradcli: --strict: not finite: d/dx\n")
    assert run_cli("eval", "1/x", "--at", "x=0").returncode == 0


# -- tables ------------------------------------------------------------------------------------------


def test_table_matches_the_readme():
    """The README's table for the book example is exactly what gradcli prints (80 columns)."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    block = re.search(r"-o table\n(Result\n.*?)```", readme, re.S).group(1)
    proc = ok("eval", BOOK, "--at", "w=1", "-o", "table", env={"COLUMNS": "80"})
    assert proc.stdout == block


def test_table_shows_nodes_edges_and_how_many_more():
    proc = ok("eval", "sin(x)*cos(x) + exp(x)", "--at", "x=1", "-o", "table", "--max-rows", "2")
    out = proc.stdout
    assert "Nodes (6;" in out and "Edges (7;" in out
    assert "… 4 more nodes (--all shows every row)" in out
    assert "… 5 more edges (--all shows every row)" in out
    assert "∂(sin(x) * cos(x) + exp(x))/∂x" in out
    assert ESCAPE not in out
    full = ok("eval", "sin(x)*cos(x) + exp(x)", "--at", "x=1", "-o", "table", "--all", "--max-rows", "2").stdout
    assert "more" not in full and "x → exp(x)" in full and "│  5 │" in full
    default = ok("eval", "+".join(f"sin({k}*x)" for k in range(1, 30)), "--at", "x=1", "-o", "table").stdout
    assert "more nodes" in default and default.count("│ sin(") <= 40


def test_table_marks_constants_in_words_and_shows_notes():
    out = ok("eval", "abs(x)^2", "--at", "x=0", "-o", "table").stdout
    assert "2 → abs(x)^2 (not needed)" in out and "—" not in out
    assert "(not needed): out of a node that depends on no input" in out
    assert out.rstrip().endswith("note: abs(x) (line 1, column 1): abs at 0: derivative taken as 0")


def run_in_terminal(*args, env=None):
    """Run gradcli with stdout on a 100-column pseudo-terminal; returns (exit code, output)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
    full_env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "LINES", "FORCE_COLOR")}
    full_env.update({"TERM": "xterm-256color", **(env or {})})
    proc = subprocess.Popen([sys.executable, "-m", "gradcli", *args], stdin=subprocess.DEVNULL, stdout=slave,
                            stderr=subprocess.DEVNULL, env=full_env)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the terminal's other end is closed
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return proc.wait(timeout=120), b"".join(chunks).decode("utf-8", "replace")


def test_on_a_terminal_the_default_is_a_coloured_table():
    code, out = run_in_terminal("eval", "sin(w)*w", "--at", "w=1")
    assert code == 0
    assert "Nodes (3;" in out and "┏" in out
    assert ESCAPE in out


@pytest.mark.parametrize("args,env", [([], {"NO_COLOR": "1"}), (["--no-color"], {})])
def test_no_color_means_no_escape_codes(args, env):
    code, out = run_in_terminal("eval", "sin(w)*w", "--at", "w=1", *args, env=env)
    assert code == 0
    assert "Nodes (3;" in out and "┏" in out
    assert ESCAPE not in out


def test_in_a_pipe_the_default_is_plain_and_color_can_be_forced():
    assert ok("eval", "sin(w)*w", "--at", "w=1").stdout.startswith("value ")
    assert ESCAPE in ok("eval", "sin(w)*w", "--at", "w=1", "-o", "table", "--color").stdout
    assert ESCAPE not in ok("eval", "sin(w)*w", "--at", "w=1", "-o", "table").stdout


# -- warnings and notes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "program,at,warning",
    [
        ("log(x) + 1", "x=-1", "warning: log(x) (line 1, column 1) is nan in the forward sweep"),
        ("2 + 1/x", "x=0", "warning: 1 / x (line 1, column 5) is inf in the forward sweep"),
        ("y = 2*x\nz = y + log(y - 2)", "x=1", "warning: log(y - 2) (line 2, column 9) is -inf in the forward sweep"),
        (
            "0*sqrt(x)",
            "x=0",
            "warning: the reverse sweep went nan on the edge into sqrt(x) (line 1, column 3) from argument 1: "
            "0 × inf (adjoint 0 times local partial inf)",
        ),
        (
            "sqrt(x) + 1",
            "x=0",
            "warning: the reverse sweep went inf on the edge into sqrt(x) (line 1, column 1) from "
            "argument 1: its local partial is inf",
        ),
        ("1e200*sin(1e200*x)", "x=1", "the product"),
    ],
)
def test_warnings_name_the_node_and_its_position(program, at, warning):
    proc = ok("eval", program, "--at", at)
    lines = [line for line in proc.stderr.splitlines() if line.startswith("warning:")]
    assert len(lines) == 1 and warning in lines[0], proc.stderr


def test_no_warning_when_everything_is_finite():
    proc = ok("eval", "x^2 + 2^x", "--at", "x=1")
    assert proc.stderr == ""


@pytest.mark.parametrize(
    "program,at,note",
    [
        ("abs(x)", "x=0", "note: abs(x) (line 1, column 1): abs at 0: derivative taken as 0"),
        ("relu(x)", "x=0", "note: relu(x) (line 1, column 1): relu at 0: derivative taken as 0"),
        (
            "max(a, b, c)",
            "a=1,b=1,c=1",
            "note: max(a, b, c) (line 1, column 1): a 3-way tie: each tied argument gets 1/3",
        ),
        (
            "hypot(a, b)",
            "a=0,b=0",
            "note: hypot(a, b) (line 1, column 1): hypot at (0, 0): derivatives taken as (0, 0)",
        ),
        ("sqrt(x)", "x=0", "note: sqrt(x) (line 1, column 1): sqrt at 0: derivative +inf"),
        ("x^y", "x=0,y=0", "exponent 0"),
    ],
)
def test_notes_say_when_a_convention_was_applied(program, at, note):
    proc = ok("eval", program, "--at", at)
    assert note in proc.stderr


# -- errors ------------------------------------------------------------------------------------------


def test_parse_error_shows_the_line_and_a_caret():
    proc = fails(2, "eval", "sin(w", "--at", "w=1")
    assert (
        proc.stderr
        == "gradcli: line 1, column 6: unexpected end of the program: expected an operator (+ - * / ^), ',' or ')'\n"
        "  sin(w\n       ^\n"
    )
    proc = fails(2, "eval", "--file", "-", "--at", "x=1", input="x = 1\ny = x +* 2\nz = y\n")
    assert (
        proc.stderr == "gradcli: line 2, column 8: unexpected '*': expected a number, a name, '(' or a sign (+ -)\n"
        "  y = x +* 2\n         ^\n"
    )


@pytest.mark.parametrize(
    "program",
    [
        " + ".join(f"a{k}" for k in range(40)) + " @ 1 + " + " + ".join(f"b{k}" for k in range(40)),
        "\tx = 1\t+ @",
        "x = 1\n" + "y = " + "+".join(["x"] * 60) + " $ 3",
    ],
)
def test_the_caret_is_under_the_offending_character(program):
    proc = fails(2, "eval", "--file", "-", input=program)
    message, shown, caret = proc.stderr.rstrip("\n").split("\n")
    assert message.startswith("gradcli: ") and "unexpected character" in message
    assert caret.strip() == "^"
    assert shown[len(caret) - 1] in "@$"
    assert len(shown) <= 2 + 72


@pytest.mark.parametrize(
    "program,message",
    [
        ("Sin(x)", "gradcli: line 1, column 1: unknown function Sin: did you mean sin?"),
        ("hypot(x)", "gradcli: line 1, column 1: hypot takes 2 arguments, got 1"),
        ("max()", "gradcli: line 1, column 1: max takes one or more arguments, got none"),
        (
            "y = x + 1; x = 2",
            "gradcli: line 1, column 12: x is used before its assignment (first use at line 1, column 5)",
        ),
        ("x = 1; x = 2", "gradcli: line 1, column 8: x is assigned twice (a name holds one value)"),
        ("pi = 3", "gradcli: line 1, column 1: cannot assign to the constant pi"),
        ("f(a, a) = a", "gradcli: line 1, column 1: duplicate parameter a in the definition of f"),
        ("x = w; f(a) = a", "gradcli: line 1, column 8: the last statement defines f"),
        ("x + 1; y = w", "gradcli: line 1, column 1: this expression is not the last statement"),
        ("y = f(x); f(a) = a", "gradcli: line 1, column 5: f is called before its definition"),
        ("f(a) = f(a); y = f(x)", "gradcli: line 1, column 8: f calls itself"),
        ("1_000", "gradcli: line 1, column 2: unexpected '_000'"),
        ("", "gradcli: the program is empty"),
    ],
)
def test_program_errors_exit_2_with_one_message(program, message):
    proc = fails(2, "eval", program, "--at", "x=1,w=1")
    assert proc.stderr.startswith(message)
    assert proc.stdout == ""
    if "column" in message:
        assert proc.stderr.count("\n") == 3 and proc.stderr.splitlines()[2].strip() == "^"


@pytest.mark.parametrize(
    "args,words",
    [
        (["eval", "x", "--at", "x=1", "--bogus"], "No such option"),
        (["eval", "x", "--at", "x=1", "-o", "xml"], "Invalid value for '-o' / '--format'"),
        (["eval", "x", "--at", "x=1", "--max-rows", "0"], "--max-rows"),
        (["bogus"], "No such command"),
        (["eval", "x", "--at"], "requires an argument"),
    ],
)
def test_usage_errors_exit_2(args, words):
    """click's own errors too are one line on stderr, naming where the options are listed."""
    proc = fails(2, *args)
    assert words in proc.stderr and proc.stderr.startswith("gradcli: ") and proc.stderr.count("\n") == 1
    assert "--help" in proc.stderr or "requires an argument" in proc.stderr


def test_help_and_version():
    assert "--at NAME=VALUE" in ok("eval", "--help").stdout
    assert ok("--version").stdout.startswith("gradcli, version ")


def test_a_closed_pipe_ends_quietly_with_141():
    """`gradcli ... -o table | head -1`: the reader goes away; exit 141, nothing on stderr."""
    program = "+".join(f"sin({k}*x)" for k in range(3000))
    proc = subprocess.Popen([sys.executable, "-m", "gradcli", "eval", program, "--at", "x=1", "-o", "table", "--all"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.readline() == b"Result\n"
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141
    assert stderr == ""


def test_a_failed_write_to_stdout_exits_141():
    """Plain, JSON and csv output meeting a pipe whose reader is gone: the exit code is 141."""
    for fmt in ("json", "plain", "csv"):
        read, write = os.pipe()
        os.close(read)
        try:
            proc = subprocess.run([sys.executable, "-m", "gradcli", "eval", "x", "--at", "x=1", "-o", fmt],
                                  stdout=write, stderr=subprocess.PIPE, text=True)
        finally:
            os.close(write)
        assert (proc.returncode, proc.stderr) == (141, ""), fmt


def test_a_program_starting_with_minus_gets_a_hint():
    proc = run_cli("eval", "-x^2", "--at", "x=1")
    assert proc.returncode == 2 and "goes after '--'" in proc.stderr and "Traceback" not in proc.stderr
    assert run_cli("eval", "--at", "x=1", "--", "-x^2").stdout == "value -1\nd/dx -2\n"


def test_a_bad_option_value_and_a_seed_by_output_text_through_the_real_binary():
    """The installed command, in a subprocess: click's own usage error is one line on stderr
    (exit 2), and vjp --seed names an unnamed output by its text."""
    proc = run_binary("eval", "x", "--at", "x=1", "--precision", "0")
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == "gradcli: Invalid value for '--precision': 0 is not in the range 1<=x<=10000; see gradcli eval --help\n"
    proc = run_binary("vjp", "w, w*w", "--at", "w=2", "--seed", "w * w=1", "-o", "plain")
    assert proc.returncode == 0 and proc.stdout.endswith("vjp[w] 4\n"), proc.stderr
