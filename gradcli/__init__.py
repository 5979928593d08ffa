"""gradcli: the value of a program and every partial derivative, by one forward and one
reverse sweep over the program's DAG (Goodfellow, Bengio and Courville, section 6.5).

    >>> import gradcli
    >>> r = gradcli.evaluate("sin(w)*w", w=1.0)
    >>> r.value, r.gradient["w"]
"""

from .core import __version__
from .core.compiler import compile_program
from .core.errors import EvaluationFailed, GradcliError, MissingInputs, ProgramError, UsageError
from .core.program import Program
from .engine.evaluate import Result


def evaluate(program, at=None, /, *, strategy="store", stats=False, **inputs):
    """Value, gradient, nodes and edges of `program` (text or a compiled Program) at a point.

    The point is a mapping `at` and/or keyword arguments: `evaluate("x*y", x=2, y=3)`.
    `strategy` ("store", "recompute" or "checkpoint") decides how the reverse sweep gets its
    values; all three give the same numbers. `stats=True` fills `result.stats`. (Inputs named
    `strategy` or `stats` go in the mapping.)
    """
    from .engine.evaluate import evaluate as sweep

    if isinstance(program, str):
        program = compile_program(program)
    point = dict(at or {})
    point.update(inputs)
    return sweep(program, point, strategy, stats, full=True)


# Symbolic derivatives and checks load on first use: a one-shot `gradcli eval` never needs them.
_LAZY = {
    "check_gradient": "derived.check",
    "check_jacobian": "derived.check_drivers",
    "check_direction": "derived.check_drivers",
    "Derivatives": "derived.diff",
    "hessian": "derived.hessian",
    "hessian_vector_product": "derived.hessian",
}
# The drivers over one DAG take program text or a Program: see _driver.
_DRIVERS = {"jacobian": "engine.jacobian", "jvp": "engine.jacobian", "vjp": "engine.jacobian", "hvp": "derived.hessian",
            "taylor": "derived.taylor"}


def _driver(name):
    """gradcli.jacobian(program, at, ...) etc.: the library's driver, compiling text first."""
    from importlib import import_module

    target = getattr(import_module(f".{_DRIVERS[name]}", __name__), name)

    def driver(program, at, *args, **kwargs):
        if isinstance(program, str):
            program = compile_program(program)
        return target(program, dict(at), *args, **kwargs)

    driver.__name__ = name
    driver.__doc__ = target.__doc__
    return driver


def __getattr__(name):
    if name in _DRIVERS:
        return _driver(name)
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'gradcli' has no attribute {name!r}")


__all__ = [
    "__version__",
    "Derivatives",
    "EvaluationFailed",
    "GradcliError",
    "MissingInputs",
    "Program",
    "ProgramError",
    "Result",
    "UsageError",
    "check_direction",
    "check_gradient",
    "check_jacobian",
    "compile_program",
    "evaluate",
    "hessian",
    "hessian_vector_product",
    "hvp",
    "jacobian",
    "jvp",
    "taylor",
    "vjp",
]
