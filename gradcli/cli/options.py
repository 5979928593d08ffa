"""The options commands share, each declared once: a decorator factory per option (call it,
`@digits_option()`, with a `help=` of the command's own where the words differ).

Defaults that depend on the terminal are resolved here, once, as click parses: a command gets
its output format and its colour decided, never None.
"""

import functools
import os
import sys

import click

from ..core.errors import UsageError

AT_HELP = "Input values; repeat or separate with commas."
FORMAT_HELP = "Output format. Default: table on a terminal, plain otherwise."
COLOR_HELP = "Colour in tables (default: on a terminal, unless NO_COLOR)."


def stacked(*decorators):
    """One decorator applying `decorators` so that --help lists their options in this order."""

    def decorate(f):
        for decorator in reversed(decorators):
            f = decorator(f)
        return f

    return decorate


# -- the program and the point -----------------------------------------------------------


def program_input(at=AT_HELP):
    """PROGRAM (an argument) or -f/--file PATH, and, unless `at` is None, --at (`at` is its help)."""
    file = click.option("-f", "--file", "file", metavar="PATH", help="Read the program from PATH ('-' for stdin).")
    program = click.argument("program", required=False)
    return stacked(program, at_option(at), file) if at is not None else stacked(program, file)


def at_option(help=AT_HELP):
    return click.option("--at", "at", multiple=True, metavar="NAME=VALUE", help=help)


def read_text(path):
    """A program file's text ('-' is stdin): UTF-8, a BOM allowed, CRLF line ends allowed."""
    try:
        if path == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as f:
                data = f.read()
    except OSError as e:
        raise UsageError(f"cannot read {path}: {e.strerror}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise UsageError(f"{'stdin' if path == '-' else path} is not UTF-8 text (byte {e.start})") from None


def load_program(program, file):
    """The compiled program of the argument or --file, through the on-disk cache of compiled
    programs (io/cache.py), so a command repeated in a shell loop parses only once."""
    from ..io.cache import compile_cached

    if program is not None and file is not None:
        raise UsageError("give the program as an argument or with --file, not both")
    if file is not None:
        return compile_cached(read_text(file))
    if program is None:
        raise UsageError("no program: give one as an argument, or with --file PATH (- for stdin)")
    return compile_cached(program)


def of_option(help="These assigned names are the outputs."):
    return click.option("--of", "of", metavar="NAME[,NAME...]", help=help)


def load_outputs(program, file, of):
    """The compiled program, with the outputs `--of` names when given."""
    compiled = load_program(program, file)
    if of is not None:
        compiled = compiled.with_outputs([n.strip() for n in of.split(",") if n.strip()])
    return compiled


# -- output ------------------------------------------------------------------------------


def _format_default(ctx, param, value):
    """No -o: table on a terminal, plain in a pipe."""
    if value:
        return value
    return "table" if sys.stdout.isatty() else "plain"


def format_option(*choices, default=None, help=FORMAT_HELP):
    """-o/--format, one of `choices`; without a `default`, the terminal decides."""
    return click.option(
        "-o", "--format", "fmt", type=click.Choice(choices), default=default, show_default=default is not None,
        help=help, callback=None if default else _format_default,
    )


def json_option(help="Same as --format json."):
    return click.option("--json", "as_json", is_flag=True, help=help)


def output_format(*choices):
    """-o/--format and --json, given to the command as one `fmt` (--json wins)."""

    def decorate(command):
        @functools.wraps(command)
        def resolved(*args, fmt, as_json, **kwargs):
            return command(*args, fmt="json" if as_json else fmt, **kwargs)

        return stacked(format_option(*choices), json_option())(resolved)

    return decorate


def digits_option(default=None, help="Significant digits (default: full precision)."):
    return click.option("--digits", type=click.IntRange(1, 17), default=default, show_default=default is not None,
                        help=help)


def _color_default(ctx, param, value):
    """--color/--no-color wins; otherwise colour only on a terminal and never with NO_COLOR set."""
    if value is not None:
        return value
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def color_option(help=COLOR_HELP):
    return click.option("--color/--no-color", default=None, help=help, callback=_color_default)


def wrt_option(help="Print only these partials (repeatable)."):
    return click.option("--wrt", multiple=True, metavar="NAME", help=help)


def quiet_option():
    return click.option("-q", "--quiet", is_flag=True, help="Bare numbers, no names (with --wrt: only the partials).")


def strict_option(help="Exit 1 when the value or a partial is not finite."):
    return click.option("--strict", is_flag=True, help=help)


def strategy_option():
    return click.option(
        "--strategy", type=click.Choice(["store", "recompute", "checkpoint"]), default="store", show_default=True,
        help="Keep every forward value, recompute them for the reverse sweep, or keep sqrt(n) checkpoints.",
    )
