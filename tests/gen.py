"""Random valid gradcli programs, with their meaning built from the same description.

`programs()` is a hypothesis strategy for an `Example`: program text over the whole language
(every function in gradcli.core.ops.CALLABLE, the operators with all their spellings, user function
definitions and calls, assignments, shared subexpressions, unary minus and power chains,
comments, empty statements, CRLF) and a point inside every function's domain.

The program is generated bottom-up, one operation at a time, and each operation is recorded
three ways at once:

- its text, with the parentheses its precedence needs (and some it does not);
- its SymPy expression, built with SymPy functions (nothing is ever parsed);
- a node of a `Tape`: the computation as the float64 sweep performs it (user functions
  expanded at every call), with its value at 50 digits (mpmath), its exact local partials, and
  a first-order bound on the error float64 arithmetic makes in it.

An operation whose arguments leave its domain, come near a kink (abs, relu, sign, step, max,
min ties, the atan2 branch cut) or near a singularity (closer than `MARGIN` or than 1000 times
the arguments' error bound), or whose value leaves [-1e8, 1e8], is never created: another one is
tried. So every example is one where the value and every partial are mathematically defined
and smooth, and the tape's error bounds say how close float64 can get (`Tape.analyse`).
"""

import math
import re
from dataclasses import dataclass
from fractions import Fraction

import mpmath
import sympy
from hypothesis import strategies as st

from gradcli.core.ops import CALLABLE
from oracles import ORACLES, M, away

DPS = 50  # digits of the reference values
U = 2.0**-53  # unit roundoff of float64
MAX_ABS = 1e8  # largest magnitude of any node's value (and MAX_ABS² of any local partial)
TINY = 1e-150  # smallest magnitude of a nonzero value: no underflow
TINY_PARTIAL = 1e-30  # smallest magnitude of a nonzero local partial of a smooth op
ULPS = {
    "add": 1,
    "sub": 1,
    "mul": 1,
    "div": 1,
    "neg": 0,
    "abs": 0,
    "relu": 0,
    "sign": 0,
    "step": 0,
    "max": 0,
    "min": 0,
    "select": 0,
    "floor": 0,
    "ceil": 0,
}  # rounding of each kernel in units of U; any other kernel: 4

SUM, PRODUCT, UNARY, POWER, ATOM = 1, 2, 3, 4, 5  # precedence of a text, loosest first
RESERVED = set(CALLABLE) | {"pi", "e"}
GENERATED_NAME = re.compile(r"[tfp]\d+\Z")  # temporaries, functions and parameters of the generator
FIXED_NAMES = ["w", "x", "y", "z", "x1", "a_b", "Theta", "_u", "sin_x", "exp2", "e_", "pi_1", "_",
               "E", "PI", "Sin", "inf", "nan", "l0g", "maxx"]


def _pick(draw, seq):
    """draw(st.sampled_from(seq)) without building a new strategy for every list (hypothesis
    cannot cache strategies over lists, and rebuilding them was most of the generation time)."""
    return seq[draw(st.integers(0, len(seq) - 1))]


class Reject(Exception):
    """The operation would leave its domain or come near a kink: try another one."""


# -- the meaning of each operation ------------------------------------------------------------

_a, _b = sympy.symbols("a b", real=True)


def sympy_piece(op, args, xs):
    """The SymPy expression of a piecewise function on the piece that holds the point `xs`
    (the generator keeps every point MARGIN inside one piece, where the function is smooth;
    SymPy cannot always tell that an argument like acos(abs(w)) is real, and then leaves
    Derivative(sign(...)) unevaluated)."""
    if op in ("max", "min"):
        return args[branch(op, xs)]
    if op == "select":
        return args[1] if xs[0] > 0 else args[2]
    positive = xs[0] > 0
    a = args[0]
    return {
        "abs": a if positive else -a,
        "relu": a if positive else sympy.Integer(0),
        "sign": sympy.Integer(1 if positive else -1),
        "step": sympy.Integer(1 if positive else 0),
        "cbrt": a ** sympy.Rational(1, 3) if positive else -((-a) ** sympy.Rational(1, 3)),
        "floor": sympy.Integer(math.floor(xs[0])), "ceil": sympy.Integer(math.ceil(xs[0])),
    }[op]


PIECEWISE = ("abs", "relu", "sign", "step", "cbrt", "max", "min", "select", "floor", "ceil")

ARITY = {name: op.arity for name, op in CALLABLE.items()}
ARITY.update(add=2, sub=2, mul=2, div=2, neg=1)



def _in_range(v, largest, smallest=TINY):
    """0, or a finite real of magnitude in [smallest, largest]: float64 neither overflows nor
    underflows (and SymPy's 50-digit evaluation of a derivative does not cancel to noise)."""
    return v == 0 or (M.isfinite(v) and smallest <= abs(v) <= largest)


def _domain_pow(xs, es, exact_int_exponent):
    a, b = xs
    if exact_int_exponent:  # an integer constant: any base but (near) 0
        return away(a, es[0])
    return a > 0 and away(a, es[0])



def branch(op, xs):
    """Which smooth piece of a piecewise function the arguments are on (None: one piece)."""
    if op in ("abs", "relu", "sign", "step", "cbrt", "select"):
        return xs[0] > 0
    if op in ("max", "min"):
        pick = max if op == "max" else min
        return xs.index(pick(xs))
    if op == "atan2":
        return xs[1] > 0 or xs[0] > 0
    if op in ("floor", "ceil"):
        return M.floor(xs[0])
    return None


def _lambdified(op):
    """Exact first and second partials of a smooth op, from its SymPy form, as mpmath functions."""
    args = [_a, _b][: ARITY[op]]
    form = ORACLES[op].sympy(*args)
    d = [sympy.diff(form, x) for x in args]
    h = [[sympy.diff(dk, x) for x in args] for dk in d]
    fn = lambda e: sympy.lambdify(args, e, "mpmath")
    return [fn(e) for e in d], [[fn(e) for e in row] for row in h]


_PARTIALS = {}


def partials(op, xs):
    """(first partials, second partials) of `op` at `xs`: exact, for the error analysis."""
    n = len(xs)
    if op in ("abs", "relu", "sign", "step", "max", "min", "select", "floor", "ceil"):
        if op == "abs":
            d = [M.sign(xs[0])]
        elif op == "relu":
            d = [M.mpf(1) if xs[0] > 0 else M.mpf(0)]
        elif op in ("sign", "step", "floor", "ceil"):
            d = [M.mpf(0)]
        elif op == "select":
            d = [M.mpf(0), M.mpf(1 if xs[0] > 0 else 0), M.mpf(0 if xs[0] > 0 else 1)]
        else:
            k = branch(op, xs)
            d = [M.mpf(1) if j == k else M.mpf(0) for j in range(n)]
        return d, [[M.mpf(0)] * n for _ in range(n)]
    if op == "tanh":  # SymPy's 1 - tanh² cancels to 0 at 50 digits for |x| > 58
        c = M.cosh(xs[0])
        return [1 / c**2], [[-2 * M.sinh(xs[0]) / c**3]]
    if op == "cbrt":
        c = ORACLES["cbrt"].mpmath(xs[0])
        return [1 / (3 * c * c)], [[-2 / (9 * c**5)]]
    if op == "pow" and xs[0] < 0:  # integer exponent: only d/dbase exists
        a, b = xs
        return [b * M.power(a, b - 1), M.mpf(0)], [[b * (b - 1) * M.power(a, b - 2), M.mpf(0)], [M.mpf(0)] * 2]
    if op not in _PARTIALS:
        _PARTIALS[op] = _lambdified(op)
    dfs, hfs = _PARTIALS[op]
    return [f(*xs) for f in dfs], [[f(*xs) for f in row] for row in hfs]


# -- the tape: the computation as the float64 sweep performs it -----------------------------


class Tape:
    """Nodes in creation order with 50-digit values, SymPy expressions and error bounds.

    `err[i]` bounds, to second order, how far gradcli's float64 value of node i can be from the
    exact one: each kernel rounds (ULPS) and carries its arguments' errors through its partials
    (and their products through its second partials).
    """

    def __init__(self):
        self.op, self.parents, self.value, self.err, self.sym = [], [], [], [], []
        self.active, self.d, self.h, self.data = [], [], [], []
        self.inputs = {}  # name -> node
        self.consts = {}  # exact value -> node

    def __len__(self):
        return len(self.op)

    def _add(self, op, parents, value, err, sym, active, d=(), h=(), data=None):
        self.op.append(op)
        self.parents.append(tuple(parents))
        self.value.append(value)
        self.err.append(err)
        self.sym.append(sym)
        self.active.append(active)
        self.d.append(d)
        self.h.append(h)
        self.data.append(data)
        return len(self.op) - 1

    def input(self, name, value):
        if name not in self.inputs:
            sym = sympy.Symbol(name, real=True)
            self.inputs[name] = self._add("input", (), M.mpf(value), M.mpf(0), sym, True, data=(name, value))
        return self.inputs[name]

    def const(self, exact, sym, as_float):
        """A constant: `exact` (mpf) and `sym` are what the text means, `as_float` what gradcli reads."""
        key = (sym, as_float)
        if key not in self.consts:
            err = abs(M.mpf(as_float) - exact)
            self.consts[key] = self._add("const", (), exact, err, sym, False, data=as_float)
        return self.consts[key]

    def integral_const(self, i):
        """Is node i a constant that is an integer, exactly, in float64 too (so x^i is real for x < 0)?"""
        return self.op[i] == "const" and self.err[i] == 0 and float(self.data[i]).is_integer()

    def apply(self, op, parents):
        """The node for `op` of `parents`, or Reject if it would leave its domain."""
        xs = [self.value[p] for p in parents]
        es = [self.err[p] for p in parents]
        if op == "pow":
            if not _domain_pow(xs, es, self.integral_const(parents[1])):
                raise Reject
        elif op in ("max", "min") and len(parents) > 1:
            k = branch(op, xs)
            for j, p in enumerate(parents):
                if j != k and self.sym[p] != self.sym[parents[k]] and not away(xs[k] - xs[j], es[k] + es[j]):
                    raise Reject
        elif ORACLES[op].domain and not ORACLES[op].domain(xs, es):
            raise Reject
        value = ORACLES[op].mpmath(*xs)
        if not isinstance(value, mpmath.mpf) or not _in_range(value, MAX_ABS):
            raise Reject
        d, h = partials(op, xs)
        if not all(_in_range(dk, MAX_ABS**2, TINY if op in PIECEWISE else TINY_PARTIAL) for dk in d):
            raise Reject
        # to second order: where the first-order terms vanish (a product of two results that
        # are 0 exactly but 1e-17 in float64: (w·log(tan(atan2(v, v))))², 3e-33) what is left
        # is their errors' product
        err = ULPS.get(op, 4) * U * abs(value) + sum(abs(dk) * ek for dk, ek in zip(d, es, strict=True)) + sum(
            abs(hkj) * ek * ej for hk, ek in zip(h, es, strict=True) for hkj, ej in zip(hk, es, strict=True)) / 2
        active = any(self.active[p] for p in parents)
        if active:
            syms = [self.sym[p] for p in parents]
            sym = sympy_piece(op, syms, xs) if op in PIECEWISE else ORACLES[op].sympy(*syms)
        else:
            # A constant subexpression enters SymPy as its 60-digit value: built symbolically,
            # SymPy's automatic simplification may decide from a low-precision estimate that
            # log(tanh(15.7)) is 0 and make asin of it exactly 0.
            sym = sympy.Float(value, DPS + 10)
        return self._add(op, parents, value, err, sym, active, d, h)

    def analyse(self, out):
        """Exact adjoints d out / d node (chain rule in 50 digits) and their error bounds, to
        second order, for the float64 reverse sweep: each local partial is computed from
        arguments that carry their forward errors, each product and sum rounds."""
        n = out + 1
        adj = [M.mpf(0)] * n
        aerr = [M.mpf(0)] * n
        adj[out] = M.mpf(1)
        for i in range(out, -1, -1):
            if not self.parents[i] or (adj[i] == 0 and aerr[i] == 0):
                continue
            es = [self.err[p] for p in self.parents[i]]
            for k, p in enumerate(self.parents[i]):
                if not self.active[p]:
                    continue
                d = self.d[i][k]
                derr = ULPS.get(self.op[i], 4) * U * abs(d) + sum(
                    abs(hk) * e for hk, e in zip(self.h[i][k], es, strict=True)
                )
                c = adj[i] * d
                adj[p] += c
                aerr[p] += abs(adj[i]) * derr + (abs(d) + derr) * aerr[i] + 2 * U * abs(c)  # to second order
        return adj, aerr

    def evaluate_at(self, point, upto):
        """The 50-digit value of node `upto` at another point, or None if some node there is
        outside its domain or on another piece of a piecewise function than at the tape's point."""
        values = []
        for i in range(upto + 1):
            op, ps = self.op[i], self.parents[i]
            if op == "input":
                values.append(M.mpf(point[self.data[i][0]]))
                continue
            if op == "const":
                values.append(self.value[i])
                continue
            xs = [values[p] for p in ps]
            if branch(op, xs) != branch(op, [self.value[p] for p in ps]):
                return None
            zero = [M.mpf(0)] * len(xs)
            if op == "pow" and not _domain_pow(xs, zero, self.integral_const(ps[1])):
                return None
            if ORACLES[op].domain and not ORACLES[op].domain(xs, zero):
                return None
            v = ORACLES[op].mpmath(*xs)
            if not isinstance(v, mpmath.mpf) or not M.isfinite(v):
                return None
            values.append(v)
        return values[upto]


# -- text ------------------------------------------------------------------------------------


@dataclass(eq=False)
class Term:
    """A subexpression as written: its text and precedence, the tape node of its value, and
    how to rebuild it (op, args, data) when it is part of a user function's body."""

    text: str
    prec: int
    node: int
    op: str  # input, const, var (an assigned name), param, outer, an op name, or call
    args: tuple = ()
    data: object = None


@dataclass(eq=False)
class Function:
    name: str
    params: list
    terms: list  # the body's terms in creation order
    result: Term


@dataclass(eq=False)
class Example:
    """A generated program: its text, the point, the expected inputs in order, and its meaning."""

    text: str
    point: dict
    inputs: list
    tape: Tape
    output: int
    functions: int
    assignments: int

    def __repr__(self):
        return f"Example(text={self.text!r}, point={self.point!r})"

    @property
    def expression(self):
        return self.tape.sym[self.output]

    @property
    def symbols(self):
        return {name: self.tape.sym[i] for name, i in self.tape.inputs.items()}


def _wrap(term, need, draw):
    """The term's text as an operand that needs precedence `need`, maybe with spare parentheses."""
    if term.prec < need or draw(st.integers(0, 19)) == 0:
        return f"({term.text})"
    return term.text


def _number(draw):
    """A numeric literal: (text, its exact value as a Fraction)."""
    kind = draw(st.integers(0, 3))
    if kind == 0:
        k = draw(st.integers(0, 12))
        text = _pick(draw, [f"{k}", f"{k}", f"{k}.", f"{k}.0", f"{k}e0", f"{k}E+00"])
        return text, Fraction(k)
    mant = draw(st.integers(1, 999))
    scale = draw(st.integers(1, 3))
    digits = str(mant).rjust(scale + 1, "0")
    whole, frac = digits[:-scale], digits[-scale:]
    text = _pick(draw, [f"{whole}.{frac}", f"{whole}.{frac}".removeprefix("0") if whole == "0" else
                                 f"{whole}.{frac}", f"{mant}e-{scale}", f"{mant}E-{scale}", f"{mant}e-0{scale}"])
    return text, Fraction(mant, 10**scale)


class _Generator:
    """The state of one generated program: the tape, the terms in scope, the statements."""

    def __init__(self, draw):
        self.draw = draw
        self.tape = Tape()
        self.statements = []
        self.functions = []
        self.pool = []  # main-scope terms usable as operands: inputs, assigned names, earlier inline terms
        self.point = {}
        self.assigned = 0
        self.scope = None  # the Function whose body is being generated, or None

    # names and leaves

    def input_names(self):
        n = self.draw(st.integers(1, 4))
        names = []
        for _ in range(n):
            name = self.draw(st.one_of(st.sampled_from(FIXED_NAMES), st.from_regex(r"\A[A-Za-z_][A-Za-z0-9_]{0,11}\Z")))
            if name in RESERVED or GENERATED_NAME.match(name):
                name += "_in"
            while name in names:
                name += "_"
            names.append(name)
        return names

    def input_value(self):
        draw = self.draw
        if draw(st.booleans()):
            return _pick(draw, [0.5, 1.0, 2.0, -1.0, -0.5, 3.0, 0.25, 1.5, -2.0, 0.1, 0.7, -0.3, 1e-3])
        magnitude = draw(st.floats(0.01, 4.0, allow_nan=False, allow_infinity=False))
        return -magnitude if draw(st.booleans()) else magnitude

    def constant(self):
        draw = self.draw
        if draw(st.integers(0, 5)) == 0:
            name = _pick(draw, ["pi", "e"])
            sym, exact, as_float = (sympy.pi, M.pi, math.pi) if name == "pi" else (sympy.E, M.e, math.e)
            node = self.tape.const(+exact, sym, as_float)
            return Term(name, ATOM, node, "const", data=node)
        text, exact = _number(draw)
        node = self.tape.const(
            M.mpf(exact.numerator) / exact.denominator, sympy.Rational(exact.numerator, exact.denominator), float(exact)
        )
        return Term(text, ATOM, node, "const", data=node)

    # operands

    def operand(self, local):
        """An operand: mostly the latest local term (chains), else any term in scope, else a constant."""
        draw = self.draw
        choice = draw(st.integers(0, 9))
        if local and choice < 5:
            return local[-1 - draw(st.integers(0, min(2, len(local) - 1)))]
        scope = self.scope_terms() + local
        if choice < 9 and scope:
            return _pick(draw, scope)
        return self.constant()

    def scope_terms(self):
        if self.scope is None:
            return self.pool
        outer = [t for t in self.pool if t.op in ("input", "var")]
        return self.scope.terms_in_scope + outer

    # operations

    def make(self, op, args):
        """A term for op(args): the tape node (or Reject) and the text in a random spelling."""
        draw = self.draw
        node = self.tape.apply(op, [a.node for a in args])
        sp = _pick(draw, ["", " ", " ", "\t"])
        if op in ("add", "sub"):
            sym = "+" if op == "add" else "-"
            text, prec = f"{_wrap(args[0], SUM, draw)}{sp}{sym}{sp}{_wrap(args[1], PRODUCT, draw)}", SUM
        elif op in ("mul", "div"):
            sym = "*" if op == "mul" else "/"
            text, prec = f"{_wrap(args[0], PRODUCT, draw)}{sp}{sym}{sp}{_wrap(args[1], UNARY, draw)}", PRODUCT
        elif op == "neg":
            text, prec = f"-{sp}{_wrap(args[0], UNARY, draw)}", UNARY
        elif op == "pow" and draw(st.integers(0, 3)):
            sym = _pick(draw, ["^", "**"])
            text, prec = f"{_wrap(args[0], ATOM, draw)}{sp}{sym}{sp}{_wrap(args[1], UNARY, draw)}", POWER
        else:
            comma = _pick(draw, [", ", ",", " , "])
            space = _pick(draw, ["", "", "", " "])
            text, prec = f"{op}{space}({comma.join(a.text for a in args)})", ATOM
        if prec >= UNARY and draw(st.integers(0, 14)) == 0:
            text, prec = f"+{text}", UNARY  # unary plus makes no node
        return Term(text, prec, node, op, tuple(args))

    def call(self, fn, args):
        """A call of a user function: its body expanded on the tape, as gradcli inlines it."""
        node = self._expand(fn, [a.node for a in args])
        space = _pick(self.draw, ["", "", " "])
        return Term(f"{fn.name}{space}({', '.join(a.text for a in args)})", ATOM, node, "call", tuple(args), fn)

    def _expand(self, fn, arg_nodes):
        mapped = {}
        for t in fn.terms:
            if t.op == "param":
                mapped[t] = arg_nodes[t.data]
            elif not t.args:  # inputs, assigned names and constants are the body's outer leaves
                mapped[t] = t.node
            elif t.op == "call":
                mapped[t] = self._expand(t.data, [mapped[a] for a in t.args])
            else:
                mapped[t] = self.tape.apply(t.op, [mapped[a] for a in t.args])
        return mapped[fn.result]

    def operation(self, local):
        """One new term built from operands in scope; falls back to safe ops after rejections."""
        draw = self.draw
        functions = self.functions
        ops = sorted(ARITY) + ["call"] * min(len(functions), 1) * 4 + ["powchain", "negpow"]
        for _ in range(4):
            op = _pick(draw, ops)
            try:
                if op == "call":
                    fn = _pick(draw, functions)
                    return self.call(fn, [self.operand(local) for _ in fn.params])
                if op == "powchain":  # a^b^c, right-associative, no parentheses
                    a, b, c = (self.operand(local) for _ in range(3))
                    return self.make("pow", [a, self.make("pow", [b, c])])
                if op == "negpow":  # -a^b is -(a^b)
                    return self.make("neg", [self.make("pow", [self.operand(local), self.operand(local)])])
                arity = ARITY[op] or draw(st.integers(1, 3))
                return self.make(op, [self.operand(local) for _ in range(arity)])
            except Reject:
                continue
        for op in ("atan", "sin", "neg"):
            try:
                return self.make(op, [self.operand(local)])
            except Reject:
                continue
        return self.make("neg", [self.constant()])

    def expression(self, max_ops):
        """A statement's right-hand side: a few operations, the last one is the expression."""
        local = []
        for _ in range(self.draw(st.integers(1, max_ops))):
            t = self.operation(local)
            if len(t.text) > 400:  # keep inline copies of shared subexpressions from swelling
                break
            local.append(t)
        if not local:
            local.append(self.operation([]))
        return local

    # statements

    def define(self):
        """A user function: parameters, a body over them (and outer names, constants, earlier
        functions), generated with sample arguments from the pool so its domain is checked."""
        draw = self.draw
        k = len(self.functions)
        name = f"f{k}"
        params = [f"p{k}{j}" for j in range(draw(st.integers(1, 3)))]
        samples = [_pick(draw, self.pool) for _ in params]
        fn = Function(name, params, [], None)
        self.scope = _Scope(fn)
        for j, (p, s) in enumerate(zip(params, samples, strict=True)):
            term = Term(p, ATOM, s.node, "param", data=j)
            fn.terms.append(term)
            self.scope.terms_in_scope.append(term)
        try:
            before = len(fn.terms)
            local = []
            for _ in range(draw(st.integers(1, 4))):
                t = self.operation(local)
                local.append(t)
            for t in local:
                self._record(fn, t)
            fn.result = local[-1]
            assert len(fn.terms) > before
        finally:
            self.scope = None
        head = f"{name}({', '.join(params)})"
        self.statements.append(f"{head}{_pick(draw, [' = ', '=', ' =  '])}{fn.result.text}")
        self.functions.append(fn)

    def _record(self, fn, term):
        """Add `term` and the terms it is built from to the body, in creation order."""
        stack = [(term, False)]
        seen = set(map(id, fn.terms))
        while stack:
            t, ready = stack.pop()
            if id(t) in seen:
                continue
            if ready or not t.args:
                seen.add(id(t))
                fn.terms.append(t)
            else:
                stack.append((t, True))
                stack.extend((a, False) for a in reversed(t.args))

    def assign(self, local):
        name = f"t{self.assigned}"
        self.assigned += 1
        eq = _pick(self.draw, [" = ", "=", " =\t"])
        self.statements.append(f"{name}{eq}{local[-1].text}")
        self.pool.extend(local[:-1])
        var = Term(name, ATOM, local[-1].node, "var")
        self.pool.append(var)
        return var

    def run(self):
        draw = self.draw
        with mpmath.workdps(DPS):
            for name in self.input_names():
                self.point[name] = self.input_value()
                self.pool.append(Term(name, ATOM, self.tape.input(name, self.point[name]), "input"))
            n = draw(st.integers(1, 8))
            output_term = None
            for s in range(n):
                last = s == n - 1
                if not last and len(self.functions) < 2 and draw(st.integers(0, 3)) == 0:
                    self.define()
                    continue
                local = self.expression(5)
                if last and draw(st.booleans()):
                    self.statements.append(local[-1].text)
                    output_term = local[-1]
                elif last:
                    output_term = self.assign(local)
                else:
                    self.assign(local)
            text = self.join()
        inputs = _first_appearance(text, self.point)
        point = {name: v for name, v in self.point.items()}
        return Example(text, point, inputs, self.tape, output_term.node, len(self.functions), self.assigned)

    def join(self):
        """Statements with random separators, comments, blank and empty statements, CRLF."""
        draw = self.draw
        out = [_pick(draw, ["", "", "\n", ";", "# start\n", " ; \n"])]
        for k, s in enumerate(self.statements):
            out.append(s)
            if k < len(self.statements) - 1:
                out.append(_pick(draw, [";", "; ", "\n", "\r\n", " ;\n", ";;", "\n\n", "  # é ∂ (x ;\n", "\t;"]))
        out.append(_pick(draw, ["", "", "\n", ";", "  # end", "\r\n", ";\n\n"]))
        return "".join(out)


class _Scope:
    def __init__(self, fn):
        self.fn = fn
        self.terms_in_scope = []


def _first_appearance(text, point):
    """The input names in order of first appearance in the text (comments removed)."""
    code = re.sub(r"#[^\n]*", "", text)
    order = []
    for m in re.finditer(r"(?<![A-Za-z0-9_.])[A-Za-z_][A-Za-z0-9_]*", code):
        if m.group() in point and m.group() not in order:
            order.append(m.group())
    return order


@st.composite
def programs(draw):
    """A random valid program and a point inside its domain (see the module docstring)."""
    return _Generator(draw).run()


# -- running the CLI in this process ---------------------------------------------------------


def run_main(args, stdin=b""):
    """(exit code, stdout, stderr) of gradcli.cli.main(args) in this process: conftest's one
    in-process runner, called with an argument list and stdin bytes."""
    from conftest import run_cli

    code, out, err = run_cli(*args, input=stdin)
    return code, out, err
