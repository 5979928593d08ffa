"""One small hierarchy of errors, each carrying its exit code and, when it has one, a source span.

The CLI renders every GradcliError the same way (one message on stderr, the exit code);
nothing else in the package decides how an error looks.
"""

import math
import re
from bisect import bisect_right
from functools import lru_cache


class GradcliError(Exception):
    """Base of every error a user can cause; `exit_code` follows the contract."""

    exit_code = 2

    def __init__(self, message, *, source=None, pos=None):
        super().__init__(message)
        self.message = message
        self.source = source
        self.pos = pos

    def render(self):
        """The message, and under it the program line with a caret when a position is known."""
        if self.source is None or self.pos is None:
            return self.render_line()
        return f"{self.render_line()}\n{caret_lines(self.source, self.pos)}"

    def render_line(self):
        """The message on one line, after its position when known: a batch record's error. A
        control character a name or a file brought in is shown escaped (`\\x01`), never raw."""
        message = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in self.message)
        if self.source is None or self.pos is None:
            return message
        return f"{where(self.source, self.pos)}: {message}"


class ProgramError(GradcliError):
    """The program text is wrong: parse errors, unknown names, wrong arity, bad definitions."""


class UsageError(GradcliError):
    """The command line or an input file is wrong: a malformed --at, a missing input value."""


class MissingInputs(UsageError):
    """No value was given for some inputs; `names` lists them, in program order. The message
    speaks of inputs only: how to give a value (`--at`, a batch line's `@`) is the caller's
    to add, with hint()."""

    def __init__(self, names):
        self.names = list(names)
        s = "s" if len(self.names) > 1 else ""
        super().__init__(f"no value for input{s} {', '.join(self.names)}")

    def hint(self, *options):
        """The message and how to give the values: hint("--at ", "@ ") ->
        `no value for input y: add --at y=... or @ y=...`."""
        example = ",".join(f"{name}=..." for name in self.names)
        return f"{self.message}: add {' or '.join(option + example for option in options)}"


class EvaluationFailed(GradcliError):
    """Evaluation finished but something failed: a batch line, a check, --strict."""

    exit_code = 1


def finite(x):
    """Neither inf nor nan, by the number's own test: an mpmath number (--precision) past
    float64's range is finite, where math.isfinite would call it inf."""
    context = getattr(x, "context", None)
    return context.isfinite(x) if context is not None else math.isfinite(x)


def not_finite(numbers):
    """The --strict failure for (label, number) pairs when some number is not finite, else
    None: `--strict: not finite: value, d/dx`."""
    bad = [label for label, x in numbers if not finite(x)]
    return EvaluationFailed(f"--strict: not finite: {', '.join(bad)}") if bad else None


class Located(str):
    """A one-line message (a warning) that knows the place in the program it is about, so that
    the CLI can show that line with a caret under it, as for an error. It is a str: JSON and
    every list of messages take it as the one line it is."""

    source = None
    pos = None

    def __new__(cls, message, source=None, pos=None):
        self = super().__new__(cls, message)
        self.source = source
        self.pos = pos
        return self

    def __reduce__(self):  # pickled or copied, it keeps its place
        return Located, (str(self), self.source, self.pos)


def where(source, pos):
    """`line L, column C`: the one wording of a position in every message (errors, warnings,
    notes), one-line programs included."""
    line, col, _ = locate(source, pos)
    return f"line {line}, column {col}"


def caret_lines(source, pos):
    """The program line holding `pos` (cut to fit) and a caret under it, indented two spaces:
    what goes under a message about that position."""
    _, col, text = locate(source, pos)
    shown, caret = excerpt(text, col)
    return f"  {shown}\n  {caret}"


def locate(source, pos):
    """1-based line and column of character offset `pos`, and that line's text.

    Line starts are found once per source and bisected: naming 10^5 nodes of one program
    (warnings, notes) costs 10^5 logarithmic look-ups, not 10^5 scans of the text."""
    pos = max(0, min(pos, len(source)))
    starts = _line_starts(source)
    line = bisect_right(starts, pos)
    start = starts[line - 1]
    end = starts[line] - 1 if line < len(starts) else len(source)
    text = source[start:end].rstrip("\r")
    return line, min(pos - start, len(text)) + 1, text  # the CR of a CRLF is the line's end


@lru_cache(maxsize=2)
def _line_starts(source):
    return [0, *(m.end() for m in re.finditer("\n", source))]


def excerpt(text, col, width=72):
    """The line around column `col` (1-based), cut to `width`, and a caret line under it."""
    start = 0
    if len(text) > width:
        start = max(0, min(col - 1 - width // 2, len(text) - width))
    shown = text[start:start + width]
    if start > 0:
        shown = "…" + shown[1:]
    if start + width < len(text):
        shown = shown[:-1] + "…"
    # The program's own CR, ESC or NUL must not reach the terminal raw (they would move the
    # cursor or start an escape sequence); one character stands for one, so the caret stays put.
    shown = "".join(ch if ch.isprintable() else " " if ch == "\t" else "\ufffd" for ch in shown)
    return shown, " " * (col - 1 - start) + "^"
