"""Staged numbers: a number type whose operations write Python code instead of computing.

A sweep run once over staged numbers (JAX's tracing) records its own float64 arithmetic, in
its own order, as straight-line code: one assignment per operation, the kernels FloatMath's,
the sweep's loops, dispatch, op-table rules and Dual objects all gone. The function built
from that code runs the same kernels on the same operands in the same order, so it gives the
sweep's numbers bit for bit, at a fraction of the interpreter's cost per node: it pays when
one program is swept many times (derived.hessian stages its Hessian-vector products).

Staging needs straight-line arithmetic. Operations on plain floats fold at staging time (the
same kernel on the same floats); a condition on a staged number is staged code too (`where`,
`eq`), but a Python decision on one (`if x > 0`) cannot be: it raises Unstageable, and the
caller runs the sweep itself. A zero tangent scales to itself (numbers.dual.scale); a staged
tangent cannot tell at staging time whether it is zero, so its products are staged with that
test, and its `== 0` is false unless it is a literal zero: the staged test then does at run
time what the interpreted sweep's does.

Never user text: the code holds only invented names (the arguments p0, p1, ... and their
parts p0_0, p0_1, ...; _1, _2, ... every result), float literals, operators and the
kernels' own names, and every name is checked against that before it is compiled.
"""

import math
import re

from . import Recorded
from .float64 import FloatMath

PIECE = 2000  # lines compiled at once (see Tape.function)


class Unstageable(Exception):
    """The sweep cannot be staged: it decided something in Python on a number known only at
    run time, or its code failed the names check."""


VALUE, TANGENT, CONDITION = "value", "tangent", "condition"
_INFIX = {"add": "+", "sub": "-", "mul": "*", "eq": "==", "gt": ">", "ge": ">="}


class Staged(Recorded):
    """A number of the staged sweep, on the Tape `m`: the name of the variable that will hold
    it, and its kind (a value, a tangent, a condition)."""

    __slots__ = ("kind", "m", "name", "unsigned")

    def __init__(self, m, name, kind=VALUE):
        self.m, self.name, self.kind = m, name, kind
        self.unsigned = False  # known never to be -0

    def __eq__(self, other):
        """Only a tangent may be compared, and only with 0: its arithmetic guards zero itself."""
        if self.kind == TANGENT and other == 0:
            return False
        raise Unstageable("a staged number compared in Python")

    __hash__ = object.__hash__

    def __bool__(self):
        raise Unstageable("a Python decision on a staged number")

    def _compared(self, other):
        raise Unstageable("a staged number compared in Python")

    __gt__ = __lt__ = __ge__ = __le__ = __ne__ = _compared

    def __repr__(self):
        return self.name


def _kind(*xs):
    kinds = {x.kind for x in xs if isinstance(x, Staged)}
    return TANGENT if TANGENT in kinds else kinds.pop() if kinds else VALUE


class Tape:
    """The number type of a staged sweep (FloatMath's protocol), and the code it records."""

    zero, one = FloatMath.zero, FloatMath.one
    ln2, ln10, two_over_sqrt_pi = FloatMath.ln2, FloatMath.ln10, FloatMath.two_over_sqrt_pi
    true, false = True, False
    names_conventions = False  # conventions are named from the values afterwards, not in the sweep
    name = "staged float64"

    def __init__(self):
        self.lines = []  # (name, expression, the names it reads)
        self.seen = {}
        self.count = 0
        for name in FloatMath.__dict__:
            if callable(getattr(FloatMath, name)) and not name.startswith("_") and not hasattr(Tape, name):
                setattr(self, name, self._kernel(name))

    # -- recording --------------------------------------------------------------------

    def _emit(self, expression, kind, *operands):
        """One assignment; the same expression again is the same number (every kernel is pure)."""
        y = self.seen.get(expression)
        if y is None:
            self.count += 1
            y = self.seen[expression] = Staged(self, f"_{self.count}", kind)
            self.lines.append((y.name, expression, [x.name for x in operands if isinstance(x, Staged)]))
        return y

    def argument(self, name, kind):
        return Staged(self, name, kind)

    def _kernel(self, name):
        f = getattr(FloatMath, name)

        def kernel(*xs):
            if not any(isinstance(x, Staged) for x in xs):
                return f(*xs)  # folded: the same kernel on the same floats
            return self._emit(f"k_{name}({', '.join(map(_text, xs))})", _kind(*xs), *xs)

        return kernel

    def _operator(self, name, a, b):
        if not isinstance(a, Staged) and not isinstance(b, Staged):
            return getattr(FloatMath, name)(a, b)
        kind = CONDITION if name in ("eq", "gt", "ge") else _kind(a, b)
        return self._emit(f"{_text(a)} {_INFIX[name]} {_text(b)}", kind, a, b)

    # -- the protocol's arithmetic, a tangent's product guarded as numbers.dual.scale does --

    def add(self, a, b):
        for x, y in ((a, b), (b, a)):
            if _is_plus_zero(x) and isinstance(y, Staged) and y.unsigned:
                return y  # 0 + y is y when y cannot be -0
        y = self._operator("add", a, b)
        if isinstance(y, Staged):  # a sum is -0 only when both terms are
            y.unsigned = not _maybe_minus_zero(a) or not _maybe_minus_zero(b)
        return y

    def mul(self, a, b):
        if isinstance(a, Staged) and a.kind == TANGENT:
            a, b = b, a
        if type(a) is float and a == 1.0 and isinstance(b, Staged):
            return b  # 1·x is x, bit for bit (a zero's sign, a nan, the guard's choice alike)
        if type(b) is float and b == 1.0 and isinstance(a, Staged) and a.kind != TANGENT:
            return a
        if isinstance(b, Staged) and b.kind == TANGENT:  # numbers.dual.scale: a zero tangent scales to itself
            if isinstance(a, Staged) and a.kind == TANGENT:
                raise Unstageable("a product of two tangents")
            t = _text(b)
            return self._emit(f"{t} if {t} == 0.0 else {_text(a)} * {t}", TANGENT, a, b)
        return self._operator("mul", a, b)

    def sub(self, a, b):
        return self._operator("sub", a, b)

    def neg(self, a):
        if not isinstance(a, Staged):
            return FloatMath.neg(a)
        return self._emit(f"-{a.name}", a.kind, a)

    def eq(self, a, b):
        return self._operator("eq", a, b)

    def gt(self, a, b):
        return self._operator("gt", a, b)

    def ge(self, a, b):
        return self._operator("ge", a, b)

    def where(self, c, a, b):
        if not isinstance(c, Staged):
            return a if c else b
        if type(a) is float and type(b) is float and _text(a) == _text(b):
            return a
        return self._emit(f"{_text(a)} if {c.name} else {_text(b)}", _kind(a, b), c, a, b)

    def known(self, c):
        if isinstance(c, Staged):
            raise Unstageable("a condition known only at run time")
        return bool(c)

    # -- building the function --------------------------------------------------------

    def _live(self, result):
        """The recorded lines `result` needs, in order (a rule's partial that no tangent
        needed is left out)."""
        needed = set(_names(result))
        live = []
        for line in reversed(self.lines):
            if line[0] in needed:
                live.append(line)
                needed.update(line[2])
        return live[::-1]

    def function(self, parameters, result):
        """The Python function of the recorded code, of the arguments `parameters` (pairs of a
        name and the Staged numbers its sequence holds), returning `result`, a list of lists
        of numbers (and None). The code is compiled in pieces of PIECE lines, since compile's
        memory grows with the code it is given (about 4 KB a line). The numbers returned, and
        those one piece leaves to a later one, are stored in one list (slots), from which each
        result list is one slice; all others stay local variables."""
        live = self._live(result)
        pieces = [live[k:k + PIECE] for k in range(0, len(live), PIECE)] or [[]]
        home = {p.name: 0 for _, parts in parameters for p in parts}
        home.update({name: c for c, piece in enumerate(pieces) for name, _, _ in piece})
        template, slots, spans = [], {}, []
        for entries in result:
            spans.append((len(template), len(template) + len(entries)))
            for x in entries:
                if isinstance(x, Staged):
                    slots.setdefault(x.name, []).append(len(template))
                template.append(None if isinstance(x, Staged) else x)
        argument = {p.name: f"{name}[{k}]" for name, parts in parameters for k, p in enumerate(parts)}
        reads = []
        for c, piece in enumerate(pieces):
            used = dict.fromkeys(name for _, _, operands in piece for name in operands if home[name] != c)
            reads.append(list(used))
            for name in used:
                if name not in slots and name not in argument:
                    slots[name] = [len(template)]
                    template.append(None)
        names = ", ".join(name for name, _ in parameters)
        namespace = {"__builtins__": {}, "INF": math.inf, "NAN": math.nan}
        namespace.update({f"k_{name}": getattr(FloatMath, name) for name in vars(self) if name in FloatMath.__dict__})
        functions = []
        for c, piece in enumerate(pieces):
            defined = [name for name, _, _ in piece] + ([p.name for _, parts in parameters for p in parts] if c == 0 else [])
            lines = [f"def piece(C, {names}):"]
            lines += [f" {', '.join(p.name for p in parts)}, = {name}" for name, parts in parameters if parts and c == 0]
            lines += [f" {name} = {argument[name] if name in argument else f'C[{slots[name][0]}]'}" for name in reads[c]]
            lines += [f" {name} = {expression}" for name, expression, _ in piece]
            lines += [f" {' = '.join(f'C[{k}]' for k in slots[name])} = {name}" for name in defined if name in slots]
            source = "\n".join(lines + [" return None"]) + "\n"
            _check_names(source, set(namespace) | {"C", "piece"} | {name for name, _ in parameters})
            scope = dict(namespace)
            exec(compile(source, f"<gradcli staged sweep, piece {c}>", "exec"), scope)  # only the invented code above
            functions.append(scope["piece"])

        def staged(*arguments):
            carry = template[:]
            for f in functions:
                f(carry, *arguments)
            return [carry[a:b] for a, b in spans]

        return staged


def _names(result):
    if isinstance(result, (list, tuple)):
        for x in result:
            yield from _names(x)
    elif isinstance(result, Staged):
        yield result.name


def _is_plus_zero(x):
    return type(x) is float and x == 0 and math.copysign(1.0, x) > 0


def _maybe_minus_zero(x):
    if isinstance(x, Staged):
        return not x.unsigned
    return x == 0 and math.copysign(1.0, x) < 0


def _text(x):
    """A number in the code: a staged number's name, or a float's literal (INF, NAN by name)."""
    if isinstance(x, Staged):
        return x.name
    if isinstance(x, bool):
        return repr(x)
    x = float(x)
    if x != x:
        return "NAN"
    if math.isinf(x):
        return "INF" if x > 0 else "(-INF)"
    return f"({x!r})" if x < 0 or (x == 0 and math.copysign(1.0, x) < 0) else repr(x)


_WORD = re.compile(r"(?<![\w.])[A-Za-z_]\w*")
_ATTRIBUTE = re.compile(r"\.\s*[A-Za-z_]")  # a float's literal has digits after its point
_INVENTED = re.compile(r"_\d+|p\d+_\d+")
_WORDS = {"def", "if", "else", "return", "None", "True", "False"}


def _check_names(source, names):
    """Every name in the code is invented here or a kernel's, and it holds no string and no
    attribute: defence in depth, since the code is built only from these names and float
    literals. Code that fails is never compiled, and the sweep stays interpreted."""
    if "'" in source or '"' in source or "\\" in source:
        raise Unstageable("staged code holds a string")
    if _ATTRIBUTE.search(source):
        raise Unstageable("staged code holds an attribute")
    for word in set(_WORD.findall(source)) - names - _WORDS:
        if not _INVENTED.fullmatch(word):
            raise Unstageable(f"staged code holds an unexpected name: {word!r}")
