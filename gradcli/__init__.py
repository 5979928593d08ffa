"""gradcli: the value of a program and every partial derivative, by one forward and one
reverse sweep over the program's DAG (Goodfellow, Bengio and Courville, section 6.5).

    >>> import gradcli
    >>> r = gradcli.evaluate("sin(w)*w", w=1.0)
    >>> r.value, r.gradient["w"]
"""

from .compiler import Program, compile_program
from .errors import EvaluationFailed, GradcliError, ProgramError, UsageError
from .sweep import Result

__version__ = "0.1.0"


def evaluate(program, at=None, /, **inputs):
    """Value, gradient, nodes and edges of `program` (text or a compiled Program) at a point.

    The point is a mapping `at` and/or keyword arguments: `evaluate("x*y", x=2, y=3)`.
    """
    from .sweep import evaluate as sweep

    if isinstance(program, str):
        program = compile_program(program)
    point = dict(at or {})
    point.update(inputs)
    return sweep(program, point)


__all__ = [
    "EvaluationFailed",
    "GradcliError",
    "Program",
    "ProgramError",
    "Result",
    "UsageError",
    "compile_program",
    "evaluate",
]
