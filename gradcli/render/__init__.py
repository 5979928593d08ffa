"""Rendering: one registry, `render(obj, fmt, **options)`, keyed by (record type, format).

A renderer returns text (plain, json, jsonl, csv, dot, mermaid) or, for the formats in RICH, a
list of rich renderables; where either goes is the CLI's to decide. A command passes all of its
options and each renderer gets the ones its signature names, so one call serves every format.

The registry is keyed by the record type's name (`Result`, `FirstOrder`, `SecondOrder`,
`Record`, ...), so rendering one type imports no other type's module (numpy's, the Hessian's);
the renderer modules are imported on the first render(). Two record types never share a name
(tests/test_render.py checks it). To add a format or a record type: write the function in the
module of its kind (text.py, json.py, tables.py, or one of its own listed in _MODULES) and
decorate it with @renders("TypeName", "format", ...).
"""

import inspect
from functools import cache
from importlib import import_module

RICH = ("table", "tree")  # formats whose renderers return rich renderables
_MODULES = ("text", "json", "tables", "explain", "drawing")  # the modules that register renderers
_RENDERERS = {}  # (type name, format) -> (function, the options it takes)


def renders(kind, *formats):
    """Register the decorated function as the renderer of record type `kind` in `formats`."""

    def register(function):
        takes = frozenset(list(inspect.signature(function).parameters)[1:])
        for fmt in formats:
            _RENDERERS[kind, fmt] = (function, takes)
        return function

    return register


def render(obj, fmt, **options):
    """`obj` in format `fmt`, given those of `options` its renderer takes; a subclass is
    rendered as its nearest registered base (a ReferenceReport as a CheckReport)."""
    _load()
    function, takes = next(_RENDERERS[k.__name__, fmt] for k in type(obj).__mro__ if (k.__name__, fmt) in _RENDERERS)
    return function(obj, **{key: value for key, value in options.items() if key in takes})


@cache
def _load():
    """Import every module that registers renderers (once: a command may have imported some)."""
    for name in _MODULES:
        import_module(f"{__name__}.{name}")
