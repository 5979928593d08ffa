"""What gradcli says about a run: one wording of positions, carets under warnings, Hessian
warnings and --strict, batch --strict records, the library's own terms for a missing input,
one exit status for a reader that leaves, and one way to stderr."""

import copy
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

import gradcli
from gradcli import cli
from gradcli.core.errors import Located, MissingInputs, caret_lines, where

from conftest import run_cli

# -- one wording for a position ------------------------------------------------------------


def test_a_position_is_always_line_and_column():
    assert where("sin(w)", 4) == "line 1, column 5"
    assert where("\nlog(x)", 1) == "line 2, column 1"  # a leading newline is a line
    assert where("a = 1\r\nb = a", 7) == "line 2, column 1"


def test_errors_warnings_and_notes_use_the_one_wording():
    with pytest.raises(gradcli.ProgramError) as e:
        gradcli.compile_program("y = x + 1; x = 2")
    assert e.value.render_line() == "line 1, column 12: x is used before its assignment (first use at line 1, column 5)"
    r = gradcli.evaluate("\nlog(x) + abs(y)", x=-1, y=0)
    assert r.warnings == ["log(x) (line 2, column 1) is nan in the forward sweep"]
    assert r.notes == ["abs(y) (line 2, column 10): abs at 0: derivative taken as 0"]


def test_a_warning_shows_the_program_line_and_a_caret_on_stderr():
    proc = run_cli("eval", "y = 2*x\nz = y + log(y - 2)", "--at", "x=1")
    assert proc.returncode == 0
    assert proc.stderr == (
        "warning: log(y - 2) (line 2, column 9) is -inf in the forward sweep\n"
        "  z = y + log(y - 2)\n"
        "          ^\n"
    )
    proc = run_cli("eval", "0*sqrt(x)", "--at", "x=0")
    lines = proc.stderr.splitlines()
    assert lines[0].startswith("warning: the reverse sweep went nan on the edge into sqrt(x) (line 1, column 3)")
    assert lines[1:3] == ["  0*sqrt(x)", "    ^"]


def test_in_json_each_warning_stays_one_line():
    proc = run_cli("eval", "log(x) + 1", "--at", "x=-1", "-o", "json")
    assert json.loads(proc.stdout)["warnings"] == ["log(x) (line 1, column 1) is nan in the forward sweep"]
    proc = run_cli("batch", "-o", "jsonl", input="log(x) @ x=-1\n")
    assert json.loads(proc.stdout)["warnings"] == ["log(x) (line 1, column 1) is nan in the forward sweep"]


def test_a_located_warning_is_a_plain_string_that_keeps_its_place():
    w = Located("msg", "a + b", 4)
    assert w == "msg" and json.dumps([w]) == '["msg"]'
    for twin in (copy.deepcopy(w), pickle.loads(pickle.dumps(w))):
        assert (twin, twin.source, twin.pos) == ("msg", "a + b", 4)
    assert caret_lines("a + b", 4) == "  a + b\n      ^"


# -- hessian: a warning per non-finite entry, and --strict ------------------------------------


def test_hessian_warns_for_every_entry_that_is_not_finite():
    # value and gradient are finite (0); only d²/dx² = 0.75·y·x^-0.5 is not
    proc = run_cli("hessian", "y*x^1.5", "--at", "x=0,y=1", "-o", "json")
    assert proc.returncode == 0
    record = json.loads(proc.stdout)
    assert record["hessian"] == [[0.0, 0.0], [0.0, "inf"]]
    assert record["warnings"] == ["the Hessian entry H[x, x] is inf"]
    assert "warning: the Hessian entry H[x, x] is inf" in proc.stderr
    proc = run_cli("hessian", "log(x)*y", "--at", "x=0,y=1", "-o", "json")
    assert json.loads(proc.stdout)["warnings"][1:] == [
        f"the Hessian entry H[{a}, {b}] is {w}"
        for a, b, w in [("x", "x", "-inf"), ("x", "y", "inf"), ("y", "x", "inf")]
    ]


def test_hessian_strict_fails_on_an_entry_that_is_not_finite():
    proc = run_cli("hessian", "y*x^1.5", "--at", "x=0,y=1", "--strict")
    assert proc.returncode == 1 and proc.stdout.startswith("value 0\n")
    assert proc.stderr.endswith("gradcli: --strict: not finite: H[x, x]\n")
    proc = run_cli("hessian", "y*x^1.5", "--at", "x=0,y=1", "--hvp", "1,1", "--strict")
    assert proc.returncode == 1 and proc.stderr.endswith("gradcli: --strict: not finite: Hv[x]\n")
    assert "warning: the Hessian-vector product's entry Hv[x] is inf" in proc.stderr
    proc = run_cli("hessian", "1/x", "--at", "x=0", "--strict", "-o", "csv")
    assert proc.returncode == 1 and proc.stderr.endswith("gradcli: --strict: not finite: value, d/dx, H[x, x]\n")
    proc = run_cli("hessian", "x^2*y", "--at", "x=1,y=2", "--strict")
    assert (proc.returncode, proc.stderr) == (0, "")


# -- batch --strict: the record says the line failed ----------------------------------------


BATCH = "log(x) @ x=-1\nx @ x=1\n"


def test_batch_strict_jsonl_record_has_an_error_besides_its_numbers():
    proc = run_cli("batch", "--strict", "-o", "jsonl", input=BATCH)
    assert proc.returncode == 1
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    failed = [r for r in records if r.get("error")]  # jq 'select(.error)'
    assert failed == [{
        "line": 1, "value": "nan", "gradient": {"x": -1.0},
        "warnings": ["log(x) (line 1, column 1) is nan in the forward sweep"],
        "error": "--strict: not finite: value",
    }]
    assert "error" not in records[1]
    assert proc.stderr.endswith("gradcli: 1 of 2 lines failed\n")
    plain = run_cli("batch", "-o", "jsonl", input=BATCH)
    assert plain.returncode == 0 and all("error" not in json.loads(line) for line in plain.stdout.splitlines())


def test_batch_strict_in_csv_plain_and_table():
    csv_out = run_cli("batch", "--strict", "-o", "csv", input=BATCH).stdout.splitlines()
    assert csv_out == ["line,value,error,d/dx", "1,nan,--strict: not finite: value,-1", "2,1,,1"]
    proc = run_cli("batch", "--strict", "-o", "plain", input=BATCH)
    assert proc.stdout == "nan\t-1\n1\t1\n"
    assert "error: line 1: --strict: not finite: value\n" in proc.stderr
    table = run_cli("batch", "--strict", "-o", "table", "--no-color", input=BATCH)
    assert "line 1: error: --strict: not finite: value" in table.stdout and table.returncode == 1


# -- a missing input: the library's words, the CLI's hint -------------------------------------


def test_the_library_names_missing_inputs_without_cli_advice():
    with pytest.raises(MissingInputs) as e:
        gradcli.evaluate("x*y*z", x=1)
    assert str(e.value) == "no value for inputs y, z" and e.value.names == ["y", "z"]
    assert isinstance(e.value, gradcli.UsageError) and e.value.exit_code == 2
    assert e.value.hint("--at ") == "no value for inputs y, z: add --at y=...,z=..."


def test_the_cli_and_batch_add_how_to_give_the_value():
    proc = run_cli("eval", "x*y", "--at", "x=1")
    assert (proc.returncode, proc.stderr) == (2, "gradcli: no value for input y: add --at y=...\n")
    proc = run_cli("hessian", "x*y", "--at", "x=1")
    assert proc.stderr == "gradcli: no value for input y: add --at y=...\n"
    proc = run_cli("batch", "-o", "jsonl", input="x*y @ x=1\n")
    assert json.loads(proc.stdout)["error"] == "no value for input y: add --at y=... or @ y=..."


def test_points_refuses_stats_and_strategy_pointing_at_what_works():
    stats = run_cli("eval", "x*y", "--points", "-", "--stats", input="x,y\n1,2\n")
    assert stats.returncode == 2 and "use --at for one point" in stats.stderr
    strategy = run_cli("eval", "x*y", "--points", "-", "--strategy", "recompute", input="x,y\n1,2\n")
    assert strategy.returncode == 2 and "use --at for one point, or gradcli batch --strategy" in strategy.stderr
    works = run_cli("batch", "--strategy", "recompute", input="x*y @ x=1, y=2\n")
    assert (works.returncode, works.stdout) == (0, "2\t2\t1\n")


# -- a reader that leaves: 141 however large the output ---------------------------------------


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    """A 100,000-node chain x1 = sin(w); x2 = sin(x1); ..."""
    path = tmp_path_factory.mktemp("chain") / "chain.txt"
    path.write_text("x1 = sin(w)\n" + "".join(f"x{i} = sin(x{i - 1})\n" for i in range(2, 100_001)))
    return str(path)


def head_2(args):
    """gradcli's own exit status when its reader takes two lines and leaves."""
    proc = subprocess.Popen([sys.executable, "-m", "gradcli", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.readline()
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    return proc.wait(), stderr


@pytest.mark.parametrize("args", [
    ["explain", "--all", "--at", "w=1"],
    ["eval", "-o", "json", "--at", "w=1"],
    ["graph", "-o", "dot"],
])
def test_a_reader_leaving_a_large_output_ends_with_141(chain, args):
    assert head_2([*args, "-f", chain]) == (141, "")


def test_a_reader_leaving_a_large_table_ends_with_141(tmp_path):
    path = tmp_path / "chain.txt"
    path.write_text("x1 = sin(w)\n" + "".join(f"x{i} = sin(x{i - 1})\n" for i in range(2, 3001)))
    assert head_2(["eval", "-o", "table", "--all", "--at", "w=1", "-f", str(path)]) == (141, "")


def test_a_small_output_to_a_reader_already_gone_ends_with_141():
    read, write = os.pipe()
    os.close(read)
    try:
        proc = subprocess.run([sys.executable, "-m", "gradcli", "graph", "-o", "dot", "sin(w)"],
                              stdout=write, stderr=subprocess.PIPE)
    finally:
        os.close(write)
    assert (proc.returncode, proc.stderr) == (141, b"")


# -- one way to stderr ----------------------------------------------------------------------


def test_warnings_and_notes_reach_stderr_through_one_function():
    modules = sorted(Path(cli.__file__).parent.glob("*.py"))  # every module of the cli package
    source = "".join(path.read_text(encoding="utf-8") for path in modules)
    assert source.count("warning: ") == source.count("note: ") == 1  # report()'s own lines
