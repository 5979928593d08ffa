"""The command line: click commands that parse options, call the library and write the results.

Every GradcliError becomes one message on stderr and its exit code (2 usage/input, 1 evaluation
failed), in the group's invoke, so that click's CliRunner sees what a shell sees; a closed pipe
and Ctrl-C end quietly (main()).

The modules:
  options.py   every shared option, declared once as a decorator factory (`@digits_option()`,
               `@program_input()` for PROGRAM, -f/--file and --at, `@output_format(...)` for -o and
               --json); terminal-dependent defaults (format, colour) are resolved there.
  output.py    all writing: show(obj, fmt, color, **options) renders through render.render() and
               writes text or rich tables; report() is the one writer of warnings and notes;
               require_finite() is --strict; signals and closed pipes.
  commands.py  eval, explain, graph, diff, hessian, check, batch.

A command is parse -> call the library -> show:

    @click.command("name")
    @program_input()
    @output_format("table", "plain", "json")
    @digits_option()
    @strict_option()
    @color_option()
    def name_command(program, at, file, fmt, digits, strict, color):
        thing = library_call(load_program(program, file), parse_point(at))
        report(thing, fmt)
        show(thing, fmt, color, digits=digits)
        if strict:
            require_finite(thing.numbers)

Its renderers are registered in render/ with @renders("ThingType", "table", ...) (see
render/__init__.py). To add commands, put them in a module of this package, list them in its
COMMANDS, and add the module to _MODULES below; an option a second command needs becomes a
factory in options.py, and a rule about the numbers (which inputs, what is refused) goes into
the library, not here.
"""

import os
import signal
import sys
from contextlib import contextmanager

import click

from ..core import __version__
from ..core.errors import GradcliError, MissingInputs
from . import commands, derivatives
from .output import RECORDS, ReaderGone, Terminated, err

_MODULES = (commands, derivatives)  # the modules whose COMMANDS make up the CLI


class Group(click.Group):
    """The gradcli group: a GradcliError ends the run with its message on stderr and its exit
    code; an unknown option that may be a program starting with '-' says how to pass one."""

    def parse_args(self, ctx, args):
        with _dash_hint():
            return super().parse_args(ctx, args)

    def invoke(self, ctx):
        try:
            with _dash_hint():
                return super().invoke(ctx)
        except MissingInputs as e:
            err(f"gradcli: {e.hint('--at ')}")
            ctx.exit(e.exit_code)
        except GradcliError as e:
            err(f"gradcli: {e.render()}")
            ctx.exit(e.exit_code)


@contextmanager
def _dash_hint():
    """`gradcli eval -x^2` reads -x as an option: say where such a program goes."""
    try:
        yield
    except click.NoSuchOption as e:
        if e.option_name[1:2] not in ("-", ""):
            e.message = e.message.rstrip(".") + " (a program that starts with '-' goes after '--': gradcli eval --at x=1 -- \"-x^2\")"
        raise


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="gradcli")
def cli():
    """gradcli: the value of a program and every partial derivative, by one forward and one
    reverse sweep over the program's graph."""


for _module in _MODULES:
    for _command in _module.COMMANDS:
        cli.add_command(_command)


# -- entry point -------------------------------------------------------------------------


def main(argv=None):
    """Run the CLI; map every way it can end to a message on stderr and an exit code."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, RECORDS.handle)
    try:
        code = _run(argv)
    except KeyboardInterrupt:  # a signal while an error was being reported
        code = 130
    except Terminated:
        code = 143
    finally:
        # From here on a signal ends the process the default way: at once, quietly.
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_DFL)
    if code == 141 or _stdout_closed():
        # The reader is gone: point stdout at /dev/null so the interpreter's final flush is quiet.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = 141 if code == 0 else code
    sys.exit(code)


def _run(argv):
    """The exit code of one run of the CLI."""
    try:
        return cli.main(args=argv, prog_name="gradcli", standalone_mode=False) or 0
    except click.exceptions.NoArgsIsHelpError as e:
        e.show()
        return e.exit_code
    except click.UsageError as e:
        # click's own (an unknown option, a bad option value): one line, as every error is
        see = f"; see {e.ctx.command_path} --help" if e.ctx else ""
        err(f"gradcli: {e.format_message().rstrip('.')}{see}")
        return e.exit_code
    except click.ClickException as e:
        e.show()
        return e.exit_code
    except (KeyboardInterrupt, click.exceptions.Abort):
        return 130
    except Terminated:
        return 143
    except (ReaderGone, BrokenPipeError):
        return 141
    except MemoryError:
        err("gradcli: out of memory: the program (or its output) is too large for this machine")
        return 2
    except SystemExit:
        # click meets a closed stdout (EPIPE) by wrapping the streams and exiting 1: it is 141.
        if not isinstance(sys.stdout, click.utils.PacifyFlushWrapper):
            raise
        return 141


def _stdout_closed():
    try:
        sys.stdout.flush()
        return False
    except (BrokenPipeError, ValueError):
        return True


