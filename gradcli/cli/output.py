"""Everything the CLI writes: rendered results to stdout, as whole records; warnings, notes and
errors to stderr, through report() and err() only; --strict's one decision.

A write that a signal (Ctrl-C, SIGTERM) interrupts finishes first (see _Records), and a reader
that leaves (`| head -1`) ends the run with ReaderGone.
"""

import os
import select
import signal
import sys
from itertools import chain

from ..core.errors import caret_lines, not_finite
from ..render import RICH, render


def show(obj, fmt, color=False, **options):
    """`obj` rendered in `fmt` (given the options its renderer takes), written to stdout."""
    write([render(obj, fmt, **options)], fmt, color)


def show_each(items, fmt, color=False, **options):
    """show() for a stream (records, chunks of points, a csv header), each item as it comes."""
    write((render(item, fmt, **options) for item in items), fmt, color)


def write(rendered, fmt, color=False):
    """Rendered items, each written as it comes: text as a record, a table's renderables
    through one console."""
    if fmt in RICH:
        print_tables(chain.from_iterable(rendered), color)
    else:
        for text in rendered:
            out(text)


def require_finite(numbers):
    """--strict, for every command: exit 1 naming each (label, number) that is not finite."""
    failure = not_finite(numbers)
    if failure is not None:
        raise failure


# -- stdout ------------------------------------------------------------------------------


def out(text):
    """Write and flush whole records: see _Records."""
    with RECORDS:
        write_stdout(text)


def write_stdout(text):
    """Write all of `text` to stdout, or raise BrokenPipeError if its reader leaves first.

    The bytes go to the descriptor in a loop until all are written: one write to a pipe whose
    reader leaves part-way returns a short count, and Python's buffered stdout then drops the
    rest without an error, so a large output (`explain --all | head -2`) would end with status
    0 instead of 141. The loop's next write after a short one fails with EPIPE."""
    stream = sys.stdout
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):  # a stream without a descriptor (CliRunner)
        stream.write(text)
        stream.flush()
        return
    stream.flush()
    data = memoryview(text.encode(stream.encoding or "utf-8", stream.errors or "strict"))
    while data:
        try:
            data = data[os.write(fd, data):]
        except BlockingIOError:  # stdout left non-blocking by whoever started us: wait for room
            select.select([], [fd], [])


class _Stdout:
    """stdout as rich's Console sees it: its writes go through write_stdout."""

    def write(self, text):
        write_stdout(text)
        return len(text)

    def flush(self):
        pass

    def isatty(self):
        return sys.stdout.isatty()

    def fileno(self):
        return sys.stdout.fileno()

    @property
    def encoding(self):
        return sys.stdout.encoding


def print_tables(renderables, color):
    from rich.console import Console

    console = Console(
        file=_Stdout(),
        highlight=False,
        color_system="auto" if color else None,
        no_color=not color,
        force_terminal=color or None,
        soft_wrap=False,
    )
    console.on_broken_pipe = _reader_gone  # rich would exit 1 itself; the reader's leaving is 141
    for r in renderables:
        with RECORDS:
            console.print(r, crop=False)  # a table too wide for the console is never cut


def _reader_gone():
    raise BrokenPipeError(32, "the reader of stdout went away")


# -- stderr ------------------------------------------------------------------------------


def err(text):
    sys.stderr.write(text if text.endswith("\n") else text + "\n")


def report(subject, fmt=None):
    """The one way warnings and notes reach stderr. `subject` is anything with `warnings` and
    `notes` (a Result, a Hessian, a check's messages) or a batch record (a dict), whose
    messages then name its line. A warning that knows its place in the program is followed by
    that line and a caret, as an error is. A result's notes are left out when the format is a
    table, which lists them (a record's table does not). A record's --strict failure goes
    here only in plain, the one format with no place for it; a jsonl record carries its own
    messages, so none of them goes here."""
    record = isinstance(subject, dict)
    if record:
        if fmt == "jsonl":
            return
        line = f"line {subject['line']}: "
        warnings, notes = subject.get("warnings", ()), subject.get("notes", ())
    else:
        line = ""
        warnings, notes = subject.warnings, subject.notes
    for w in warnings:
        err(f"warning: {line}{w}")
        if getattr(w, "pos", None) is not None:
            err(caret_lines(w.source, w.pos))
    if record or fmt != "table":
        for note in notes:
            err(f"note: {line}{note}")
    if record and "failed" in subject and fmt == "plain":
        err(f"error: {line}{subject['failed']}")


def reported(records, fmt):
    """Pass a stream's items on, each record report()ed first (a csv Header has nothing to say)."""
    for rec in records:
        if isinstance(rec, dict):
            report(rec, fmt)
        yield rec


class Messages:
    """Warnings and notes to report() that are not a result's own (a check's explanations)."""

    def __init__(self, warnings, notes):
        self.warnings = warnings
        self.notes = notes


# -- signals and closed pipes ------------------------------------------------------------


class Terminated(BaseException):
    """SIGTERM: the run ends quietly with 143 (128 + 15), as shells report it."""


class ReaderGone(Exception):
    """stdout's reader went away (`| head -1`). Not an OSError, so that click does not make it
    exit 1: main() ends with 141, as other Unix tools do."""


class _Records:
    """Every write to stdout is whole records, flushed, so SIGINT (Ctrl-C) and SIGTERM end a
    run between records, never inside one: a signal that comes during a write waits for the
    write to finish. A second one does not wait, so that a writer blocked by a stalled reader
    can still be stopped."""

    def __init__(self):
        self.writing = False
        self.pending = None

    def handle(self, signum, frame):
        if self.writing and self.pending is None:
            self.pending = signum
        else:
            self.stop(signum)

    @staticmethod
    def stop(signum):
        raise KeyboardInterrupt if signum == signal.SIGINT else Terminated

    def __enter__(self):
        self.writing = True

    def __exit__(self, kind, exc, tb):
        self.writing = False
        if kind is not None and issubclass(kind, BrokenPipeError):
            raise ReaderGone from None
        if kind is None and self.pending is not None:
            self.stop(self.pending)


RECORDS = _Records()
