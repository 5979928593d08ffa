"""The packages follow the data flow, and every import points down it.

core (errors, ops, graph, compiler) -> numbers (number types) -> engine (sweeps) -> derived
(diff, hessian, check, explain) -> io (lines, points, batch, cache) -> render (records' text,
tables, pictures) -> cli. A module may import its own package and the packages before it;
nothing imports cli; core, numbers and engine never import click or rich. The check reads
every module's AST, so a lazy import inside a function counts as much as one at the top.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "gradcli"
ORDER = ["core", "numbers", "engine", "derived", "io", "render", "cli"]
NO_UI = {"core", "numbers", "engine", "derived", "io"}  # the library: no click, no rich


def layer(module):
    """The layer of a dotted module under gradcli (`core.ops` -> core; `cli` -> cli)."""
    head = module.split(".")[0]
    return head if head in ORDER else None


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).with_suffix("")
        yield ".".join(rel.parts), path


def imports(module, path):
    """(line, imported gradcli module or None, top-level package) for every import."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module.split(".")[:-1] if not path.name == "__init__.py" else module.split(".")[:-1]
    if path.name == "__init__.py":
        package = module.split(".")[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                inner = alias.name.split(".", 1)[1] if top == "gradcli" and "." in alias.name else None
                yield node.lineno, inner, top
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else list(package)
                target = ".".join([*base, *(node.module.split(".") if node.module else [])])
                if node.module is None:  # from . import a, b: each name may be a module
                    for alias in node.names:
                        yield node.lineno, ".".join(filter(None, [target, alias.name])), "gradcli"
                else:
                    yield node.lineno, target, "gradcli"
            else:
                top = node.module.split(".")[0]
                yield (
                    node.lineno,
                    node.module.split(".", 1)[1] if top == "gradcli" and "." in node.module else None,
                    top,
                )


CASES = list(modules())


@pytest.mark.parametrize("module,path", CASES, ids=[m for m, _ in CASES])
def test_imports_point_down_the_data_flow(module, path):
    mine = layer(module)
    wrong = []
    for line, target, top in imports(module, path):
        if top in ("click", "rich") and (mine in NO_UI or mine is None and module != "cli"):
            if mine in NO_UI:
                wrong.append(f"line {line}: {module} ({mine}) imports {top}")
        if top != "gradcli" or not target:
            continue
        theirs = layer(target)
        if mine is None or theirs is None:
            continue  # the package root and __main__ sit above everything
        if ORDER.index(theirs) > ORDER.index(mine):
            wrong.append(f"line {line}: {module} ({mine}) imports {target} ({theirs})")
    assert not wrong, "\n".join(wrong)


def test_every_module_is_in_a_layer():
    loose = [m for m, _ in CASES if layer(m) is None and m not in ("__init__", "__main__")]
    assert not loose, f"modules outside the layers: {loose}"
