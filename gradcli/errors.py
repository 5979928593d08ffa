"""One small hierarchy of errors, each carrying its exit code and, when it has one, a source span.

The CLI renders every GradcliError the same way (one message on stderr, the exit code);
nothing else in the package decides how an error looks.
"""

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
            return self.message
        _, col, text = locate(self.source, self.pos)
        shown, caret = excerpt(text, col)
        return f"{self.render_line()}\n  {shown}\n  {caret}"

    def render_line(self):
        """The message on one line, after its position when known: a batch record's error."""
        if self.source is None or self.pos is None:
            return self.message
        line, col, _ = locate(self.source, self.pos)
        where = f"line {line}, column {col}" if "\n" in self.source.rstrip("\n") else f"column {col}"
        return f"{where}: {self.message}"


class ProgramError(GradcliError):
    """The program text is wrong: parse errors, unknown names, wrong arity, bad definitions."""


class UsageError(GradcliError):
    """The command line or an input file is wrong: a malformed --at, a missing input value."""


class EvaluationFailed(GradcliError):
    """Evaluation finished but something failed: a batch line, a check, --strict."""

    exit_code = 1


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
