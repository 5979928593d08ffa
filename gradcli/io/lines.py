"""Reading input a line at a time: files or stdin as bytes, each line decoded on its own (so a line
that is not UTF-8 or holds a NUL byte is one bad line, not a failed run), and the point syntax
`NAME=VALUE, ...` of --at and a batch line's `@`.
"""

import math
import re
import sys

from ..core.errors import UsageError
from ..core.graph import Literal
from ..core.ops import CONSTANTS

BOM = b"\xef\xbb\xbf"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def open_input(path):
    """A binary stream for PATH, stdin for '-'; a file that cannot be opened is a usage error."""
    if path == "-":
        return sys.stdin.buffer
    try:
        return open(path, "rb")
    except OSError as e:
        raise UsageError(f"cannot read {path}: {e.strerror}") from None


def numbered_lines(stream):
    """(line number, bytes) for each line of a binary stream, without its newline and without
    a UTF-8 byte-order mark before line 1. Each line is returned as soon as it is complete (a
    pipe that delivers a line at a time gets an answer per line), and only one is held. Lines
    keep the CR of a CRLF end: decode_line removes it."""
    for number, raw in enumerate(stream, 1):
        if number == 1:
            raw = raw.removeprefix(BOM)
        yield number, raw.removesuffix(b"\n")


def is_blank(raw):
    """Blank lines and `#` comment lines hold no program (or point) and get no record."""
    stripped = raw.strip()
    return not stripped or stripped.startswith(b"#")


def decode_line(raw):
    """One line's text, its CR (of CRLF) removed; a NUL byte or bytes that are not UTF-8 make
    it an error record rather than garbage fed to the parser."""
    raw = raw.removesuffix(b"\r")
    nul = raw.find(b"\0")
    if nul >= 0:
        raise UsageError(f"byte {nul + 1} of the line is a NUL byte: this is not text")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise UsageError(f"byte {e.start + 1} of the line is not UTF-8 text") from None


def parse_point(specs, option="--at", labels=False):
    """`w=1`, `x=2, y=3` ... -> {"w": 1.0, "x": 2.0, "y": 3.0}; a later value wins. `option`
    names where the text came from in messages: `--at` or a batch line's `@`. Each value is a
    Literal, a float that keeps its text, so `--precision` reads `0.1` as one tenth. With
    `labels` (--seed) a name may be an output's text, spaces removed (`max(w, v)=1`: a comma
    inside parentheses is the name's)."""
    point = {}
    for spec in specs:
        for part in _top_level(spec) if labels else spec.split(","):
            part = part.strip()
            if not part:
                continue
            name, eq, text = part.partition("=")
            name = "".join(name.split()) if labels else name.strip()
            if not eq or not (name if labels else _NAME.match(name)):
                raise UsageError(f"{option} {part!r}: expected NAME=VALUE, e.g. {option} w=1")
            point[name] = _value(option, part, text.strip())
    return point


def _top_level(spec):
    """`spec` split at the commas outside parentheses."""
    parts, depth, start = [], 0, 0
    for k, c in enumerate(spec):
        depth += (c == "(") - (c == ")")
        if c == "," and depth == 0:
            parts.append(spec[start:k])
            start = k + 1
    return [*parts, spec[start:]]


class Uncertain(Literal):
    """An input value with its standard uncertainty: `1.5±0.01` (or `1.5+-0.01`) in a point,
    `gradcli.Uncertain(1.5, 0.01)` in Python (the value a number or its decimal text)."""

    __slots__ = ("sigma",)

    def __new__(cls, value, sigma):
        self = super().__new__(cls, value if isinstance(value, str) else repr(float(value)))
        self.sigma = float(sigma)
        if not (math.isfinite(self.sigma) and self.sigma >= 0):
            raise UsageError(f"an uncertainty is a finite number >= 0, not {sigma!r}")
        return self

    def __repr__(self):
        return f"Uncertain({self.text}, {self.sigma!r})"

    def __reduce__(self):
        return Uncertain, (self.text, self.sigma)


_PLUS_MINUS = re.compile(r"±|\+-")


def _value(option, part, text):
    """A Literal, or an Uncertain when the text holds `±` or `+-`."""
    pieces = _PLUS_MINUS.split(text, maxsplit=1)
    if len(pieces) == 2:
        value, sigma = (p.strip() for p in pieces)
        example = f"e.g. {option} w=1.5±0.01 (or w=1.5+-0.01)"
        if not value or not sigma:
            raise UsageError(f"{option} {part!r}: expected VALUE±UNCERTAINTY, {example}")
        u = _number(option, part, sigma)
        _number(option, part, value)
        try:
            return Uncertain(value, u)
        except UsageError:
            raise UsageError(f"{option} {part!r}: an uncertainty is a finite number >= 0, {example}") from None
    _number(option, part, text)
    return Literal(text)


def decimal(text):
    """A value as written (a Literal: a float that keeps its text); ValueError where float()
    refuses it, and for `pi` and `e`, which are the language's names, not values."""
    if text.strip() in CONSTANTS:
        raise ValueError(f"{text!r} is not a number")
    return Literal(text.strip())


def _number(option, part, text):
    try:
        return decimal(text)
    except ValueError:
        raise UsageError(f"{option} {part!r}: {text!r} is not a number") from None


def parse_value(name, text, option="a point"):
    """One input's value from its text (`0.1`, `pi`, `1.5±0.01`), as parse_point reads it."""
    return _value(option, f"{name}={text}", text.strip())


def split_point(text):
    """`sin(w)*w @ w=1, x=2` -> ("sin(w)*w ", "w=1, x=2"); a line without `@` (or with its
    `@` inside a `#` comment) -> (text, None). The language has no `@`, so the first one splits."""
    at = text.find("@")
    comment = text.find("#")
    if at < 0 or 0 <= comment < at:
        return text, None
    return text[:at], text[at + 1:].partition("#")[0]


def line_blocks(stream, size=1 << 20):
    """Runs of complete lines (bytes, the last one without its newline), one per read: a file
    goes by the megabyte, and a pipe that delivers a few lines at a time gets them answered."""
    pieces = []  # the line not ended yet, in pieces (a long line costs no quadratic copying)
    while True:
        data = stream.read1(size)
        if not data:
            break
        end = data.rfind(b"\n")
        if end < 0:
            pieces.append(data)
            continue
        pieces.append(data[:end])
        yield b"".join(pieces)
        pieces = [data[end + 1:]]
    rest = b"".join(pieces)
    if rest:
        yield rest


def numbered_blocks(stream):
    """(number of the first line, block) per block; a UTF-8 byte-order mark before line 1 is
    dropped. Lines keep the CR of a CRLF end."""
    number = 1
    for block in line_blocks(stream):
        if number == 1:
            block = block.removeprefix(BOM)
        yield number, block
        number += block.count(b"\n") + 1
