"""The command line: click commands that parse options, call the library and write the results.

Nothing below this module prints. Every GradcliError becomes one message on stderr and its
exit code (2 usage/input, 1 evaluation failed); a closed pipe and Ctrl-C end quietly.
"""

import os
import re
import sys

import click

from . import __version__
from .errors import EvaluationFailed, GradcliError, UsageError

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


# -- option values -----------------------------------------------------------------------


def parse_point(specs):
    """`--at w=1 --at x=2,y=3` -> {"w": 1.0, "x": 2.0, "y": 3.0}; a later value wins."""
    point = {}
    for spec in specs:
        for part in spec.split(","):
            part = part.strip()
            if not part:
                continue
            name, eq, text = part.partition("=")
            name = name.strip()
            if not eq or not _NAME.match(name):
                raise UsageError(f"--at {part!r}: expected NAME=VALUE, e.g. --at w=1")
            try:
                point[name] = float(text.strip())
            except ValueError:
                raise UsageError(f"--at {part!r}: {text.strip()!r} is not a number") from None
    return point


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


def resolve_format(fmt, as_json):
    """The output format: --json, else --format, else table on a terminal and plain in a pipe."""
    if as_json:
        return "json"
    if fmt:
        return fmt
    return "table" if sys.stdout.isatty() else "plain"


def use_color(flag):
    """--color/--no-color wins; otherwise colour only on a terminal and never with NO_COLOR set."""
    if flag is not None:
        return flag
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def program_text(program, file):
    if program is not None and file is not None:
        raise UsageError("give the program as an argument or with --file, not both")
    if file is not None:
        return read_text(file)
    if program is None:
        raise UsageError("no program: give one as an argument, or with --file PATH (- for stdin)")
    return program


# -- output ------------------------------------------------------------------------------


def out(text):
    sys.stdout.write(text)
    sys.stdout.flush()


def err(text):
    sys.stderr.write(text if text.endswith("\n") else text + "\n")


def print_tables(renderables, color):
    from rich.console import Console

    console = Console(
        file=sys.stdout,
        highlight=False,
        color_system="auto" if color else None,
        no_color=not color,
        force_terminal=color or None,
        soft_wrap=False,
    )
    for r in renderables:
        console.print(r)


# -- commands ----------------------------------------------------------------------------

format_option = click.option(
    "-o",
    "--format",
    "fmt",
    type=click.Choice(["table", "plain", "json", "jsonl", "csv"]),
    help="Output format. Default: table on a terminal, plain otherwise.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="gradcli")
def cli():
    """gradcli: the value of a program and every partial derivative, by one forward and one
    reverse sweep over the program's graph."""


@cli.command("eval")
@click.argument("program", required=False)
@click.option("--at", "at", multiple=True, metavar="NAME=VALUE", help="Input values; repeat or separate with commas.")
@click.option("-f", "--file", "file", metavar="PATH", help="Read the program from PATH ('-' for stdin).")
@format_option
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.option("--digits", type=click.IntRange(1, 17), help="Significant digits (default: full precision).")
@click.option("--wrt", multiple=True, metavar="NAME", help="Print only these partials (repeatable).")
@click.option("-q", "--quiet", is_flag=True, help="Bare numbers, no names (with --wrt: only the partials).")
@click.option("--all", "show_all", is_flag=True, help="Tables: show every node and edge.")
@click.option("--max-rows", type=click.IntRange(1), default=40, show_default=True, help="Tables: rows shown per table.")
@click.option("--strict", is_flag=True, help="Exit 1 when the value or a partial is not finite.")
@click.option("--color/--no-color", default=None, help="Colour in tables (default: on a terminal, unless NO_COLOR).")
def eval_command(program, at, file, fmt, as_json, digits, wrt, quiet, show_all, max_rows, strict, color):
    """Evaluate PROGRAM and every partial derivative at the --at point."""
    from . import formats
    from .compiler import compile_program
    from .sweep import evaluate

    compiled = compile_program(program_text(program, file))
    wrt = check_wrt(wrt, compiled.input_names)
    result = evaluate(compiled, parse_point(at))
    fmt = resolve_format(fmt, as_json)
    for w in result.warnings:
        err(f"warning: {w}")
    if fmt != "table":
        for note in result.notes:
            err(f"note: {note}")
    if fmt == "table":
        print_tables(formats.tables(result, digits, wrt, None if show_all else max_rows), use_color(color))
    elif fmt == "plain":
        out(formats.plain(result, digits, wrt, quiet))
    elif fmt == "json":
        out(formats.to_json(formats.full_record(result, digits, wrt), indent=2) + "\n")
    elif fmt == "jsonl":
        out(formats.to_json(formats.record(result, digits, wrt)) + "\n")
    else:
        out(formats.csv_result(result, digits, wrt))
    if strict:
        bad = [k for k, v in [("value", result.value), *result.gradient.items()] if v != v or v in (float("inf"), float("-inf"))]
        if bad:
            raise EvaluationFailed(f"--strict: not finite: {', '.join(bad)}")


def check_wrt(wrt, input_names):
    unknown = [w for w in wrt if w not in input_names]
    if unknown:
        raise UsageError(
            f"--wrt {', '.join(unknown)}: not an input of the program (inputs: {', '.join(input_names) or 'none'})"
        )
    return list(dict.fromkeys(wrt))


# -- entry point -------------------------------------------------------------------------


def main(argv=None):
    """Run the CLI; map every way it can end to a message on stderr and an exit code."""
    try:
        cli.main(args=argv, prog_name="gradcli", standalone_mode=False)
        code = 0
    except GradcliError as e:
        err(f"gradcli: {e.render()}")
        code = e.exit_code
    except click.exceptions.Exit as e:
        code = e.exit_code
    except click.ClickException as e:
        e.show()
        code = e.exit_code
    except (KeyboardInterrupt, click.exceptions.Abort):
        code = 130
    except BrokenPipeError:
        code = 141
    if code == 141 or _stdout_closed():
        # The reader is gone: point stdout at /dev/null so the interpreter's final flush is quiet.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = 141 if code == 0 else code
    sys.exit(code)


def _stdout_closed():
    try:
        sys.stdout.flush()
        return False
    except (BrokenPipeError, ValueError):
        return True
