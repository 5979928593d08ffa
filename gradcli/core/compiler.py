"""Program text -> DAG: statements, inlined user functions, inputs in order of first appearance.

Lark's LALR parser calls `_Reductions` at each reduction, and each call adds (or finds) one
node in the graph, so no parse tree is built and nothing here recurses: a 100,000-deep
nesting costs a 100,000-entry parser stack, not Python frames.

Every reduction returns a pair (node, start): the node it built or found, and the offset of
the first token of the subexpression as written (for `1 + 1/x` the `/` node starts at the
`1` after the `+`; `(a+b)*c` starts at its `(`; `-x` at its `-`). A node's recorded position,
`graph.pos`, is the start of its first occurrence, so a warning's column is where the text of
the subexpression begins. Parse errors and other compile errors point at the offending token.

A user function's body is built into a small graph of its own: its parameters and the outer
nodes it refers to are leaves, and a call of an earlier user function stays one "call" node
(its op is the callee). A definition therefore costs its own text and nothing more; only a
call from the main program is inlined, by `_Builder.expand`, into the main graph.
"""

import math
import re
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

from .errors import ProgramError, where
from .functions import UserFunction
from .graph import Graph, Literal
from .ops import CALLABLE, CONSTANTS, OPERATORS
from .program import Program
from .syntax import acceptable, unexpected_character, unexpected_token

_DEF_HEAD = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)[ \t]*\(([^)]*)\)")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Inlining is exponential in the nesting of definitions (`f1(t) = f0(f0(t)); f2(t) = f1(f1(t))
# ...` is 2^k nodes at level k), so the nodes it creates are bounded: a clear error, not an
# exhausted memory. Text-built nodes are not counted (their number is bounded by the text).
MAX_INLINED = 5_000_000
class _Builder:
    """The state of one compilation; the parser's reductions call its methods in source order."""

    def __init__(self, source):
        self.source = source
        self.graph = Graph()
        self.target = self.graph  # the main graph, or the body of the function being defined
        self.defining = None
        self.assigned = {}  # name -> node id in the main graph
        self.functions = {}
        self.last = None  # (kind, node, name, pos) of the latest statement
        self.statements = 0
        self.inlined = 0  # nodes created by inlining user functions, bounded by MAX_INLINED
        self.expanded = {}  # (function, argument nodes) -> its result in the main graph

    # -- leaves ----------------------------------------------------------------------------

    def number(self, tok):
        pos = tok.start_pos
        return self.target.const(Literal(str(tok)), pos), pos

    def name(self, tok):
        name = str(tok)
        pos = tok.start_pos
        fn = self.defining
        if fn is not None and name in fn.params:
            return fn.body.leaf("param", fn.params.index(name), pos), pos
        if name in self.assigned:
            return self._outer(self.assigned[name], pos), pos
        if name in CONSTANTS:
            return self.target.const(Literal(name), pos), pos
        if name in self.functions or name in CALLABLE:
            raise self.error(f"{name} is a function: call it as {name}(...)", pos)
        return self._outer(self.graph.input(name, pos), pos), pos

    def _outer(self, node, pos):
        """A main-graph node as seen from the current target (a leaf inside a function body)."""
        if self.target is self.graph:
            return node
        return self.target.leaf("outer", node, pos)

    # -- operators and calls ---------------------------------------------------------------

    def chain(self, items):
        """`a op b op c ...` as left-associative binary nodes (sums and products), each starting
        where `a` starts."""
        node, start = items[0]
        intern = self.target.intern
        for k in range(1, len(items), 2):
            node = intern(OPERATORS[items[k].value], (node, items[k + 1][0]), start)
        return node, start

    def unary(self, tok, operand):
        pos = tok.start_pos
        if tok.value == "+":
            return operand[0], pos
        return self.target.intern("neg", (operand[0],), pos), pos

    def power(self, base, _tok, exponent):
        node, start = base
        return self.target.intern("pow", (node, exponent[0]), start), start

    def call(self, head, *rest):
        name = head.value.rstrip("( \t")
        pos = head.start_pos
        args = tuple(a[0] for a in rest[:-1] if a is not None)
        fn = self.functions.get(name)
        if fn is not None:
            if len(args) != len(fn.params):
                raise self.error(
                    f"{name} takes {_count(len(fn.params), 'argument')} ({', '.join(fn.params)}), "
                    f"got {len(args)}",
                    pos,
                )
            if self.target is not self.graph:
                return self.target.intern(fn, args, pos), pos  # a call node, expanded when called
            return self.expand(fn, args, pos), pos
        op = CALLABLE.get(name)
        if op is None:
            raise self.error(self._unknown_function(name), pos)
        if op.arity is None:
            if not args:
                raise self.error(f"{name} takes one or more arguments, got none", pos)
        elif len(args) != op.arity:
            raise self.error(f"{name} takes {_count(op.arity, 'argument')}, got {len(args)}", pos)
        return self.target.intern(name, args, pos), pos

    def expand(self, fn, args, pos):
        """Inline the call `fn(args)` into the main graph, its body's calls inlined in turn.

        The size is checked before any node is built: a call that fits under MAX_INLINED by
        `fn.most` is built without counting; one that cannot fit by `fn.least` is refused
        outright; in between (hash-consing may merge much of it: `g(t) = f(t) + f(t)` nested)
        it is built while counting and stopped as soon as the count passes the limit.
        An explicit stack of frames (function, arguments, mapped nodes, next body node) stands in
        for recursion; each expansion is remembered by its function and argument nodes, so a
        call repeated with the same arguments costs one look-up.
        """
        memo = self.expanded
        done = memo.get((fn, args))
        if done is not None:
            return done
        graph = self.graph
        room = MAX_INLINED - self.inlined
        before = len(graph)
        if fn.least - (before - self.inlined) > MAX_INLINED:
            raise self._too_large(fn, pos)
        counting = fn.most > room
        intern, const = graph.intern, graph.const
        body = fn.body
        frame = [fn, args, [0] * len(body), 0]
        stack = [frame]
        while True:
            f, a, mapped, i = frame
            body = f.body
            ops, parents, data, where = body.op, body.parents, body.data, body.pos
            n = len(ops)
            while i < n:
                op = ops[i]
                if op == "param":
                    mapped[i] = a[data[i]]
                elif op == "outer":
                    mapped[i] = data[i]
                elif op == "const":
                    mapped[i] = const(data[i], where[i])
                elif op.__class__ is UserFunction:
                    inner = tuple([mapped[p] for p in parents[i]])
                    done = memo.get((op, inner))
                    if done is None:
                        frame[3] = i
                        frame = [op, inner, [0] * len(op.body), 0]
                        stack.append(frame)
                        break
                    mapped[i] = done
                else:
                    mapped[i] = intern(op, tuple([mapped[p] for p in parents[i]]), where[i])
                i += 1
            else:
                result = mapped[f.result]
                memo[(f, a)] = result
                stack.pop()
                if counting and len(graph) - before > room:
                    raise self._too_large(fn, pos, built=True)
                if not stack:
                    break
                frame = stack[-1]
                frame[2][frame[3]] = result
                frame[3] += 1
        self.inlined += len(graph) - before
        return result

    def _too_large(self, fn, pos, built=False):
        """The refusal of a call past MAX_INLINED: before building (by `fn.least`), or once
        the running count passed it (`built`)."""
        if built:
            said = (f"makes user-function calls create more than {MAX_INLINED:,} nodes, the most they may "
                    f"create (this call alone would expand to up to {_big(fn.most)}; ")
        else:
            size = _big(fn.most) if fn.least == fn.most else f"up to {_big(fn.most)} (at least {_big(fn.least)})"
            said = (f"would expand to {size} nodes: more than {MAX_INLINED:,} nodes, the most that "
                    "user-function calls may create (")
        return self.error(f"calling {fn.name} here {said}nested definitions that call each other twice double "
                          "at every level)", pos)

    def _unknown_function(self, name):
        if self.defining is not None and name == self.defining.name:
            return f"{name} calls itself: recursive definitions are not allowed"
        if re.search(rf"(^|[;\n])[ \t]*{re.escape(name)}[ \t]*\([^)]*\)[ \t]*=", self.source):
            return f"{name} is called before its definition: define it first"
        if name in self.assigned or ("input", name) in self.graph.index:
            return f"{name} is a variable, not a function"
        import difflib  # only for this message

        known = sorted(set(CALLABLE) | set(self.functions))
        lowered = {k.lower(): k for k in known}
        close = [lowered[name.lower()]] if name.lower() in lowered else difflib.get_close_matches(name, known, 1)
        hint = f": did you mean {close[0]}?" if close else ""
        return f"unknown function {name}{hint}"

    # -- statements ------------------------------------------------------------------------

    def statement(self, kind, node, name, pos):
        """Record a statement; only the last may be an expression, and it is the output."""
        self.statements += 1
        if self.last is not None and self.last[0] == "expression":
            raise self.error(
                "this expression is not the last statement, so its value would be lost: "
                "assign it (name = ...) or delete it",
                self.last[3],
            )
        self.last = (kind, node, name, pos)

    def expr_stmt(self, expr):
        self.statement("expression", expr[0], None, expr[1])
        self.output_items = [(expr[0], self.item_name(expr[1], None))]

    def outputs_stmt(self, items):
        """The last statement `a, b, c`: several outputs, each named by its bare name or its
        text without spaces; two equal names are an error."""
        self.statement("expression", items[0][0], None, items[0][1])
        named = []
        for k, (node, start) in enumerate(items):
            name = self.item_name(start, items[k + 1][1] if k + 1 < len(items) else None)
            if any(name == other for _, other in named):
                raise self.error(f"two outputs are both called {name}: outputs need different names", start)
            named.append((node, name))
        self.output_items = named

    def item_name(self, start, stop):
        """An output's name: its text from `start` up to the next item's start (less its comma)
        or to the end of the statement, spaces removed."""
        text = self.source[start:stop] if stop is not None else re.split(r"[;\n#]", self.source[start:], maxsplit=1)[0]
        if stop is not None:
            text = text.rstrip().removesuffix(",")
        return re.sub(r"\s+", "", text)

    def assign(self, head, expr):
        node = expr[0]
        name = head.value.rstrip("= \t")
        pos = head.start_pos
        if name in CONSTANTS:
            raise self.error(f"cannot assign to the constant {name}", pos)
        if name in CALLABLE or name in self.functions:
            raise self.error(f"cannot assign to {name}: it is a function", pos)
        if name in self.assigned:
            raise self.error(f"{name} is assigned twice (a name holds one value)", pos)
        if ("input", name) in self.graph.index:
            first = self.graph.pos[self.graph.index[("input", name)]]
            raise self.error(f"{name} is used before its assignment (first use at {self.where(first)})", pos)
        self.assigned[name] = node
        if self.graph.op[node] not in ("input", "const"):
            self.graph.names.setdefault(node, name)
        self.statement("assignment", node, name, pos)

    def def_head(self, head):
        """Entered before the body is parsed: from here on, names resolve in the function's scope."""
        m = _DEF_HEAD.match(head.value)
        name, params = m.group(1), _NAME.findall(m.group(2))
        pos = head.start_pos
        if name in CONSTANTS:
            raise self.error(f"cannot define {name}: it is a constant", pos)
        if name in CALLABLE:
            raise self.error(f"cannot redefine the built-in function {name}", pos)
        if name in self.functions:
            raise self.error(f"function {name} is defined twice", pos)
        if name in self.assigned or ("input", name) in self.graph.index:
            raise self.error(f"cannot define {name}: it is already used as a variable", pos)
        for k, p in enumerate(params):
            if p in params[:k]:
                raise self.error(f"duplicate parameter {p} in the definition of {name}", pos)
            if p in CONSTANTS or p in CALLABLE or p in self.functions:
                raise self.error(f"parameter {p} of {name} would hide the {'constant' if p in CONSTANTS else 'function'} {p}", pos)
        self.defining = UserFunction(name, params, pos)
        self.target = self.defining.body

    def define(self, _head, body):
        fn = self.defining
        fn.result = body[0]
        fn.measure()
        self.functions[fn.name] = fn
        self.defining = None
        self.target = self.graph
        self.statement("definition", None, fn.name, fn.pos)

    def finish(self):
        if self.last is None:
            raise ProgramError("the program is empty: write an expression, e.g. sin(w)*w")
        kind, node, name, pos = self.last
        if kind == "definition":
            raise self.error(
                f"the last statement defines {name} but the output must be an expression "
                f"or an assignment: add a statement that uses it, e.g. {name}(...)",
                pos,
            )
        if kind == "assignment":
            self.output_items = [(node, name)]
        nodes, names = zip(*self.output_items)
        return Program(self.graph, node, self.source, name, nodes, names, self.assigned)

    # -- messages --------------------------------------------------------------------------

    def error(self, message, pos):
        return ProgramError(message, source=self.source, pos=pos)

    def where(self, pos):
        return where(self.source, pos)


def _count(n, word):
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _big(n):
    """An int of any size for a message: with commas up to 10^15, else as 1.23e4567 (from its
    leading bits, since str() of a 10^5-digit int is refused)."""
    if n < 10**15:
        return f"{n:,}"
    shift = n.bit_length() - 53
    exponent = shift * math.log10(2) + math.log10(n >> shift)
    whole = math.floor(exponent)
    return f"{10 ** (exponent - whole):.2f}e{whole}"


_BUILDER = ContextVar("gradcli_builder")  # the _Builder of the parse running in this context


class _Reductions:
    """The parser's callbacks, one per grammar alias, each given the reduced children as a list.

    Lark binds callbacks once, when the parser is built; the builder is per compilation, so
    the callbacks find it through a context variable that `compile_program` sets for one
    parse: two compilations (threads, or one inside another) never share a builder.
    """

    builder = property(lambda self: _BUILDER.get())

    def number(self, c):
        return self.builder.number(c[0])

    def name(self, c):
        return self.builder.name(c[0])

    def sum(self, c):
        return self.builder.chain(c)

    product = sum

    def unary(self, c):
        return self.builder.unary(*c)

    def power(self, c):
        return self.builder.power(*c)

    def call(self, c):
        return self.builder.call(*c)

    def group(self, c):
        return c[1][0], c[0].start_pos

    def expr_stmt(self, c):
        self.builder.expr_stmt(c[0])

    def outputs_stmt(self, c):
        self.builder.outputs_stmt(c)

    def assign(self, c):
        self.builder.assign(*c)

    def def_head(self, c):
        self.builder.def_head(c[0])

    def define(self, c):
        self.builder.define(*c)

    def start(self, c):
        return None


def grammar_path():
    """grammars/gradcli.lark: inside the package when installed from a wheel (pyproject maps
    it there), beside the package in a source checkout or an editable install."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "grammars" / "gradcli.lark", package.parent / "grammars" / "gradcli.lark"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("gradcli's grammar file gradcli.lark is missing from this installation")


@lru_cache(maxsize=1)
def _parser():
    from lark import Lark

    # No cache=True: Lark would unpickle /tmp/.lark_cache_<user>_<hash>.tmp, a predictable name
    # in a shared directory that anyone could create first. Building the parser takes ~15 ms.
    grammar = grammar_path().read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", lexer="contextual", transformer=_Reductions())


def compile_program(source):
    """Parse `source` into a Program; raises ProgramError with a position on any mistake."""
    from lark.exceptions import UnexpectedCharacters, UnexpectedInput

    source = source.removeprefix("\ufeff")  # a byte-order mark is not part of the program
    parser = _parser()
    builder = _Builder(source)
    active = _BUILDER.set(builder)
    try:
        parser.parse(source)
    except UnexpectedCharacters as e:
        raise unexpected_character(source, e.pos_in_stream, acceptable(parser, source, e.pos_in_stream)) from None
    except UnexpectedInput as e:
        token = getattr(e, "token", None)
        stop = None if token is None or token.type == "$END" else token.start_pos
        raise unexpected_token(source, token, acceptable(parser, source, stop)) from None
    finally:
        _BUILDER.reset(active)
    program = builder.finish()
    program.graph.validate()
    return program
