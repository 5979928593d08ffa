"""The op table's rules compiled to straight-line float64 Python, once per op.

A rule is written against a number type `m`. Run with `Trace` (a number is the name of a
variable in the code being written), a rule writes its own float64 code: each primitive it
calls is one line, `add`, `sub`, `mul` and `neg` as Python's operators (the very IEEE
operations of FloatMath's `operator` kernels), every other primitive as a call of FloatMath's
kernel, `where` as a conditional over values already computed (FloatMath's `where` has both
branches computed too), and a repeated call reuses its first result. The same operations in
the same order: a compiled rule returns FloatMath's partials bit for bit, without the
interpreter's cost of looking each primitive up on the number type. The code comes from the
op table only, never from user text. Rules of any arity (max, min) stay as written.
"""

from functools import cache

from ..core.ops import OPS
from .float64 import FloatMath

_OPERATORS = {"add": "{} + {}", "sub": "{} - {}", "mul": "{} * {}", "neg": "-{}",
              "eq": "({} == {})", "gt": "({} > {})", "ge": "({} >= {})", "where": "({1} if {0} else {2})"}
_CONSTANTS = ("ln2", "ln10", "two_over_sqrt_pi")


class Trace:
    """A number type whose numbers are variable names: each operation writes a line."""

    zero, one, true, false = "0.0", "1.0", "True", "False"
    ln2, ln10, two_over_sqrt_pi = _CONSTANTS

    def __init__(self):
        self.lines = []
        self.names = {}

    def __getattr__(self, name):
        """The primitive `name`, writing one line per distinct call."""
        if name not in OPS and name not in _OPERATORS:
            raise AttributeError(name)
        template = _OPERATORS.get(name) or name + "({})".format(", ".join(["{}"] * (OPS[name].arity or 0)))
        return lambda *args: self._line(template.format(*map(_text, args)))

    def _line(self, expression):
        name = self.names.get(expression)
        if name is None:
            name = self.names[expression] = f"v{len(self.names)}"
            self.lines.append(f"    {name} = {expression}")
        return name


def _text(x):
    """A value in the code: a variable name, or a rule's own literal (0.5, 3.0) exactly."""
    return x if isinstance(x, str) else repr(float(x))


@cache
def compile_rule(name, rule):
    """Op `name`'s `rule` as a Python function of (m, y, x0, x1, ...), m unused; one of any
    arity as it is. Keyed by the rule itself, so a rule replaced in OPS is compiled anew."""
    arity = OPS[name].arity
    if not arity:
        return rule
    args = [f"x{k}" for k in range(arity)]
    trace = Trace()
    local = rule(trace, "y", *args)
    source = "\n".join([f"def {name}_partials(m, y, {', '.join(args)}):", *trace.lines,
                        f"    return ({''.join(_text(d) + ', ' for d in local)})"])
    scope = {k: getattr(FloatMath, k) for k in (*OPS, *_CONSTANTS)}
    exec(compile(source, f"<the {name} rule, compiled>", "exec"), scope)  # the op table's own code
    compiled = scope[f"{name}_partials"]
    compiled.source = source
    return compiled


def rules_for(m):
    """The op table's partial rules for number type `m`: compiled for float64, as written for
    every other type (numpy columns, graph nodes, mpmath, duals)."""
    if m is FloatMath:
        return {name: compile_rule(name, op.partials) for name, op in OPS.items()}
    return {name: op.partials for name, op in OPS.items()}
