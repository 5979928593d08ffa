"""Compiled programs on disk, so a repeated command skips the parser (and never imports Lark).

A shell loop that calls `gradcli eval PROGRAM --at ...` at many points parses PROGRAM once: the
DAG is stored as JSON in the user's cache directory (`$GRADCLI_CACHE_DIR`, else
`$XDG_CACHE_HOME/gradcli`, else `~/.cache/gradcli`). `GRADCLI_CACHE=off` turns the cache off.

The directory may be shared with anything else, so the cache is careful in both directions:
- It only ever deletes files in its own layout: `DIR/xx/<64 hex>.json` where `xx` is the name's
  first two hex digits, and its own stale temporary files `DIR/xx/.<64 hex>.<random>.tmp`.
  Any other file, a symlink or a directory is never touched, whatever its name.
- An entry is data, never code or pickles. It records gradcli's version, its key, the sha256 of
  the program text and a sha256 checksum of the rest of its content; it is used only when all
  of them match the program being run and the DAG it describes is well formed. Anything else
  (hand-edited, truncated, another program's, another version's) is a miss: compiled again and
  rewritten.
- An entry is written to a temporary file and renamed into place, so a reader sees a whole old
  entry or a whole new one; a failed write (read-only directory, full disk) removes its
  temporary file and just means no cache.
"""

import hashlib
import json
import os
import re
import stat
import tempfile
import time

from ..core import __version__
from ..core.compiler import compile_program, grammar_path
from ..core.graph import Graph, Literal
from ..core.program import Program

MAX_ENTRIES = 256  # oldest entries beyond this are removed when a new one is written
STALE_TMP_SECONDS = 3600  # a temporary file this old belongs to a writer that died
_FORMAT = 3
_FANOUT = re.compile(r"[0-9a-f]{2}")
_ENTRY = re.compile(r"([0-9a-f]{2})[0-9a-f]{62}\.json")
_TMP = re.compile(r"\.([0-9a-f]{2})[0-9a-f]{62}\.[A-Za-z0-9_]+\.tmp")


def cache_dir():
    """Where entries live, or None when the cache is off."""
    if os.environ.get("GRADCLI_CACHE", "").lower() in ("off", "0", "no", "false"):
        return None
    base = os.environ.get("GRADCLI_CACHE_DIR")
    if not base:
        xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        base = os.path.join(xdg, "gradcli")
    return base


def _text_bytes(source):
    return source.encode("utf-8", "surrogatepass")


def _key(source):
    """The entry's name: the program text and everything that decides its DAG (the version,
    the grammar and the modules that build the graph, so a changed checkout never reads an
    entry an older one wrote)."""
    h = hashlib.sha256()
    h.update(f"gradcli {__version__} format {_FORMAT}\0".encode())
    core = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "core")
    for path in (grammar_path(), *sorted(os.path.join(core, m) for m in os.listdir(core) if m.endswith(".py"))):
        with open(path, "rb") as f:
            h.update(f.read())
        h.update(b"\0")
    h.update(_text_bytes(source))
    return h.hexdigest()


def entry_path(where, key):
    """DIR/xx/<key>.json: the only shape of file the cache reads, writes or deletes."""
    return os.path.join(where, key[:2], key + ".json")


def compile_cached(source):
    """compile_program(source), from the cache when a verified entry for this exact text exists."""
    where = cache_dir()
    if where is None:
        return compile_program(source)
    key = _key(source)
    path = entry_path(where, key)
    program = _load(path, key, source)
    if program is None:
        program = compile_program(source)
        _store(where, path, key, program, source)
    return program


def _checksum(doc):
    """sha256 of the entry's canonical JSON, every field but "checksum" itself."""
    body = {k: v for k, v in doc.items() if k != "checksum"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def _const_data(d):
    """A literal as [its text] (read back exactly, at any precision), another constant by its bits."""
    text = getattr(d, "text", None)
    return [text] if text is not None else d.hex()


def encode(program, key, source):
    graph = program.graph
    doc = {
        "format": _FORMAT,
        "gradcli": __version__,
        "key": key,
        "source_sha256": hashlib.sha256(_text_bytes(source)).hexdigest(),
        "op": graph.op,
        "parents": graph.parents,
        "data": [_const_data(d) if op == "const" else d for op, d in zip(graph.op, graph.data)],
        "pos": graph.pos.tolist(),
        "names": sorted(graph.names.items()),
        "output": program.output,
        "output_name": program.output_name,
        "outputs": program.outputs,
        "output_names": program.output_names,
        "assigned": sorted(program.assigned.items()),
    }
    doc["checksum"] = _checksum(doc)
    return doc


def decode(doc, key, source):
    """The Program an entry describes, or None unless it is exactly what `encode` wrote for
    this very program text with this very gradcli."""
    try:
        if (
            type(doc) is not dict
            or doc.get("checksum") != _checksum(doc)
            or doc["format"] != _FORMAT
            or doc["gradcli"] != __version__
            or doc["key"] != key
            or doc["source_sha256"] != hashlib.sha256(_text_bytes(source)).hexdigest()
        ):
            return None
        ops, parents, data, pos = doc["op"], doc["parents"], doc["data"], doc["pos"]
        if type(doc["output"]) is not int or not 0 <= doc["output"] < len(ops):
            return None
        graph = Graph()
        for op, ps, d, p in zip(ops, parents, data, pos, strict=True):
            graph.append(op, tuple(ps), (Literal(d[0]) if type(d) is list else float.fromhex(d)) if op == "const" else d, p)
        graph.names.update((node, name) for node, name in doc["names"])
        graph.validate()  # forged or damaged: no graph intern and leaf could have built
        name = doc["output_name"]
        outputs, names, assigned = doc["outputs"], doc["output_names"], dict(doc["assigned"])
        n = len(graph)
        if not all(type(o) is int and 0 <= o < n for o in [*outputs, *assigned.values()]) or len(names) != len(outputs):
            return None
        return Program(graph, doc["output"], source, name if isinstance(name, str) else None, outputs, names, assigned)
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError):  # InvalidGraph too
        return None


def _load(path, key, source):
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO there must not hang us
        with os.fdopen(fd, encoding="utf-8") as f:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return None
            doc = json.load(f)
    except (OSError, ValueError, RecursionError):
        return None
    return decode(doc, key, source)


def _store(where, path, key, program, source):
    """Write the entry atomically; any failure (read-only directory, full disk) is no cache."""
    data = json.dumps(encode(program, key, source), separators=(",", ":"), allow_nan=False).encode("ascii")
    folder = os.path.dirname(path)
    try:
        os.makedirs(folder, exist_ok=True)
        if os.path.islink(folder):  # never write through a symlink planted where a folder belongs
            return
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{key}.", suffix=".tmp")
    except (OSError, ValueError):
        return
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException as exc:  # even on Ctrl-C, no temporary file is left behind
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            return
        raise
    _prune(where)


def _own_files(where):
    """(entries, temporary files) in the cache's own layout, as os.DirEntry: regular files only,
    named exactly by the cache's patterns, in fan-out folders that are real directories."""
    entries, temps = [], []
    try:
        folders = [d for d in os.scandir(where) if _FANOUT.fullmatch(d.name) and d.is_dir(follow_symlinks=False)]
    except OSError:
        return entries, temps
    folders.sort(key=lambda d: d.name)
    for folder in folders:
        try:
            files = list(os.scandir(folder.path))
        except OSError:
            continue
        for f in files:
            name = f.name
            pattern, into = (_ENTRY, entries) if name[0] != "." else (_TMP, temps)
            m = pattern.fullmatch(name)
            if m and m.group(1) == folder.name and f.is_file(follow_symlinks=False):
                into.append(f)
    return entries, temps


def _mtime(entry):
    try:
        return entry.stat(follow_symlinks=False).st_mtime
    except OSError:
        return None


def _prune(where):
    """Keep the newest MAX_ENTRIES entries and drop stale temporary files, touching nothing else."""
    entries, temps = _own_files(where)
    doomed = []
    if len(entries) > MAX_ENTRIES:
        dated = [(t, e.path) for e in entries if (t := _mtime(e)) is not None]
        dated.sort()
        doomed += [p for _, p in dated[: max(0, len(dated) - MAX_ENTRIES)]]
    cutoff = time.time() - STALE_TMP_SECONDS
    doomed += [e.path for e in temps if (t := _mtime(e)) is not None and t < cutoff]
    for path in doomed:
        try:
            os.unlink(path)
        except OSError:
            pass
