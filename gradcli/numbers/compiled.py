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
        template = _OPERATORS.get(name)
        if template is None:
            return lambda *args: self._line(f"{name}({', '.join(map(_text, args))})")
        return lambda *args: self._line(template.format(*map(_text, args)))

    def _line(self, expression):
        name = self.names.get(expression)
        if name is None:
            name = self.names[expression] = f"v{len(self.names)}"
            self.lines.append(f"    {name} = {expression}")
        return name


_ZERO = "0.0"  # a tangent known to be 0 when the code is written (a constant's)


class DualTrace:
    """Dual numbers (value, tangent) of traced code: numbers.dual's kernels written out, a
    tangent that is 0 when the code runs skipped there as numbers.dual skips it (0 × inf is 0)."""

    true, false = "True", "False"

    def __init__(self):
        self.trace = Trace()
        self.zero, self.one = (_ZERO, _ZERO), ("1.0", _ZERO)
        self.ln2, self.ln10, self.two_over_sqrt_pi = ((c, _ZERO) for c in _CONSTANTS)

    def __getattr__(self, name):
        s = self.trace
        if name in ("eq", "gt", "ge"):  # a condition is about values
            return lambda a, b: getattr(s, name)(_lift(a)[0], _lift(b)[0])
        if name == "where":  # between numbers (duals), or between conditions (names)
            return lambda c, a, b: s.where(c, a, b) if isinstance(a, str) else tuple(
                s.where(c, p, q) for p, q in zip(_lift(a), _lift(b)))
        if name not in OPS:
            raise AttributeError(name)
        return lambda *xs: self.apply(name, [_lift(x) for x in xs])

    def apply(self, name, xs):
        """Op `name` on duals: its value, and Σ local partial × tangent over the tangents that
        may be nonzero, each term 0 where its tangent is (numbers.dual's scale and tangent_sum)."""
        s = self.trace
        vs = [v for v, _ in xs]
        y = getattr(s, name)(*vs)
        if all(t == _ZERO for _, t in xs):
            return y, _ZERO
        tangent = None
        for d, (_, t) in zip(OPS[name].partials(s, y, *vs), xs):
            if t != _ZERO:
                term = s._line(f"({t} if {t} == 0 else {_text(d)} * {t})")
                tangent = term if tangent is None else s._line(
                    f"({term} if {tangent} == 0 else {tangent} if {term} == 0 else {tangent} + {term})")
        return y, tangent


def _lift(x):
    return x if isinstance(x, tuple) else (_text(x), _ZERO)


def _text(x):
    """A value in the code: a variable name, or a rule's own literal (0.5, 3.0) exactly."""
    return x if isinstance(x, str) else repr(float(x))


def _function(name, args, trace, results):
    """Compile the lines `trace` wrote into a function `name(*args)` returning `results`."""
    source = "\n".join([f"def {name}({', '.join(args)}):", *trace.lines,
                        f"    return ({''.join(_text(r) + ', ' for r in results)})"])
    scope = {k: getattr(FloatMath, k) for k in (*OPS, *_CONSTANTS)}
    exec(compile(source, f"<{name}, compiled from the op table>", "exec"), scope)  # never user text
    function = scope[name]
    function.source = source
    return function


@cache
def compile_rule(name, rule):
    """Op `name`'s `rule` as a Python function of (m, y, x0, x1, ...), m unused; one of any
    arity as it is. Keyed by the rule itself, so a rule replaced in OPS is compiled anew."""
    arity = OPS[name].arity
    if not arity:
        return rule
    args = [f"x{k}" for k in range(arity)]
    trace = Trace()
    return _function(f"{name}_partials", ["m", "y", *args], trace, rule(trace, "y", *args))


@cache
def compile_dual(name, rule, arity):
    """For forward over reverse in float64, op `name` with `arity` arguments on dual numbers as two
    functions of flat floats: the kernel (x0, t0, x1, t1, ...) -> (y, ty), and the local
    partials with their tangents (y, ty, x0, t0, ...) -> (d0, td0, d1, td1, ...): numbers.dual
    over FloatMath, written out, from the op table's rule."""
    xs = [(f"x{k}", f"t{k}") for k in range(arity)]
    flat = [a for x in xs for a in x]
    forward = DualTrace()
    kernel = _function(f"{name}_dual", flat, forward.trace, forward.apply(name, xs))
    reverse = DualTrace()
    local = rule(reverse, ("y", "ty"), *xs)
    return kernel, _function(f"{name}_dual_partials", ["y", "ty", *flat], reverse.trace, [a for d in local for a in _lift(d)])


def rules_for(m):
    """The op table's partial rules for number type `m`: compiled for float64, as written for
    every other type (numpy columns, graph nodes, mpmath, duals)."""
    if m is FloatMath:
        return {name: compile_rule(name, op.partials) for name, op in OPS.items()}
    return {name: op.partials for name, op in OPS.items()}
