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
from .io.lines import Uncertain


def evaluate(program, at=None, /, *, strategy="store", stats=False, precision=None, uncertainty=None,
             correlations=None, seed=0, **inputs):
    """Value, gradient, nodes and edges of `program` (text or a compiled Program) at a point.

    The point is a mapping `at` and/or keyword arguments: `evaluate("x*y", x=2, y=3)`. A value
    is a number, its text as `--at` reads it (`"0.1"`, `"1.5±0.01"`), or `Uncertain(1.5, 0.01)`;
    with uncertain values `result.budget` is the uncertainty budget (derived.uncertainty.Budget:
    `uncertainty` by the method `uncertainty` names, "first-order" (default), "second-order" or
    "mc:N"; `correlations` {(a, b): r}; Monte Carlo's `seed`), else None. `precision=DIGITS`
    computes with mpmath at DIGITS significant digits. `strategy` ("store", "recompute" or
    "checkpoint") decides how the reverse sweep gets its values; all three give the same
    numbers. `stats=True` fills `result.stats`. (Inputs named like an option go in the mapping.)
    """
    from .derived.uncertainty import budget
    from .engine.evaluate import evaluate as sweep

    program, point, m = _prepared(program, at, inputs, precision)
    result = sweep(program, point, strategy, stats, full=True, m=m)
    result.budget = budget(result, point, uncertainty, correlations, m, seed)
    if result.budget is None and (uncertainty is not None or correlations):
        raise UsageError("uncertainty= and correlations= need an input with an uncertainty, e.g. x=\"1.5±0.01\"")
    return result


def _prepared(program, at, inputs, precision):
    """(Program, point, number type): text compiled, values given as text read as `--at` reads
    them, `precision` checked."""
    from .io.lines import parse_value
    from .numbers import number_type

    if isinstance(program, str):
        program = compile_program(program)
    point = {**(at or {}), **inputs}
    point = {name: parse_value(name, v) if isinstance(v, str) else v for name, v in point.items()}
    if precision is not None:
        from .numbers.mp import MAX_DIGITS, MIN_DIGITS

        if isinstance(precision, bool) or not (isinstance(precision, int) and MIN_DIGITS <= precision <= MAX_DIGITS):
            raise UsageError(f"precision={precision!r}: expected a whole number of digits, {MIN_DIGITS} to {MAX_DIGITS}")
    return program, point, number_type(precision, program)


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
    """gradcli.jacobian(program, at, ...) etc.: the library's driver, compiling text first and
    reading values as evaluate does, at `precision=` digits when given; for
    jacobian, `result.covariance` (derived.uncertainty.Covariance, or None) from `±` values."""
    from importlib import import_module

    target = getattr(import_module(f".{_DRIVERS[name]}", __name__), name)

    def driver(program, at, *args, precision=None, correlations=None, **kwargs):
        program, point, m = _prepared(program, at, {}, precision)
        result = target(program, point, *args, m=m, **kwargs)
        if name == "jacobian":
            from .derived.uncertainty import covariance

            result.covariance = covariance(result, point, correlations, m)
        elif correlations:
            raise UsageError(f"correlations= is for gradcli.evaluate and gradcli.jacobian, not gradcli.{name}")
        return result

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
    "Uncertain",
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
