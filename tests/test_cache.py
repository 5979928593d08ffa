"""The on-disk cache of compiled programs: same results, no parser on a hit, never trusted blindly."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gradcli.core.compiler import compile_program
from gradcli.io import cache

from conftest import run_cli

PROGRAMS = [
    "sin(w)*w",
    "f(t) = sin(t); x = f(w); y = f(x); z = f(y)",
    "a = max(x, y, 1e-3); b = a^-2 + hypot(x, y); log1p(b) * pi - e",
    "x = 1e999; y = w * x",
]


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADCLI_CACHE_DIR", str(tmp_path))
    return tmp_path


def entries(root):
    """The cache's own entries: DIR/xx/<64 hex>.json, xx the name's first two digits."""
    return sorted(p for p in Path(root).glob("[0-9a-f][0-9a-f]/" + "[0-9a-f]" * 64 + ".json")
                  if p.parent.name == p.name[:2] and not p.parent.is_symlink() and p.is_file())


def sealed(doc):
    """doc with a checksum that holds, so only the field a test changed can make it a miss."""
    return json.dumps({**doc, "checksum": cache._checksum(doc)})


def same_program(a, b):
    ga, gb = a.graph, b.graph
    return (
        ga.op,
        ga.parents,
        [d.hex() if o == "const" else d for o, d in zip(ga.op, ga.data, strict=True)],
        list(ga.pos),
        ga.names,
        a.output,
        a.output_name,
        a.input_names,
    ) == (
        gb.op,
        gb.parents,
        [d.hex() if o == "const" else d for o, d in zip(gb.op, gb.data, strict=True)],
        list(gb.pos),
        gb.names,
        b.output,
        b.output_name,
        b.input_names,
    )


@pytest.mark.parametrize("text", PROGRAMS)
def test_a_hit_gives_the_same_program(cache_home, text):
    first = cache.compile_cached(text)
    assert len(entries(cache_home)) == 1
    second = cache.compile_cached(text)
    assert second is not first
    assert same_program(first, second)
    assert same_program(first, compile_program(text))


def test_corrupt_or_foreign_entries_are_misses(cache_home):
    """Malformed DAGs are misses even when their checksum holds (test_cache_safety.py covers
    entries whose checksum, program text hash or version does not)."""
    text = "sin(w)*w"
    cache.compile_cached(text)
    (path,) = entries(cache_home)
    good = json.loads(path.read_text())
    assert sealed(good) == json.dumps(good)
    bad_docs = [
        "not json",
        "[" * 100_000,  # nesting deeper than the JSON reader's recursion
        sealed({**good, "key": "0" * 64}),
        sealed({**good, "op": ["input", "sin", "exec"]}),
        sealed({**good, "parents": [[], [5], [1, 0]]}),
        sealed({**good, "output": 99}),
        sealed({**good, "output": 0.5}),
        sealed({**good, "pos": [0, 2**70, 0]}),
        sealed({**good, "names": [[7, "x"]]}),
        sealed({**good, "data": ["w", None, "__import__('os')"]}),
        sealed({k: v for k, v in good.items() if k != "pos"}),
    ]
    for doc in bad_docs:
        path.write_text(doc)
        program = cache.compile_cached(text)
        assert same_program(program, compile_program(text)), doc
        assert json.loads(path.read_text()) == good  # the bad entry was replaced by a good one


def test_off_and_unwritable(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADCLI_CACHE_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("GRADCLI_CACHE", "off")
    cache.compile_cached("sin(w)")
    assert not (tmp_path / "c").exists()
    monkeypatch.delenv("GRADCLI_CACHE")
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("GRADCLI_CACHE_DIR", str(blocker))  # a file where the folder should be
    assert cache.compile_cached("sin(w)").input_names == ["w"]


def test_bounded(cache_home, monkeypatch):
    monkeypatch.setattr(cache, "MAX_ENTRIES", 5)
    for k in range(12):
        cache.compile_cached(f"sin(w) + {k}")
    assert len(entries(cache_home)) == 5


def test_cli_hit_skips_the_parser(cache_home):
    """The second run of the same command loads the DAG and never imports lark."""
    code = (
        "import sys; from gradcli.cli import main\n"
        "try:\n    main(['eval', 'sin(w)*w', '--at', 'w=1', '-o', 'plain'])\n"
        "except SystemExit:\n    pass\n"
        "print('lark' in sys.modules, file=sys.stderr)\n"
    )
    env = dict(os.environ, GRADCLI_CACHE_DIR=str(cache_home))
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env) for _ in range(2)]
    assert [r.stdout for r in runs] == ["value 0.8414709848078965\nd/dw 1.3817732906760363\n"] * 2
    assert [r.stderr.strip() for r in runs] == ["True", "False"]


def test_cli_errors_are_not_cached(cache_home):
    for _ in range(2):
        proc = run_cli("eval", "sin(w", "--at", "w=1", env={"GRADCLI_CACHE_DIR": str(cache_home)})
        assert proc.returncode == 2 and "expected" in proc.stderr
    assert entries(cache_home) == []
