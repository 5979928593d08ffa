"""Safety: user text is only ever data.

- No eval/exec/compile (nor __import__, pickle, marshal, os.system, subprocess) anywhere in the
  package but numbers/staged.py's one compile and exec of the code it writes itself from
  invented names (tests/test_staged.py); program text is parsed by Lark into a graph, never
  run as Python.
- Hostile strings (`__import__('os')`, shell syntax, Python attribute chains) are plain parse
  errors (exit 2, one message); names that look dangerous are just names.
- The grammar's parser is not loaded from a cache file in the shared temporary directory
  (Lark's cache=True unpickles /tmp/.lark_cache_<user>_<hash>.tmp, a predictable name anyone
  could create first).
- --file and --points read exactly the path given: no globbing, no ~ or $VAR expansion, no
  @file indirection, and `./-` is a file, not stdin.
"""

import json
import os
import re
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

import gradcli
from test_fuzz import check_error, check_stderr

from conftest import run_cli

PACKAGE = Path(gradcli.__file__).parent
SOURCES = sorted(PACKAGE.rglob("*.py"))


def calls(path):
    """(name, line) of every call `name(` in a file, from its tokens (so comments, docstrings
    and method calls like re.compile( are told apart from the built-ins)."""
    found = []
    with open(path, "rb") as f:
        tokens = [
            t for t in tokenize.tokenize(f.readline) if t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT)
        ]
    for before, tok, after in zip(tokens, tokens[1:], tokens[2:], strict=False):
        if tok.type == tokenize.NAME and after.string == "(" and before.string not in (".", "def"):
            found.append((tok.string, tok.start[0]))
    return found


def test_no_eval_exec_or_compile_of_text_in_the_package():
    assert SOURCES and any(p.name == "compiler.py" for p in SOURCES)
    forbidden = {"eval", "exec", "compile", "__import__", "execfile", "breakpoint"}
    staging = PACKAGE / "numbers" / "staged.py"
    bad = [f"{p.name}:{line}: {name}(" for p in SOURCES if p != staging for name, line in calls(p) if name in forbidden]
    assert not bad, bad
    # the staged sweeps' one compile, run once: on code built from invented names, names checked
    assert sorted(name for name, _ in calls(staging) if name in forbidden) == ["compile", "exec"]
    assert ("compile_program", 1) not in bad  # compile_program( is a different name, allowed


def test_no_code_loading_or_shell_modules_in_the_package():
    pattern = re.compile(
        r"^\s*(import|from)\s+(pickle|marshal|shelve|dill|subprocess|pty|ctypes)\b|os\.(system|popen|exec\w*|spawn\w*)\(",
        re.M,
    )
    bad = [f"{p.name}: {m.group(0).strip()}" for p in SOURCES for m in pattern.finditer(p.read_text())]
    assert not bad, bad


def test_the_checks_see_a_call(tmp_path):
    """The token scan is not vacuous: it finds eval( in text that has it, and only there."""
    probe = tmp_path / "probe.py"
    probe.write_text("x = eval('1')  # eval( in a comment\nre.compile('a')\ndef compile(): pass\n")
    assert calls(probe) == [("eval", 1)]


def test_the_parser_is_not_unpickled_from_the_temporary_directory(tmp_path):
    """With TMPDIR pointing at an empty directory, gradcli leaves it empty: it writes no Lark
    cache there, so it never loads one from there either."""
    env = dict(os.environ, TMPDIR=str(tmp_path))
    proc = subprocess.run([sys.executable, "-m", "gradcli", "eval", "sin(w)*w", "--at", "w=1"], env=env,
                          capture_output=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert list(tmp_path.iterdir()) == []
    code = re.sub(r"#[^\n]*", "", (PACKAGE / "core" / "compiler.py").read_text())
    assert "Lark(" in code and not re.search(r"cache\s*=\s*True", code)


HOSTILE = [
    "__import__('os')",
    '__import__("os").system("touch PWNED")',
    "eval('1')",
    "exec('x = 1')",
    "open('/etc/passwd').read()",
    "os.system('touch PWNED')",
    "sin.__class__",
    "().__class__.__bases__[0].__subclasses__()",
    "lambda: 1",
    "w if w else w",
    "[w for w in w]",
    "{'a': 1}",
    "w.real",
    "$(touch PWNED)",
    "`touch PWNED`",
    "w; rm -rf PWNED /",
    "w && touch PWNED",
    "w | touch PWNED",
    "w > PWNED",
    "#!/bin/sh\ntouch PWNED",
    "import os",
    "w = __import__('os')",
    "f(x) = __import__(x); f('os')",
    "{{7*7}}",
    "${jndi:ldap://x}",
    "%s%s%s%n",
    "\\x41",
    "w @ w=1",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_a_plain_parse_error(text, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(gradcli.ProgramError):
        gradcli.compile_program(text)
    code, out, err = run_cli("eval", "--at", "w=1", "--", text)
    assert code == 2 and out == ""
    check_stderr(err)
    check_error(err, text)
    assert list(tmp_path.iterdir()) == []


def test_hostile_text_through_the_real_binary(tmp_path):
    for text in HOSTILE[:3] + ["$(touch PWNED)"]:
        proc = subprocess.run([sys.executable, "-m", "gradcli", "eval", "--at", "w=1", "--", text], cwd=tmp_path,
                              capture_output=True, timeout=60)
        assert proc.returncode == 2 and proc.stdout == b""
        check_error(proc.stderr.decode(), text)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "name", ["__import__", "__builtins__", "os", "sys", "exec", "eval", "open", "system", "_", "__class__"]
)
def test_dangerous_looking_names_are_just_names(name):
    r = gradcli.evaluate(f"{name} * 2 + 1", {name: 3.0})
    assert r.value == 7.0 and r.gradient == {name: 2.0}
    code, out, err = run_cli("eval", "-o", "plain", "--at", f"{name}=3", "--", f"{name} * 2 + 1")
    assert code == 0 and out == f"value 7\nd/d{name} 2\n"


# -- reading files: exactly the path given -------------------------------------------------------


@pytest.fixture
def files(tmp_path, monkeypatch):
    """A working directory with decoy files wherever an expansion would lead."""
    home = tmp_path / "home"
    work = tmp_path / "work"
    for d in (home, work, work / "~", work / "$HOME"):
        d.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    (home / "p.txt").write_text("100")  # where ~ or $HOME would lead
    (work / "a.txt").write_text("1")  # what *.txt would match
    (work / "*.txt").write_text("2")
    (work / "~" / "p.txt").write_text("3")
    (work / "$HOME" / "p.txt").write_text("4")
    (work / "-").write_text("5")
    (work / "args.txt").write_text("6")
    return work


@pytest.mark.parametrize(
    "path, value", [("*.txt", "2"), ("~/p.txt", "3"), ("$HOME/p.txt", "4"), ("./-", "5"), ("a.txt", "1")]
)
def test_file_reads_exactly_the_path_given(files, path, value):
    code, out, err = run_cli("eval", "-o", "plain", "--file", path, input=b"99")
    assert code == 0, err
    assert out == f"value {value}\n"


def test_file_dash_is_stdin_and_nothing_else(files):
    code, out, err = run_cli("eval", "-o", "plain", "--file", "-", input=b"99")
    assert (code, out) == (0, "value 99\n")


@pytest.mark.parametrize("path, reason", [("missing.txt", "No such file or directory"), (".", "Is a directory"),
                                          ("~", "Is a directory"), ("nothere/*.txt", "No such file or directory")])
def test_file_errors_name_the_path(files, path, reason):
    code, out, err = run_cli("eval", "--file", path)
    assert code == 2 and err == f"gradcli: cannot read {path}: {reason}\n"


def test_no_at_file_indirection(files):
    code, out, err = run_cli("eval", "--at", "w=1", "--", "@args.txt")
    assert code == 2 and "line 1, column 1" in err


@pytest.mark.parametrize("path, value", [("*.csv", "2"), ("~/p.csv", "3"), ("./-", "5")])
def test_points_reads_exactly_the_path_given(files, path, value):
    (files / "a.csv").write_text("w\n1\n")
    (files / "*.csv").write_text("w\n2\n")
    (files / "~" / "p.csv").write_text("w\n3\n")
    (files / "-").write_text("w\n5\n")
    code, out, err = run_cli("eval", "w", "-o", "jsonl", "--points", path, input=b"w\n99\n")
    assert code == 0, err
    assert json.loads(out)["value"] == float(value)
