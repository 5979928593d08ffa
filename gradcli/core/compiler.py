"""Program text -> DAG: statements, inlined user functions, inputs in order of first appearance.

Lark's LALR parser calls `_Reductions` at each reduction, and each call adds (or finds) one
node in the graph, so no parse tree is built and nothing here recurses: a 100,000-deep
nesting costs a 100,000-entry parser stack, not Python frames.

A user function's body is built into a small graph of its own (its parameters and the outer
nodes it refers to are leaves) and copied into the caller's graph at each call, node by
node in creation order; that is what "inlined at each call" means here.
"""

import re
from functools import lru_cache
from pathlib import Path

from .errors import ProgramError, where
from .graph import Graph
from .ops import CALLABLE, CONSTANTS, OPERATORS

_DEF_HEAD = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)[ \t]*\(([^)]*)\)")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Inlining is exponential in the nesting of definitions (`f1(t) = f0(f0(t)); f2(t) = f1(f1(t))
# ...` is 2^k nodes at level k), so the nodes it creates are bounded: a clear error, not an
# exhausted memory. Text-built nodes are not counted (their number is bounded by the text).
MAX_INLINED = 5_000_000


class Program:
    """A compiled program: its DAG, the output node, and the input names in order."""

    def __init__(self, graph, output, source, output_name=None):
        self.graph = graph
        self.output = output
        self.source = source
        self.output_name = output_name
        self.input_ids = graph.inputs()
        self.input_names = [graph.data[i] for i in self.input_ids]

    def position(self, node):
        """The source offset where `node` first occurs, or None for a node with no text."""
        pos = self.graph.pos[node]
        return None if pos < 0 else pos


class _Function:
    """A user function: its parameters and its body as a graph of its own."""

    def __init__(self, name, params, pos):
        self.name = name
        self.params = params
        self.pos = pos
        self.body = Graph()
        self.result = None


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
        self.start = None  # offset of the first token seen in the statement being read

    # -- leaves ----------------------------------------------------------------------------

    def _token(self, pos):
        """Note a token of the statement being read; the earliest is where the statement starts
        (a hash-consed node's own position may lie in an earlier statement)."""
        if self.start is None or pos < self.start:
            self.start = pos

    def number(self, tok):
        self._token(tok.start_pos)
        return self.target.const(float(tok), tok.start_pos)

    def name(self, tok):
        name = str(tok)
        pos = tok.start_pos
        self._token(pos)
        fn = self.defining
        if fn is not None and name in fn.params:
            return fn.body.leaf("param", fn.params.index(name), pos)
        if name in self.assigned:
            return self._outer(self.assigned[name], pos)
        if name in CONSTANTS:
            return self.target.const(CONSTANTS[name], pos)
        if name in self.functions or name in CALLABLE:
            raise self.error(f"{name} is a function: call it as {name}(...)", pos)
        return self._outer(self.graph.input(name, pos), pos)

    def _outer(self, node, pos):
        """A main-graph node as seen from the current target (a leaf inside a function body)."""
        if self.target is self.graph:
            return node
        return self.target.leaf("outer", node, pos)

    # -- operators and calls ---------------------------------------------------------------

    def chain(self, *items):
        """`a op b op c ...` as left-associative binary nodes (sums and products)."""
        node = items[0]
        intern = self.target.intern
        for k in range(1, len(items), 2):
            tok = items[k]
            node = intern(OPERATORS[tok.value], (node, items[k + 1]), tok.start_pos)
        return node

    def unary(self, tok, node):
        self._token(tok.start_pos)
        if tok.value == "+":
            return node
        return self.target.intern("neg", (node,), tok.start_pos)

    def power(self, base, tok, exponent):
        return self.target.intern("pow", (base, exponent), tok.start_pos)

    def call(self, head, *rest):
        name = head.value.rstrip("( \t")
        pos = head.start_pos
        self._token(pos)
        args = tuple(a for a in rest[:-1] if a is not None)
        fn = self.functions.get(name)
        if fn is not None:
            if len(args) != len(fn.params):
                raise self.error(
                    f"{name} takes {_count(len(fn.params), 'argument')} ({', '.join(fn.params)}), "
                    f"got {len(args)}",
                    pos,
                )
            before = len(self.target)
            node = self.inline(fn, args)
            self.inlined += len(self.target) - before
            if self.inlined > MAX_INLINED:
                raise self.error(
                    f"calling {name} here makes user-function calls expand to more than {MAX_INLINED:,} nodes "
                    f"(each call copies the whole body, {len(fn.body):,} nodes for {name}): "
                    "nested definitions that call each other twice double at every level",
                    pos,
                )
            return node
        op = CALLABLE.get(name)
        if op is None:
            raise self.error(self._unknown_function(name), pos)
        if op.arity is None:
            if not args:
                raise self.error(f"{name} takes one or more arguments, got none", pos)
        elif len(args) != op.arity:
            raise self.error(f"{name} takes {_count(op.arity, 'argument')}, got {len(args)}", pos)
        return self.target.intern(name, args, pos)

    def inline(self, fn, args):
        """Copy `fn`'s body into the current target, its parameters replaced by `args`."""
        body, target = fn.body, self.target
        mapped = [0] * len(body)
        for i, op in enumerate(body.op):
            if op == "param":
                mapped[i] = args[body.data[i]]
            elif op == "outer":
                mapped[i] = self._outer(body.data[i], body.pos[i])
            elif op == "const":
                mapped[i] = target.const(body.data[i], body.pos[i])
            else:
                mapped[i] = target.intern(op, tuple(mapped[p] for p in body.parents[i]), body.pos[i])
        return mapped[fn.result]

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
        self.start = None
        if self.last is not None and self.last[0] == "expression":
            raise self.error(
                "this expression is not the last statement, so its value would be lost: "
                "assign it (name = ...) or delete it",
                self.last[3],
            )
        self.last = (kind, node, name, pos)

    def expr_stmt(self, node):
        self.statement("expression", node, None, self._statement_start())

    def assign(self, head, node):
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
        self.defining = _Function(name, params, pos)
        self.target = self.defining.body

    def define(self, _head, body):
        fn = self.defining
        fn.result = body
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
        return Program(self.graph, node, self.source, name)

    # -- messages --------------------------------------------------------------------------

    def _statement_start(self):
        """Where the statement being read starts: its first token, or the '(' before it."""
        pos = self.start
        if pos is None:
            return None
        text = self.source
        k = pos
        while k > 0 and text[k - 1] in "( \t\f\r":
            k -= 1
            if text[k] == "(":
                pos = k
        return pos

    def error(self, message, pos):
        return ProgramError(message, source=self.source, pos=pos)

    def where(self, pos):
        return where(self.source, pos)


def _count(n, word):
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class _Reductions:
    """The parser's callbacks, one per grammar alias, each given the reduced children as a list.

    Lark binds callbacks once, when the parser is built; the builder is per compilation, so
    `compile_program` swaps it in for one parse and takes it out again.
    """

    builder = None

    def number(self, c):
        return self.builder.number(c[0])

    def name(self, c):
        return self.builder.name(c[0])

    def sum(self, c):
        return self.builder.chain(*c)

    product = sum

    def unary(self, c):
        return self.builder.unary(*c)

    def power(self, c):
        return self.builder.power(*c)

    def call(self, c):
        return self.builder.call(*c)

    def expr_stmt(self, c):
        self.builder.expr_stmt(c[0])

    def assign(self, c):
        self.builder.assign(*c)

    def def_head(self, c):
        self.builder.def_head(c[0])

    def define(self, c):
        self.builder.define(*c)

    def start(self, c):
        return None


# Terminal names in the user's words, for "expected ..." in parse errors.
_TERMINALS = {
    "NUMBER": "a number",
    "NAME": "a name",
    "CALL_OPEN": "a function call",
    "LPAR": "'('",
    "RPAR": "')'",
    "COMMA": "','",
    "ADD_OP": "'+' or '-'",
    "MUL_OP": "'*' or '/'",
    "POW_OP": "'^'",
    "_SEP": "';' or a new line",
    "$END": "the end of the program",
    "ASSIGN": "an assignment",
    "DEF_HEAD": "a function definition",
}
_OPERAND = {"NUMBER", "NAME", "CALL_OPEN", "LPAR"}


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
    return Lark(grammar_path().read_text(encoding="utf-8"), parser="lalr", lexer="contextual", transformer=_Reductions())


def compile_program(source):
    """Parse `source` into a Program; raises ProgramError with a position on any mistake."""
    from lark.exceptions import UnexpectedCharacters, UnexpectedInput

    source = source.removeprefix("\ufeff")  # a byte-order mark is not part of the program
    parser = _parser()
    builder = _Builder(source)
    _Reductions.builder = builder
    try:
        parser.parse(source)
    except UnexpectedCharacters as e:
        raise _unexpected_character(source, e.pos_in_stream) from None
    except UnexpectedInput as e:
        raise _unexpected_token(source, e) from None
    finally:
        _Reductions.builder = None
    return builder.finish()


def _unexpected_character(source, pos):
    ch = source[pos]
    if ch == "=":
        return ProgramError(
            "unexpected '=': it may only follow a name (x = ...) or a definition head f(a, b) = ...",
            source=source,
            pos=pos,
        )
    shown = repr(ch) if ch.isprintable() and ch != "'" else f"U+{ord(ch):04X}"
    hint = " (names are ASCII letters, digits and _)" if not ch.isascii() else ""
    return ProgramError(f"unexpected character {shown}{hint}", source=source, pos=pos)


def _unexpected_token(source, e):
    token = getattr(e, "token", None)
    expected = set(getattr(e, "expected", ()) or ())
    if token is None or token.type == "$END":
        pos = len(source.rstrip())
        found = "end of the program"
    else:
        pos = token.start_pos
        found = _TERMINALS.get(token.type, repr(str(token)))
        if token.type in ("NUMBER", "NAME", "CALL_OPEN", "ADD_OP", "MUL_OP", "POW_OP", "RPAR", "LPAR", "COMMA",
                          "ASSIGN", "DEF_HEAD"):
            found = repr(str(token).strip())
        elif token.type == "_SEP":
            found = "end of the line" if str(token) == "\n" else "';'"
    if expected & _OPERAND:
        want = "a number, a name or '('"
    elif "ADD_OP" in expected:
        closers = [_TERMINALS[t] for t in ("COMMA", "RPAR") if t in expected]
        want = _join_or(["an operator (+ - * / ^)", *closers, "the end of the statement"])
    else:
        words = [_TERMINALS[t] for t in sorted(expected) if t in _TERMINALS and t not in ("ASSIGN", "DEF_HEAD")]
        want = _join_or(words) if words else "something else"
    return ProgramError(f"unexpected {found}: expected {want}", source=source, pos=pos)


def _join_or(words):
    words = list(dict.fromkeys(words))
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
