"""`gradcli batch` through the real CLI (in process; in subprocesses where the process matters):
one record per line, in order, bad lines as error records, streaming, Unix manners (closed
pipes, signals, $(...))."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import run_cli

GRADCLI = [sys.executable, "-m", "gradcli"]


def records(stdout):
    return [json.loads(line) for line in stdout.splitlines()]


def evaluated(program, point):
    """What `gradcli eval` says for one program at one point: the reference for a batch line."""
    at = ",".join(f"{k}={v}" for k, v in point.items())
    proc = run_cli("eval", "-o", "jsonl", "--at", at, "--", program)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


BATCH = """\
# a comment, then a blank line: neither gets a record

sin(w)*w @ w=1
sin(w @ w=1
   # an indented comment
x^2*y @ x=3, y=2
Sin(x) @ x=1
x*y @ x=1, y=nope
x + y @ x=1
f(t) = t^2; f(x) + f(y) @ y=4, x=3
"""


def test_bad_lines_in_the_middle_get_error_records_in_place():
    proc = run_cli("batch", "-o", "jsonl", input=BATCH)
    assert proc.returncode == 1
    assert proc.stderr == "gradcli: 4 of 7 lines failed\n"
    recs = records(proc.stdout)
    assert [r["line"] for r in recs] == [3, 4, 6, 7, 8, 9, 10]
    assert ["error" in r for r in recs] == [False, True, False, True, True, True, False]
    assert recs[0] == {"line": 3, **evaluated("sin(w)*w", {"w": 1})}
    assert recs[1]["error"].startswith("line 1, column 6: unexpected end of the program")
    assert recs[2] == {"line": 6, "value": 18.0, "gradient": {"x": 12.0, "y": 9.0}}
    assert "did you mean sin?" in recs[3]["error"]
    assert recs[4]["error"] == "@ 'y=nope': 'nope' is not a number"
    assert recs[5]["error"].startswith("no value for input y")
    assert recs[6] == {"line": 10, "value": 25.0, "gradient": {"x": 6.0, "y": 8.0}}


def test_at_gives_defaults_and_a_lines_own_point_wins():
    batch = "x*y @ x=2\nx*y\nx*y @ y=5, x=7\nx @ z=1\n"
    proc = run_cli("batch", "-o", "jsonl", "--at", "x=1,y=3", "--at", "q=9", input=batch)
    assert proc.returncode == 0, proc.stderr
    assert [(r["value"], r["gradient"]) for r in records(proc.stdout)] == [
        (6.0, {"x": 3.0, "y": 2.0}),
        (3.0, {"x": 3.0, "y": 1.0}),
        (35.0, {"x": 5.0, "y": 7.0}),
        (1.0, {"x": 1.0}),
    ]


def test_each_line_equals_eval_of_its_program():
    lines = ["tanh(0.5*a - b) * sigmoid(a*b) @ a=0.3, b=-1.7", "max(a, b, a*b) + hypot(a, b) @ a=2, b=2",
             "log(a) + 1 @ a=-1", "abs(a) * relu(b) @ a=0, b=0"]
    proc = run_cli("batch", "-o", "jsonl", input="\n".join(lines))
    assert proc.returncode == 0, proc.stderr
    for line, rec in zip(lines, records(proc.stdout), strict=True):
        program, _, point = line.partition("@")
        at = dict(part.strip().split("=") for part in point.split(","))
        expected = evaluated(program.strip(), at)
        assert {k: rec[k] for k in expected} == expected
    # warnings and notes travel in the jsonl record, not on stderr
    assert records(proc.stdout)[2]["warnings"] == ["log(a) (line 1, column 1) is nan in the forward sweep"]
    assert len(records(proc.stdout)[3]["notes"]) == 2
    assert proc.stderr == ""


def test_plain_is_value_then_partials_tab_separated():
    proc = run_cli("batch", input="x^2*y @ x=3, y=2\n(x @ x=1\n2\n")
    assert proc.returncode == 1
    first, error, last = proc.stdout.split("\n")[:3]
    assert (first, last) == ("18\t12\t9", "2")
    assert error.startswith("error\tline 2: line 1, column 3: unexpected end of the program")
    assert proc.stdout.count("\n") == 3
    quiet = run_cli("batch", "-q", "--wrt", "y", "--digits", "3", input="x^2*y @ x=3, y=2.2\nsin(y) @ y=1\n")
    assert quiet.stdout == "9\n0.54\n"


def test_plain_warnings_and_notes_go_to_stderr_naming_the_line():
    proc = run_cli("batch", input="1 + 1\nlog(x) @ x=-1\nabs(x) @ x=0\n")
    assert proc.returncode == 0
    assert proc.stdout == "2\nnan\t-1\n0\t0\n"
    assert proc.stderr.splitlines() == [
        "warning: line 2: log(x) (line 1, column 1) is nan in the forward sweep",
        "  log(x) ",
        "  ^",
        "note: line 3: abs(x) (line 1, column 1): abs at 0: derivative taken as 0",
    ]


def test_csv_columns_are_fixed_by_wrt():
    proc = run_cli("batch", "-o", "csv", "--wrt", "x", "--wrt", "y", input="x*y @ x=2, y=3\n(\nx^2 @ x=3\n")
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[:2] == ["line,value,error,d/dx,d/dy", "1,6,,3,2"]
    assert lines[2].startswith('2,,"line 1, column 2: unexpected end of the program') and lines[2].endswith('",,')
    assert lines[3:] == ["3,9,,6,0"]


def test_csv_columns_without_wrt_are_the_first_results_inputs():
    # the error on line 1 waits for the first result, which fixes the columns
    proc = run_cli("batch", "-o", "csv", input="sin(\nx*y @ x=2, y=3\ny*x @ x=1, y=1\nx*z @ x=1, z=1\n")
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[0] == "line,value,error,d/dx,d/dy"
    assert lines[1].startswith('1,,"line 1, column 5: unexpected end of the program') and lines[1].endswith('",,')
    assert lines[2:4] == ["2,6,,3,2", "3,1,,1,1"]
    assert lines[4].startswith('4,,"no csv column for d/dz')
    assert "choose them with --wrt" in lines[4]


def test_empty_batch_prints_no_records_and_exits_0():
    for text in ["", "\n\n", "# only a comment\n   \n"]:
        proc = run_cli("batch", "-o", "jsonl", input=text)
        assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")
    assert run_cli("batch", "-o", "csv", input="").stdout == "line,value,error\n"


def test_a_file_argument_and_a_missing_file(tmp_path):
    path = tmp_path / "programs.txt"
    path.write_text("x^2 @ x=3\n")
    proc = run_cli("batch", str(path), "-o", "jsonl")
    assert records(proc.stdout) == [{"line": 1, "value": 9.0, "gradient": {"x": 6.0}}]
    missing = run_cli("batch", str(tmp_path / "nope.txt"))
    assert missing.returncode == 2
    assert missing.stderr == f"gradcli: cannot read {tmp_path / 'nope.txt'}: No such file or directory\n"
    assert run_cli("batch", "-o", "json", input="x").returncode == 2  # one record per line: jsonl


def test_invalid_utf8_and_nul_bytes_are_error_records():
    data = b"x @ x=1\nx + \xff @ x=1\n\xe2\x82 @ x=2\nx*\x00 @ x=1\n# \xff in a comment is fine\nx @ x=5\n"
    proc = run_cli("batch", "-o", "jsonl", input=data)
    assert proc.returncode == 1
    assert proc.stderr == "gradcli: 3 of 5 lines failed\n"
    assert records(proc.stdout) == [
        {"line": 1, "value": 1.0, "gradient": {"x": 1.0}},
        {"line": 2, "error": "byte 5 of the line is not UTF-8 text"},
        {"line": 3, "error": "byte 1 of the line is not UTF-8 text"},
        {"line": 4, "error": "byte 3 of the line is a NUL byte: this is not text"},
        {"line": 6, "value": 5.0, "gradient": {"x": 1.0}},
    ]


def test_crlf_line_ends_and_a_byte_order_mark():
    data = "\ufeffsin(w)*w @ w=1\r\n\r\n# note\r\nx^2 @ x=3\r\nx^2 @ x=3".encode()
    proc = run_cli("batch", "-o", "jsonl", input=data)
    assert proc.returncode == 0, proc.stderr
    recs = records(proc.stdout)
    assert [r["line"] for r in recs] == [1, 4, 5]
    assert recs[0] == {"line": 1, **evaluated("sin(w)*w", {"w": 1})}


def test_quiet_output_captured_by_the_shell():
    script = """
g=$(gradcli eval "x^2*y" --at x=3,y=2 --wrt x -q)
h=$(printf 'x^2*y @ x=3, y=2\\n' | gradcli batch --wrt y -q)
echo "g=$g h=$h"
"""
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    proc = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=env, timeout=60)
    assert proc.stdout == "g=12 h=9\n", proc.stderr


def test_tables_without_colour_in_a_pipe_unless_asked():
    proc = run_cli("batch", "-o", "table", input="x^2 @ x=3\n(\n")
    assert "\x1b[" not in proc.stdout
    assert "line 1" in proc.stdout and "line 2: error:" in proc.stdout
    assert "\x1b[" in run_cli("batch", "-o", "table", "--color", input="x^2 @ x=3\n").stdout


def on_a_terminal(args, stdin, env=None):
    """stdout of gradcli run with a pseudo-terminal as its stdout."""
    import pty

    leader, follower = pty.openpty()
    full_env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    full_env.update(env or {}, COLUMNS="100")
    proc = subprocess.Popen(
        [*GRADCLI, *args], stdin=subprocess.PIPE, stdout=follower, stderr=subprocess.PIPE, env=full_env
    )
    os.close(follower)
    proc.stdin.write(stdin.encode())
    proc.stdin.close()
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # EIO: the process closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    assert proc.wait(timeout=60) == 0
    return b"".join(chunks).decode()


def test_a_terminal_gets_tables_with_colour_unless_no_color():
    shown = on_a_terminal(["batch"], "x^2 @ x=3\n")
    assert "┏" in shown and "\x1b[" in shown and "line 1" in shown
    plain = on_a_terminal(["batch"], "x^2 @ x=3\n", env={"NO_COLOR": "1"})
    assert "┏" in plain and "\x1b[" not in plain


def big_batch(path, n):
    programs = ["sin(w)*w + exp(-x^2) @ w={a}, x={b}", "tanh(x - y) * sigmoid(x*y) @ x={a}, y={b}"]
    with open(path, "w") as f:
        for i in range(n):
            f.write(programs[i % 2].format(a=i % 97 / 10 + 0.05, b=i % 89 / 10 + 0.05) + "\n")
    return path


def test_head_ends_the_batch_quietly(tmp_path):
    path = big_batch(tmp_path / "big.txt", 20000)
    proc = subprocess.Popen([*GRADCLI, "batch", str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stdout.readline()
    proc.stdout.close()  # what `| head -1` does
    assert proc.wait(timeout=60) == 141
    assert proc.stderr.read() == b""
    assert first.count(b"\t") == 2


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_during_a_long_batch_ends_it_between_records(tmp_path, sig, code):
    path = big_batch(tmp_path / "big.txt", 200000)
    proc = subprocess.Popen(
        [*GRADCLI, "batch", str(path), "-o", "jsonl"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    first = proc.stdout.readline()
    time.sleep(0.2)
    proc.send_signal(sig)
    rest = proc.stdout.read()
    assert proc.wait(timeout=60) == code
    assert proc.stderr.read().strip() == b""  # no traceback
    out = (first + rest).decode()
    assert out.endswith("\n")  # no half record
    recs = records(out)
    assert 0 < len(recs) < 200000
    assert [r["line"] for r in recs] == list(range(1, len(recs) + 1))


def test_a_signal_while_waiting_for_input(tmp_path):
    """`tail -f log | gradcli batch`: each record comes out as its line comes in."""
    proc = subprocess.Popen([*GRADCLI, "batch", "-o", "jsonl"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    for n in (1, 2, 3):
        proc.stdin.write(f"x^{n} @ x=2\n".encode())
        proc.stdin.flush()
        assert json.loads(proc.stdout.readline()) == {"line": n, "value": 2.0**n, "gradient": {"x": n * 2.0 ** (n - 1)}}
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 143
    assert proc.stdout.read() == b"" and proc.stderr.read() == b""
    proc.stdin.close()


def peak_rss_kb(args):
    """Peak RSS of one gradcli run, measured by a child Python that runs it and nothing else."""
    probe = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=False)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe, *GRADCLI, *args], capture_output=True, text=True, timeout=600)
    return int(proc.stdout)


@pytest.mark.slow
def test_memory_stays_flat_with_the_number_of_lines(tmp_path):
    small = big_batch(tmp_path / "small.txt", 10000)
    large = big_batch(tmp_path / "large.txt", 200000)
    growth = peak_rss_kb(["batch", str(large), "-o", "jsonl"]) - peak_rss_kb(["batch", str(small), "-o", "jsonl"])
    # one line is held at a time: 190,000 more records kept would be tens of megabytes
    assert growth < 4 * 1024, f"peak RSS grew by {growth} KB for 20x the lines"


def test_batch_strategies_give_the_same_records():
    text = "a = sin(w)*w; b = a*a + a @ w=0.7\nmax(x, y)*x @ x=2, y=2\n"
    outs = {
        s: run_cli("batch", "-o", "jsonl", "--strategy", s, input=text) for s in ("store", "recompute", "checkpoint")
    }
    assert all(p.returncode == 0 for p in outs.values())
    assert len({p.stdout for p in outs.values()}) == 1


def test_points_refuse_strategy_and_stats():
    for extra in (["--strategy", "recompute"], ["--stats"]):
        proc = run_cli("eval", "x*y", "--points", "-", *extra, input="x,y\n1,2\n")
        assert proc.returncode == 2 and "--points" in proc.stderr and "Traceback" not in proc.stderr
