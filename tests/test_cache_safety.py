"""The cache never destroys or invents anything: it deletes only files in its own layout, uses an
entry only when it is provably this program's, and a failed or concurrent write is never read."""

import errno
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gradcli.core.compiler import compile_program
from gradcli.io import cache
from test_cache import entries, same_program, sealed

from conftest import run_cli

OLD = 946684800  # 2000-01-01: foreign files older than every entry, the first an mtime sort would pick


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADCLI_CACHE_DIR", str(tmp_path))
    return tmp_path


def foreign_files(root):
    """300 files of the user's that look a little like entries: .json at the top, in 2-hex
    folders, with 64-hex names in the wrong folder or in upper case, behind a symlinked folder."""
    root = Path(root)
    made = []

    def put(rel, text="{}"):
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
        os.utime(p, (OLD, OLD))
        made.append(p)

    for i in range(60):
        put(f"notes{i}.json")
    for i in range(60):
        put(f"ab/data{i}.json")
    for i in range(60):
        put(f"ff/{i:02x}{'f' * 62}.json")  # a 64-hex name, but not in its own fan-out folder
    for i in range(60):
        put(f"{i:02x}/{i:02x}{'A' * 62}.json")  # upper-case hex is not a name the cache writes
    for i in range(56):
        put(f"elsewhere/{'c' * 2}{i:062x}.json")
    for i in range(4):
        put(f"project/deeper/{i}.json")
    os.symlink(root / "elsewhere", root / "cc")  # a fan-out name, but a symlink: never followed
    (root / "dd" / ("d" * 64 + ".json")).mkdir(parents=True)  # an entry's name, but a directory
    assert len(made) == 300
    return made


def test_a_shared_directory_loses_none_of_its_files(cache_home):
    """300 foreign .json files survive 1,000 distinct programs (and one real CLI run), while the
    cache itself stays at MAX_ENTRIES."""
    mine = foreign_files(cache_home)
    before = {p: p.read_bytes() for p in mine}
    for k in range(1000):
        cache.compile_cached(f"w * {k}")
    assert len(entries(cache_home)) == cache.MAX_ENTRIES
    proc = run_cli("eval", "w * 1000 + 1", "--at", "w=2", "-o", "plain", env={"GRADCLI_CACHE_DIR": str(cache_home)})
    assert proc.returncode == 0 and proc.stdout == "value 2001\nd/dw 1000\n"
    assert len(entries(cache_home)) == cache.MAX_ENTRIES
    assert {p: p.read_bytes() for p in mine if p.exists()} == before
    assert (cache_home / "dd" / ("d" * 64 + ".json")).is_dir()
    assert (cache_home / "cc").is_symlink()


def test_only_its_own_stale_temporary_files_are_cleaned(cache_home):
    key = cache._key("sin(w)")
    folder = cache_home / key[:2]
    folder.mkdir()
    stale_own = folder / f".{key}.abc_123.tmp"
    fresh_own = folder / f".{key}.xyz.tmp"
    stale_foreign = [folder / ".notes.tmp", folder / f"{key}.tmp", cache_home / "00" / f".{key}.abc.tmp"]
    for p in [stale_own, fresh_own, *stale_foreign]:
        p.parent.mkdir(exist_ok=True)
        p.write_text("partial")
    for p in [stale_own, *stale_foreign]:
        os.utime(p, (OLD, OLD))
    cache.compile_cached("sin(w)")
    assert not stale_own.exists()
    assert fresh_own.exists() and all(p.exists() for p in stale_foreign)


def entry_of(text):
    cache.compile_cached(text)
    path = Path(cache.entry_path(cache.cache_dir(), cache._key(text)))
    return path, path.read_text()


def assert_recompiled(path, text, good):
    program = cache.compile_cached(text)
    assert same_program(program, compile_program(text))
    assert path.read_text() == good  # the bad entry was rewritten


def test_a_hand_edited_entry_is_recompiled(cache_home):
    text = "sin(w) * 2"
    path, good = entry_of(text)
    assert '"sin"' in good
    path.write_text(good.replace('"sin"', '"cos"'))
    assert_recompiled(path, text, good)


def test_a_truncated_entry_is_recompiled(cache_home):
    text = "sin(w) * 2"
    path, good = entry_of(text)
    for cut in (0, 1, len(good) // 2, len(good) - 1):
        path.write_text(good[:cut])
        assert_recompiled(path, text, good)


def test_another_programs_entry_is_recompiled(cache_home):
    """Another program's entry under this program's name, whole, or relabelled with this key
    and a checksum that holds: the recorded program text hash still tells them apart."""
    text, other = "sin(w) * 2", "cos(w) * 2"
    path, good = entry_of(text)
    _, theirs = entry_of(other)
    for doc in (theirs, sealed({**json.loads(theirs), "key": cache._key(text)})):
        path.write_text(doc)
        assert_recompiled(path, text, good)


def test_another_versions_entry_is_recompiled(cache_home):
    text = "sin(w) * 2"
    path, good = entry_of(text)
    doc = json.loads(good)
    for changed in ({"gradcli": "0.0.1"}, {"format": 1}):
        path.write_text(sealed({**doc, **changed}))
        assert_recompiled(path, text, good)
    old = {k: v for k, v in doc.items() if k not in ("checksum", "source_sha256", "gradcli")}
    path.write_text(json.dumps({**old, "format": 1}))  # what the first cache format wrote
    assert_recompiled(path, text, good)


def test_a_tampered_entry_through_the_cli(cache_home):
    env = {"GRADCLI_CACHE_DIR": str(cache_home)}
    first = run_cli("eval", "sin(w)", "--at", "w=1", "-o", "plain", env=env)
    (path,) = entries(cache_home)
    path.write_text(path.read_text().replace('"sin"', '"cos"'))
    second = run_cli("eval", "sin(w)", "--at", "w=1", "-o", "plain", env=env)
    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout == "value 0.8414709848078965\nd/dw 0.5403023058681398\n"


def test_a_read_only_directory_is_no_cache_and_no_error(tmp_path, monkeypatch):
    """Tests run as root, where chmod does not stop writes: a rename that fails stands in for a
    read-only directory, and a path under a regular file for one that cannot be made."""
    monkeypatch.setenv("GRADCLI_CACHE_DIR", str(tmp_path))

    def refuse(src, dst):
        raise OSError(errno.EROFS, "Read-only file system")

    with monkeypatch.context() as m:
        m.setattr(cache.os, "replace", refuse)
        assert same_program(cache.compile_cached("sin(w)"), compile_program("sin(w)"))
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    blocker = tmp_path / "file"
    blocker.write_text("")
    proc = run_cli("eval", "sin(w)", "--at", "w=1", "-o", "plain", env={"GRADCLI_CACHE_DIR": str(blocker / "sub")})
    assert proc.returncode == 0 and proc.stderr == ""
    assert proc.stdout == "value 0.8414709848078965\nd/dw 0.5403023058681398\n"


def test_a_full_disk_leaves_no_partial_entry(cache_home, monkeypatch):
    real_write = os.write
    calls = []

    def write_then_fill(fd, data):
        calls.append(len(data))
        if len(calls) == 1:
            return real_write(fd, bytes(data[: len(data) // 2]))  # a short write, as a filling disk gives
        raise OSError(errno.ENOSPC, "No space left on device")

    text = "a = sin(w); b = a * a; log1p(b) + a"
    with monkeypatch.context() as m:
        m.setattr(cache.os, "write", write_then_fill)
        assert same_program(cache.compile_cached(text), compile_program(text))
    assert len(calls) == 2  # the write was cut off half-way
    assert [p for p in cache_home.rglob("*") if p.is_file()] == []
    assert same_program(cache.compile_cached(text), compile_program(text))
    assert len(entries(cache_home)) == 1


WRITER = """
import sys
from gradcli.io import cache
from gradcli.core.compiler import compile_program
text = sys.argv[1]
key = cache._key(text)
path = cache.entry_path(cache.cache_dir(), key)
program = compile_program(text)
for _ in range(int(sys.argv[2])):
    cache._store(cache.cache_dir(), path, key, program, text)
"""


def test_concurrent_writers_never_give_a_torn_read(cache_home):
    """Two processes rewrite the same entry over and over while this one reads it: every read
    is the whole, valid entry."""
    text = "f(t) = sin(t) * t; f(f(f(w))) + hypot(w, 2)"
    key = cache._key(text)
    path = cache.entry_path(str(cache_home), key)
    expected = compile_program(text)
    cache.compile_cached(text)
    env = dict(os.environ, GRADCLI_CACHE_DIR=str(cache_home))
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, text, "400"], env=env) for _ in range(2)]
    reads = 0
    deadline = time.monotonic() + 120
    while any(w.poll() is None for w in writers) and time.monotonic() < deadline:
        program = cache._load(path, key, text)
        assert program is not None and same_program(program, expected)
        reads += 1
    assert [w.wait(timeout=60) for w in writers] == [0, 0]
    assert reads > 0, reads
    assert same_program(cache._load(path, key, text), expected)
    assert [p.name for p in Path(path).parent.iterdir()] == [Path(path).name]  # no temporary file left


def test_a_fifo_at_an_entrys_path_is_a_miss_not_a_hang(cache_home):
    text = "sin(w) * 3"
    path = Path(cache.entry_path(str(cache_home), cache._key(text)))
    path.parent.mkdir()
    os.mkfifo(path)
    assert same_program(cache.compile_cached(text), compile_program(text))
    assert len(entries(cache_home)) == 1  # the FIFO was replaced by a real entry


def test_an_interrupted_write_leaves_no_temporary_file(cache_home, monkeypatch):
    def interrupt(fd, data):
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(cache.os, "write", interrupt)
        with pytest.raises(KeyboardInterrupt):
            cache.compile_cached("sin(w) * 4")
    assert [p for p in cache_home.rglob("*") if p.is_file()] == []
