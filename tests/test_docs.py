"""Every console block in README.md and docs/ is run, and its output compared.

A block is a run of `$ command` lines, each followed by the output it prints (stdout, and
stderr too when the command says `2>&1`). A line that is just `...` stands for any number of
lines; `...` inside a line stands for any text. The commands of one file run in order, in one
fresh directory, through bash with the installed `gradcli` on PATH, as a reader would type them.
A ```pycon block is a doctest, run in a fresh Python process. Also here: the function table of
docs/language.md against the op table, the module map of docs/design.md against the tree, and
every relative link against the files and headings it points to.
"""

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from gradcli.core.ops import CALLABLE

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```console\n(.*?)^```$", re.S | re.M)


def examples(path):
    """(line number, command, expected output lines) of every `$ ` line of a file's console blocks."""
    text = path.read_text(encoding="utf-8")
    found = []
    for block in BLOCK.finditer(text):
        first = text.count("\n", 0, block.start(1)) + 1
        current = None
        for k, line in enumerate(block.group(1).splitlines()):
            if line.startswith("$ "):
                current = (first + k, line[2:], [])
                found.append(current)
            elif current is None:
                raise AssertionError(f"{path.name}:{first + k}: console block does not start with '$ '")
            else:
                current[2].append(line)
    return found


def matches(expected, actual):
    """Do the actual lines match the expected ones, `...` lines and `...` within lines allowed?"""
    def line_ok(pattern, line):
        if "..." not in pattern:
            return pattern == line
        return re.fullmatch(".*".join(map(re.escape, pattern.split("..."))), line) is not None

    # dynamic programming over (expected, actual) positions: no backtracking blow-up
    n, m = len(expected), len(actual)
    ok = [[False] * (m + 1) for _ in range(n + 1)]
    ok[n][m] = True
    for i in range(n - 1, -1, -1):
        for j in range(m, -1, -1):
            if expected[i] == "...":
                ok[i][j] = ok[i + 1][j] or (j < m and ok[i][j + 1])
            else:
                ok[i][j] = j < m and line_ok(expected[i], actual[j]) and ok[i + 1][j + 1]
    return ok[0][0]


def environment():
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "LINES", "FORCE_COLOR")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["TERM"] = "dumb"
    return env


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_console_blocks(path, tmp_path):
    env = environment()
    failures = []
    cases = examples(path)
    for number, command, expected in cases:
        proc = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=120)
        actual = proc.stdout.splitlines()
        if not matches(expected, actual):
            failures.append(f"{path.name}:{number}: $ {command}\n--- expected\n" + "\n".join(expected)
                            + "\n--- got\n" + "\n".join(actual) + (f"\n--- stderr\n{proc.stderr}" if proc.stderr else ""))
    assert not failures, "\n\n".join(failures)


def test_the_matcher():
    assert matches(["a", "...", "d"], ["a", "b", "c", "d"])
    assert matches(["a", "...", "d"], ["a", "d"])
    assert not matches(["a", "d"], ["a", "b", "d"])
    assert matches(["value 0.84..."], ["value 0.8414709848078965"])
    assert not matches(["value 0.9..."], ["value 0.8414709848078965"])


def test_the_matcher_elides_within_lines_and_whole_runs():
    assert matches(["Nodes (4; ...)", "...", "end"], ["Nodes (4; forward)", "a", "b", "end"])
    assert not matches(["...", "end"], ["end", "more"])


PYCON = re.compile(r"^```pycon\n(.*?)^```$", re.S | re.M)


@pytest.mark.parametrize("path", [p for p in DOCS if PYCON.search(p.read_text(encoding="utf-8"))],
                         ids=lambda p: p.relative_to(ROOT).as_posix())
def test_python_examples(path):
    """Each file's ```pycon blocks as one doctest, in a process of its own (an example may
    change the op table on purpose)."""
    script = (
        "import doctest, sys\n"
        "text = sys.stdin.read()\n"
        "test = doctest.DocTestParser().get_doctest(text, {}, 'docs', sys.argv[1], 0)\n"
        "runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)\n"
        "runner.run(test)\n"
        "sys.exit(1 if runner.failures else 0)\n"
    )
    examples = "\n".join(block.group(1) for block in PYCON.finditer(path.read_text(encoding="utf-8")))
    proc = subprocess.run([sys.executable, "-c", script, path.name], input=examples, capture_output=True,
                          text=True, env=environment(), timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def table_column(text, heading, column=0):
    """The cells of one column of the first table under `heading`, code spans unwrapped."""
    section = text[text.index(heading):]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    start = section.splitlines().index(rows[0])
    cells = []
    for line in section.splitlines()[start + 2:]:
        if not line.startswith("|"):
            break
        cells.append(line.split("|")[column + 1].strip().strip("`"))
    return cells


def test_the_function_table_is_the_op_table():
    """docs/language.md lists exactly the callable ops, each once."""
    listed = table_column((ROOT / "docs" / "language.md").read_text(encoding="utf-8"), "## Functions")
    assert sorted(listed) == sorted(CALLABLE), (set(listed) ^ set(CALLABLE))
    assert len(listed) == len(set(listed))


THIRD_PARTY = ("click", "rich", "lark", "numpy", "mpmath")


def module_imports(path):
    """The gradcli modules (and the third-party packages) a module imports, lazily or not, as
    the module map writes them: `core.ops`, `render.formats`, `click`."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    package = parts[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            target = package[:len(package) - node.level + 1] + (node.module.split(".") if node.module else [])
            for alias in node.names:
                sub = target + [alias.name]
                is_module = ROOT.joinpath(*sub).with_suffix(".py").exists() or ROOT.joinpath(*sub).is_dir()
                found.add(".".join((sub if is_module else target)[1:]) or "gradcli")
        else:
            names = [node.module] if isinstance(node, ast.ImportFrom) else \
                [a.name for a in node.names] if isinstance(node, ast.Import) else []
            found.update(n.split(".")[0] for n in names if n and n.split(".")[0] in THIRD_PARTY)
    ours = sorted(n for n in found if n not in THIRD_PARTY)
    return ", ".join(ours + sorted(found & set(THIRD_PARTY))) or "—"


def package_modules():
    """Every module of the package that holds code (an empty __init__.py only marks a package)."""
    return [p for p in sorted((ROOT / "gradcli").rglob("*.py")) if p.read_text(encoding="utf-8").strip()]


def module_map(text):
    """Rewrite the module map's lines and imports columns from the tree, keeping each module's
    responsibility (a new module gets a row to fill in)."""
    start = text.index("| module | responsibility |")
    end = text.index("\n\n", start)
    rows = {line.split("|")[1].strip().strip("`"): line.split("|")[2].strip()
            for line in text[start:end].splitlines()[2:]}
    table = text[start:end].splitlines()[:2]
    for path in package_modules():
        name = path.relative_to(ROOT).as_posix()
        lines = len(path.read_text(encoding="utf-8").splitlines())
        table.append(f"| `{name}` | {rows.get(name, 'TODO')} | {lines} | {module_imports(path)} |")
    return text[:start] + "\n".join(table) + text[end:]


def test_the_module_map_is_the_tree():
    """docs/design.md's module map has a row for every module of the package and for no other,
    with the imports each module really has (`python tests/test_docs.py` rewrites the lines
    and imports columns from the tree)."""
    text = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    listed = table_column(text, "## Module map")
    modules = [p.relative_to(ROOT).as_posix() for p in package_modules()]
    assert listed == modules, (set(listed) ^ set(modules), "run: python tests/test_docs.py")
    imports = table_column(text, "## Module map", column=3)
    assert imports == [module_imports(p) for p in package_modules()], "run: python tests/test_docs.py"


LINK = re.compile(r"\]\(([^)\s]+)\)")


def slug(heading):
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_relative_links_resolve(path):
    """Every relative link names a file that exists and, after #, a heading it has."""
    broken = []
    for target in LINK.findall(path.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target):
            continue
        name, _, anchor = target.partition("#")
        dest = (path.parent / name).resolve() if name else path
        if not dest.exists():
            broken.append(target)
        elif anchor and dest.is_file():
            headings = re.findall(r"^#+ (.*)$", dest.read_text(encoding="utf-8"), re.M)
            if anchor not in {slug(h) for h in headings}:
                broken.append(target)
    assert not broken, broken


if __name__ == "__main__":
    design = ROOT / "docs" / "design.md"
    design.write_text(module_map(design.read_text(encoding="utf-8")), encoding="utf-8")
