"""Parse errors in the user's words: what came, and exactly what may come there instead.

LALR has already reduced on the lookahead when it fails, so the failed state cannot be trusted
to say what it accepts; on an error only, the text is parsed again up to the offending token
with callbacks off and Lark's interactive parser is asked (`accepts()`).
"""

from .errors import ProgramError

# What may come next, in the user's words: each terminal the parser accepts adds its words.
_OPERAND = {"NUMBER", "NAME", "CALL_OPEN", "LPAR", "ASSIGN", "DEF_HEAD"}
_OPERATORS = (("ADD_OP", "+ -"), ("MUL_OP", "* /"), ("POW_OP", "^"))


def acceptable(parser, source, stop):
    """The terminals the parser accepts just before offset `stop` (None: at the end).

    The failed parse cannot say: LALR reduces on a lookahead before it finds that it cannot
    shift it (at the end of `(x` it has already reduced `x` to a finished group), and the lexer's
    expected set is a union over merged states. So the text is parsed again up to `stop`,
    with no callbacks (nothing is built), and each terminal is tried on a copy of that state.
    Only errors pay for this.
    """
    from copy import copy

    from lark.exceptions import UnexpectedInput

    cursor = parser.parse_interactive(source)
    conf = copy(cursor.parser_state.parse_conf)
    conf.callbacks = {}
    cursor.parser_state.parse_conf = conf
    try:
        for token in cursor.iter_parse():  # yields each token before feeding it
            if stop is not None and token.start_pos >= stop:
                break
    except UnexpectedInput:
        pass  # the offending character or token itself: the state is the one before it
    return cursor.accepts()


def _expected(accepted):
    """'expected ...' for a set of terminal names, in the user's words, never lark's."""
    words = []
    if accepted & _OPERAND:
        words += ["a number", "a name", "'('"]
        if "ADD_OP" in accepted:
            words.append("a sign (+ -)")
    else:
        symbols = [text for name, text in _OPERATORS if name in accepted]
        if symbols:
            words.append(f"an operator ({' '.join(symbols)})")
    words += [text for name, text in (("COMMA", "','"), ("RPAR", "')'")) if name in accepted]
    if "_SEP" in accepted or "$END" in accepted:
        words.append("the end of the statement")
    return "expected " + _join_or(words) if words else "nothing more can come here"


def unexpected_character(source, pos, accepted):
    ch = source[pos]
    want = _expected(accepted)
    if ch == "=":
        return ProgramError(
            f"unexpected '=': {want} ('=' belongs only in a statement's head, as in x = ... or f(a, b) = ...)",
            source=source,
            pos=pos,
        )
    shown = repr(ch) if ch.isprintable() and ch != "'" else f"U+{ord(ch):04X}"
    hint = " (names are ASCII letters, digits and _)" if not ch.isascii() else ""
    return ProgramError(f"unexpected character {shown}{hint}: {want}", source=source, pos=pos)


def unexpected_token(source, token, accepted):
    if token is None or token.type == "$END":
        pos = len(source.rstrip())
        found = "end of the program"
    elif token.type == "_SEP":
        pos = token.start_pos
        found = "end of the line" if str(token) == "\n" else "';'"
    else:
        pos = token.start_pos
        found = repr(str(token).strip())
    return ProgramError(f"unexpected {found}: {_expected(accepted)}", source=source, pos=pos)


def _join_or(words):
    words = list(dict.fromkeys(words))
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
