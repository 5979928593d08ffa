"""The DAG: nodes in creation order, which is a topological order, with hash-consing.

A node is its index. `op[i]` names the operation, `parents[i]` holds the parent indices
(the set A(i) of Algorithm 6.1, in argument order). Inputs carry their name and constants
their value in `data[i]`. Because a node can only be created after its parents, the list
order is already the order the forward sweep needs, and the reverse sweep is that list
backwards: nothing ever has to be sorted or walked recursively.

Hash-consing: `intern` returns the existing node for a key it has seen, so each distinct
subexpression is one node. A constant's key is its exact decimal value (`0.1` and `0.10` are
one node, the float nearest 0.1 another) with the sign of a zero, because as dict keys
`1 == 1.0 == True` and `0.0 == -0.0` would merge values that print differently.
"""

import math
from array import array
from decimal import Decimal, InvalidOperation

from .ops import CONSTANTS, OPS

# The leaves of a program's graph and the type of their data (a function body's own leaves,
# param and outer, never reach a program's graph).


class InvalidGraph(ValueError):
    """A broken invariant of the graph: a bug where the graph was built, or a forged cache entry."""


class Literal(float):
    """A number as written: its float64 value, and its decimal text (or `pi`, `e`) for a
    number type with more digits, which reads `0.1` as one tenth, not the float nearest it."""

    __slots__ = ("text",)

    def __new__(cls, text):
        self = super().__new__(cls, CONSTANTS[text] if text in CONSTANTS else float(text))
        self.text = text
        return self

    def __reduce__(self):
        return Literal, (self.text,)


LEAVES = {"input": (str,), "const": (float, Literal)}  # a leaf's data types


def const_key(value):
    """A constant's hash-consing key: its exact decimal value and the sign of a zero (a name
    for pi and e; the float's bits for inf and nan, which no decimal holds)."""
    if not isinstance(value, float):  # not a constant's data: a key no constant has (validate() names it)
        return ("not a number", repr(value))
    text = getattr(value, "text", None)
    if text in CONSTANTS:
        return text
    if text is None and not math.isfinite(value):
        return value.hex()
    try:
        d = Decimal(text if text is not None else value)
    except InvalidOperation:  # an exponent beyond Decimal's 10^18: `1e999999999999999999999`
        return _huge_key(text)
    return d, d.is_signed()


def _huge_key(text):
    """The exact value of a literal whose exponent Decimal cannot hold, as (digits, exponent)
    with no trailing zeros: `10e999999999999999999998` and `1e999999999999999999999` are one."""
    mantissa, _, exponent = text.lower().partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    scale = int(exponent or 0) - len(fraction)
    stripped = digits.rstrip("0")
    return ("decimal", stripped, scale + len(digits) - len(stripped)) if stripped else (Decimal(0), False)


class Graph:
    """Flat lists of ops, parents and data; `index` maps a node's key to its id."""

    def __init__(self):
        self.op = []
        self.parents = []
        self.data = []
        self.pos = array("q")  # source offset of the node's first occurrence, -1 when none
        self.index = {}
        self.names = {}  # node id -> the first name assigned to it

    def __len__(self):
        return len(self.op)

    def _add(self, key, op, parents, data, pos):
        i = len(self.op)
        self.op.append(op)
        self.parents.append(parents)
        self.data.append(data)
        self.pos.append(pos)
        self.index[key] = i
        return i

    @staticmethod
    def key(op, parents, data):
        """The hash-consing key: op and parents, or a leaf's op and data (a constant's by
        const_key: its exact decimal value)."""
        if parents:
            return (op, *parents)
        return (op, const_key(data) if op == "const" else data)  # a leaf: input, const, or a body's param/outer

    def intern(self, op, parents, pos=-1):
        """The node computing `op` of `parents`, created on first use."""
        key = (op, *parents)
        i = self.index.get(key)
        if i is None:
            i = self._add(key, op, parents, None, pos)
        return i

    def leaf(self, op, data, pos=-1):
        """A node with no parents: an input (data: its name), a constant (data: its value),
        or, in a function body, a parameter (its index) or an outer node (its id)."""
        key = self.key(op, (), data)
        i = self.index.get(key)
        if i is None:
            i = self._add(key, op, (), data, pos)
        return i

    def append(self, op, parents, data, pos=-1):
        """A node exactly as stored elsewhere (a cache entry), not interned: validate() then
        says whether the stored nodes form a graph that intern and leaf could have built."""
        return self._add(self.key(op, parents, data), op, parents, data, pos)

    def validate(self):
        """Raise InvalidGraph unless every invariant the sweeps rely on holds: parents precede
        their children, arities and data types match the op table, leaves have no parents,
        and the hash-consing index holds each node's key exactly once. Linear in nodes + edges."""
        n = len(self.op)
        if not len(self.parents) == len(self.data) == len(self.pos) == len(self.index) == n:
            raise InvalidGraph(f"the node lists or the index disagree on the node count ({n})")
        index = self.index
        for i, (op, ps, d) in enumerate(zip(self.op, self.parents, self.data, strict=True)):
            if op in LEAVES:
                bad = bool(ps) or type(d) not in LEAVES[op]
            else:
                rule = OPS.get(op)
                bad = rule is None or d is not None or not all(type(p) is int and 0 <= p < i for p in ps)
                bad = bad or (len(ps) != rule.arity if rule.arity is not None else not ps)
            if bad or index.get(self.key(op, ps, d)) != i:
                raise InvalidGraph(f"node {i} ({op}) breaks an invariant of the graph")
        if not all(type(i) is int and 0 <= i < n and isinstance(name, str) for i, name in self.names.items()):
            raise InvalidGraph("a name refers to no node")

    def const(self, value, pos=-1):
        # 1, 1.0 and True are one constant; a Literal keeps its text
        return self.leaf("const", value if isinstance(value, Literal) else float(value), pos)

    def input(self, name, pos=-1):
        return self.leaf("input", name, pos)

    def inputs(self):
        """Input node ids in order of first appearance."""
        return [i for i, op in enumerate(self.op) if op == "input"]

    def edge_count(self):
        return sum(map(len, self.parents))

    def edges(self):
        """(parent, child, slot) for every edge, in child order then argument order."""
        for child, ps in enumerate(self.parents):
            for slot, parent in enumerate(ps):
                yield parent, child, slot

    def ancestors(self, *roots):
        """A list of flags: is node i one of the roots or one of their ancestors?"""
        mark = bytearray(len(self.op))
        for root in roots:
            mark[root] = 1
        parents = self.parents
        for i in range(max(roots), -1, -1):
            if mark[i]:
                for p in parents[i]:
                    mark[p] = 1
        return mark

    def depends_on_input(self):
        """A list of flags: does node i depend on some input (is it on a path from one)?"""
        active = bytearray(len(self.op))
        op = self.op
        for i, ps in enumerate(self.parents):
            if ps:
                for p in ps:
                    if active[p]:
                        active[i] = 1
                        break
            elif op[i] == "input":
                active[i] = 1
        return active

    def labels(self, width=40):
        """A short readable label per node: its name, its number, or its expression.

        Expressions are built from the parents' labels in creation order (no recursion);
        a parent whose label is longer than `width // 2` appears as `#id`.
        """
        return [text for text, _ in self.label_pairs(width)]

    def label_pairs(self, width=40):
        """(label, precedence) per node: the precedence says when a label needs parentheses
        as an operand (to write `x = sin(w)` from the labels of x's parents)."""
        out = []
        for i, op in enumerate(self.op):
            name = self.names.get(i)
            if name is not None:
                out.append((name, ATOM))
            elif op in ("input", "const"):
                out.append(leaf_text(op, self.data[i]))
            else:
                args = [out[p] if len(out[p][0]) <= width // 2 else (f"#{p}", ATOM) for p in self.parents[i]]
                out.append(expression_text(op, args))
        return out


# Precedence of a text as an operand, loosest first; a parent is parenthesised when its
# precedence is below what its slot needs, so the text parses back to the same node.
SUM, PRODUCT, UNARY, POWER, ATOM = 1, 2, 3, 4, 5
_INFIX = {"add": ("+", SUM, PRODUCT), "sub": ("-", SUM, PRODUCT), "mul": ("*", PRODUCT, UNARY),
          "div": ("/", PRODUCT, UNARY), "pow": ("^", ATOM, UNARY)}
_CONSTANT_NAMES = {value.hex(): name for name, value in CONSTANTS.items()}


def number_text(v):
    """A float as a number the language reads back to the same float (`1e999` for inf)."""
    if v != v:
        return "(0/0)"
    if v in (math.inf, -math.inf):
        return "1e999" if v > 0 else "-1e999"
    return repr(v).removesuffix(".0")


def leaf_text(op, data):
    """(text, precedence) of an input or constant node."""
    if op == "input":
        return data, ATOM
    text = getattr(data, "text", None)
    name = text if text in CONSTANTS else None if text else _CONSTANT_NAMES.get(data.hex())
    if name:
        return name, ATOM
    text = number_text(data)
    return text, ATOM if text[0] not in "-(" else UNARY


def expression_text(op, args):
    """(text, precedence) of one node, given its parents' (text, precedence) pairs."""
    def operand(arg, need):
        text, prec = arg
        return text if prec >= need else f"({text})"

    if op in _INFIX:
        sym, left, right = _INFIX[op]
        a, b = operand(args[0], left), operand(args[1], right)
        if op == "pow":
            return f"{a}^{b}", POWER
        return f"{a} {sym} {b}", left
    if op == "neg":
        return f"-{operand(args[0], UNARY)}", UNARY
    return f"{op}({', '.join(text for text, _ in args)})", ATOM
