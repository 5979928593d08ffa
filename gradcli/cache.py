"""Compiled programs on disk, so a repeated command skips the parser (and never imports Lark).

A shell loop that calls `gradcli eval PROGRAM --at ...` at many points parses PROGRAM once:
the DAG is stored as JSON, keyed by a hash of the program text and of what builds its DAG, in the user's cache directory (`$GRADCLI_CACHE_DIR`, else `$XDG_CACHE_HOME/gradcli`,
else `~/.cache/gradcli`). Entries are data, never pickles, written atomically (a temporary
file renamed into place) and checked field by field on load: anything unexpected is treated
as a miss and compiled again. `GRADCLI_CACHE=off` turns the cache off; an unwritable
directory just means no cache.
"""

import hashlib
import json
import os
import tempfile

from . import __version__
from .compiler import Program, compile_program, grammar_path
from .graph import Graph
from .ops import OPS

MAX_ENTRIES = 256  # oldest entries beyond this are removed when a new one is written
_FORMAT = 1


def cache_dir():
    """Where entries live, or None when the cache is off."""
    if os.environ.get("GRADCLI_CACHE", "").lower() in ("off", "0", "no", "false"):
        return None
    base = os.environ.get("GRADCLI_CACHE_DIR")
    if not base:
        xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        base = os.path.join(xdg, "gradcli")
    return base


def _key(source):
    """The entry's name: the program text and everything that decides its DAG (the version,
    the grammar and the modules that build the graph, so a changed checkout never reads an
    entry an older one wrote)."""
    h = hashlib.sha256()
    h.update(f"gradcli {__version__} format {_FORMAT}\0".encode())
    here = os.path.dirname(os.path.abspath(__file__))
    for path in (grammar_path(), *(os.path.join(here, m) for m in ("compiler.py", "graph.py", "ops.py"))):
        with open(path, "rb") as f:
            h.update(f.read())
        h.update(b"\0")
    h.update(source.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def compile_cached(source):
    """compile_program(source), from the cache when an entry for this exact text exists."""
    where = cache_dir()
    if where is None:
        return compile_program(source)
    key = _key(source)
    path = os.path.join(where, key[:2], key + ".json")
    program = _load(path, key, source)
    if program is None:
        program = compile_program(source)
        _store(where, path, key, program)
    return program


def encode(program, key):
    graph = program.graph
    return {
        "format": _FORMAT,
        "key": key,
        "op": graph.op,
        "parents": graph.parents,
        "data": [d.hex() if op == "const" else d for op, d in zip(graph.op, graph.data)],
        "pos": graph.pos.tolist(),
        "names": sorted(graph.names.items()),
        "output": program.output,
        "output_name": program.output_name,
    }


def decode(doc, key, source):
    """The Program an entry describes, or None if it is not exactly what `encode` writes."""
    try:
        if doc["format"] != _FORMAT or doc["key"] != key:
            return None
        ops, parents, data, pos = doc["op"], doc["parents"], doc["data"], doc["pos"]
        n = len(ops)
        if not (len(parents) == len(data) == len(pos) == n) or not 0 <= doc["output"] < n:
            return None
        graph = Graph()
        for i, (op, ps, d, p) in enumerate(zip(ops, parents, data, pos)):
            ps = tuple(ps)
            if op == "const":
                if ps:
                    return None
                graph.leaf("const", float.fromhex(d), p)
            elif op == "input":
                if ps or not isinstance(d, str):
                    return None
                graph.leaf("input", d, p)
            else:
                rule = OPS[op]
                if d is not None or not all(type(q) is int and 0 <= q < i for q in ps):
                    return None
                if (len(ps) != rule.arity) if rule.arity is not None else not ps:
                    return None
                graph.intern(op, ps, p)
            if len(graph) != i + 1:  # two entries for one node: not a graph gradcli wrote
                return None
        for node, name in doc["names"]:
            if type(node) is not int or not 0 <= node < n or not isinstance(name, str):
                return None
            graph.names[node] = name
        name = doc["output_name"]
        return Program(graph, doc["output"], source, name if isinstance(name, str) else None)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _load(path, key, source):
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError):
        return None
    return decode(doc, key, source)


def _store(where, path, key, program):
    """Write the entry atomically; any failure (read-only home, full disk) is no cache."""
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(encode(program, key), f, separators=(",", ":"))
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
        _prune(where)
    except OSError:
        pass


def _prune(where):
    """Keep the newest MAX_ENTRIES entries."""
    entries = []
    for sub in os.scandir(where):
        if sub.is_dir(follow_symlinks=False):
            entries.extend(e for e in os.scandir(sub.path) if e.name.endswith(".json"))
    if len(entries) > MAX_ENTRIES:
        entries.sort(key=lambda e: e.stat().st_mtime)
        for e in entries[: len(entries) - MAX_ENTRIES]:
            try:
                os.unlink(e.path)
            except OSError:
                pass
