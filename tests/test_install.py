"""A real wheel, installed into a fresh venv and run from elsewhere: the grammar ships inside the
wheel and is found there. And the core (everything but cli.py and the tables) never imports
click or rich."""

import json
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(args, cwd, **kw):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env, timeout=600, **kw)
    assert proc.returncode == 0, f"{args}\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    # Build from a copy: setuptools writes build/ and *.egg-info into the tree it builds, and
    # a stale build/ could put files into the wheel that the checkout no longer has.
    source = out / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis"))
    # Build as `pip install .` does, in an isolated build environment: the venv's own
    # setuptools may be too old to build wheels without the separate `wheel` package.
    _run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-w", str(out)], cwd=out)
    (path,) = out.glob("gradcli-*.whl")
    return path


@pytest.mark.slow
def test_the_wheel_holds_the_grammar(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "gradcli/grammars/gradcli.lark" in names
    assert "gradcli/cli/__init__.py" in names and "gradcli/core/ops.py" in names
    assert not any(name.startswith("tests/") for name in names)


@pytest.mark.slow
def test_an_installed_wheel_runs_from_any_directory(wheel, tmp_path):
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], cwd=tmp_path)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / "python"
    # --no-deps: click, lark and rich come from the system site-packages; the wheel's gradcli
    # is installed into the venv, where it shadows the editable copy of the checkout.
    _run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "--force-reinstall", str(wheel)],
         cwd=tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = _run([str(python), "-c", "import gradcli, gradcli.core.compiler as c; print(gradcli.__file__); "
                  "print(c.grammar_path())"], cwd=elsewhere).stdout.splitlines()
    assert Path(where[0]).resolve().is_relative_to(venv.resolve()), where
    assert Path(where[1]).resolve().is_relative_to(venv.resolve()), where
    assert not Path(where[0]).resolve().is_relative_to(ROOT)

    proc = _run([str(bindir / "gradcli"), "eval", "sin(w)*w", "--at", "w=1"], cwd=elsewhere)
    assert proc.stdout == "value 0.8414709848078965\nd/dw 1.3817732906760363\n"
    proc = _run([str(python), "-m", "gradcli", "eval", "f(t) = sin(t); x = f(w); y = f(x); z = f(y)",
                 "--at", "w=1", "--json"], cwd=elsewhere)
    assert json.loads(proc.stdout)["gradient"] == {"w": 0.26450827039595814}


def test_the_core_never_imports_click_or_rich():
    script = textwrap.dedent(
        """
        import sys
        import gradcli
        from gradcli.core import compiler
        from gradcli.core import errors
        from gradcli.render import render
        from gradcli.core import graph
        from gradcli.numbers import float64
        from gradcli.core import ops
        from gradcli.engine import evaluate
        r = gradcli.evaluate("f(t) = sin(t); x = f(w); y = abs(f(x)) + log(y0)", w=1.0, y0=-1.0)
        assert r.notes == [] and r.warnings, (r.notes, r.warnings)
        r = gradcli.evaluate("abs(w)", w=0.0)
        assert r.notes
        render(r, "plain"); render(r, "json"); render(r, "csv")
        try:
            gradcli.compile_program("Sin(w)")
        except gradcli.GradcliError as e:
            e.render()
        print(sorted(m for m in sys.modules if m.split(".")[0] in ("click", "rich", "numpy")))
        """
    )
    proc = _run([sys.executable, "-c", script], cwd=ROOT)
    assert proc.stdout.strip() == "[]"
