"""The command line: click commands that parse options, call the library and write the results.

Nothing below this module prints. Every GradcliError becomes one message on stderr and its
exit code (2 usage/input, 1 evaluation failed); a closed pipe and Ctrl-C end quietly.
"""

import os
import select
import signal
import sys

import click

from ..core import __version__
from ..io.lines import parse_point
from ..derived.check import ATOL, RTOL
from ..core.errors import EvaluationFailed, GradcliError, MissingInputs, UsageError, caret_lines, not_finite
from .precision import (batch_number_type, number_type, precision_options, print_budget, reference_check, reference_option,
                        uncertainty_budget, uncertainty_options)


# -- option values -----------------------------------------------------------------------


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


def load_program(program, file):
    """The compiled program of the argument or --file, through the on-disk cache of compiled
    programs (gradcli/cache.py), so a command repeated in a shell loop parses only once."""
    from ..io.cache import compile_cached

    return compile_cached(program_text(program, file))


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


def err(text):
    sys.stderr.write(text if text.endswith("\n") else text + "\n")


def report(subject, fmt=None):
    """The one way warnings and notes reach stderr. `subject` is anything with `warnings` and
    `notes` (a Result, a Hessian, a check's messages) or a batch record (a dict), whose
    messages then name its line. A warning that knows its place in the program is followed by
    that line and a caret, as an error is. A result's notes are left out when the format is a
    table, which lists them (a record's table does not). A record's --strict failure goes
    here only in plain, the one format with no place for it."""
    record = isinstance(subject, dict)
    if record:
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


class Messages:
    """Warnings and notes to report() that are not a result's own (a check's explanations)."""

    def __init__(self, warnings, notes):
        self.warnings = warnings
        self.notes = notes


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


# -- commands ----------------------------------------------------------------------------

format_option = click.option(
    "-o",
    "--format",
    "fmt",
    type=click.Choice(["table", "plain", "json", "jsonl", "csv"]),
    help="Output format. Default: table on a terminal, plain otherwise.",
)


strategy_option = click.option(
    "--strategy",
    type=click.Choice(["store", "recompute", "checkpoint"]),
    default="store",
    show_default=True,
    help="Keep every forward value, recompute them for the reverse sweep, or keep sqrt(n) checkpoints.",
)


digits_option = click.option("--digits", type=click.IntRange(1, 17), help="Significant digits (default: full precision).")
wrt_option = click.option("--wrt", multiple=True, metavar="NAME", help="Print only these partials (repeatable).")
quiet_option = click.option("-q", "--quiet", is_flag=True, help="Bare numbers, no names (with --wrt: only the partials).")
strict_option = click.option("--strict", is_flag=True, help="Exit 1 when the value or a partial is not finite.")
color_option = click.option("--color/--no-color", default=None, help="Colour in tables (default: on a terminal, unless NO_COLOR).")


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
@digits_option
@wrt_option
@quiet_option
@click.option("--all", "show_all", is_flag=True, help="Tables: show every node and edge.")
@click.option("--max-rows", type=click.IntRange(1), default=40, show_default=True, help="Tables: rows shown per table.")
@click.option(
    "--nodes", multiple=True, metavar="NAME|ID|A-B",
    help="Tables: only these nodes (names, ids, id ranges; repeatable or comma-separated) and the edges touching them.",
)
@strict_option
@color_option
@strategy_option
@click.option("--stats", is_flag=True, help="Add what the sweeps counted, and the chain rule's size without sharing.")
@click.option(
    "--points", metavar="FILE",
    help="Evaluate at every point of FILE, a record per point: CSV with a header naming the inputs, or JSON Lines ('-' for stdin).",
)
@precision_options
@uncertainty_options
def eval_command(program, at, file, fmt, as_json, digits, wrt, quiet, show_all, max_rows, nodes, strict, color, strategy, stats, points,
                 precision, uncertainty, correlation, seed_rng):
    """Evaluate PROGRAM and every partial derivative at the --at point (or at every point of --points FILE)."""
    from ..render import formats
    from ..engine.evaluate import evaluate

    if points == "-" and file == "-":
        raise UsageError("--file - and --points - both read stdin: give one of them a file")
    compiled = load_program(program, file)
    wrt = check_wrt(wrt, compiled.input_names)
    if points is not None:
        if precision is not None:
            raise UsageError("--precision is not available with --points yet: use --at, or batch with a point per line")
        if any(getattr(v, "sigma", None) is not None for v in parse_point(at).values()):
            raise UsageError("± values are for one point (--at), not --points: give each point's values in the file")
        if nodes:
            raise UsageError("--nodes picks rows of one point's node and edge tables: use --at, not --points")
        if stats:
            raise UsageError("--stats counts one evaluation, and --points makes many: use --at for one point")
        if strategy != "store":
            raise UsageError(
                "--points sweeps whole columns of points with every value stored, so --strategy does not "
                "apply: use --at for one point, or gradcli batch --strategy with a point per line (PROGRAM @ x=1)"
            )
        return eval_points(compiled, points, parse_point(at), resolve_format(fmt, as_json), digits, wrt, quiet, strict, color)
    fmt = resolve_format(fmt, as_json)
    if nodes and fmt != "table":
        raise UsageError("--nodes picks rows of the node and edge tables: use it with -o table")
    selected = formats.select_nodes(compiled, nodes) if nodes else None
    # every edge's partial and every adjoint where nodes and edges are printed
    m, point = number_type(precision, compiled), parse_point(at)
    result = evaluate(compiled, point, strategy, stats, full=fmt in ("table", "json"), m=m)
    report(result, fmt)
    if (budget := uncertainty_budget(result, point, uncertainty, correlation, seed_rng, m)) is not None:
        return print_budget(result, budget, fmt, digits, wrt, quiet, use_color(color), out, print_tables)
    if fmt == "table":
        print_tables(formats.tables(result, digits, wrt, None if show_all else max_rows, selected), use_color(color))
    elif fmt == "plain":
        out(formats.plain(result, digits, wrt, quiet))
    elif fmt == "json":
        out(formats.to_json(formats.full_record(result, digits, wrt), indent=2) + "\n")
    elif fmt == "jsonl":
        out(formats.to_json(formats.record(result, digits, wrt)) + "\n")
    else:
        out(formats.csv_result(result, digits, wrt))
    if strict:
        raise_not_finite([("value", result.value), *((f"d/d{k}", g) for k, g in result.gradient.items())])


def raise_not_finite(numbers):
    """--strict: exit 1 naming every (label, number) pair that is not finite."""
    failure = not_finite(numbers)
    if failure is not None:
        raise failure


def check_wrt(wrt, input_names):
    unknown = [w for w in wrt if w not in input_names]
    if unknown:
        raise UsageError(
            f"--wrt {', '.join(unknown)}: not an input of the program (inputs: {', '.join(input_names) or 'none'})"
        )
    return list(dict.fromkeys(wrt))


@cli.command("explain")
@click.argument("program", required=False)
@click.option("--at", "at", multiple=True, metavar="NAME=VALUE", help="Input values; repeat or separate with commas.")
@click.option("-f", "--file", "file", metavar="PATH", help="Read the program from PATH ('-' for stdin).")
@click.option("--digits", type=click.IntRange(1, 17), default=4, show_default=True, help="Significant digits in the steps.")
@click.option("--all", "show_all", is_flag=True, help="Show every node and step (default: the first and last 10).")
@click.option("--json", "as_json", is_flag=True, help="The steps as JSON, at full precision.")
@click.option("--color/--no-color", default=None, help="Colour (default: on a terminal, unless NO_COLOR).")
@precision_options
def explain_command(program, at, file, digits, show_all, as_json, color, precision):
    """Write out the reverse sweep step by step: each node's adjoint as the sum over its
    children of adjoint × local partial, with symbols and numbers, ending with the gradient."""
    from ..derived.explain import explain
    from ..render import explain as words
    from ..render import formats

    compiled = load_program(program, file)
    ex = explain(compiled, parse_point(at), number_type(precision, compiled))
    report(ex.result)
    limits = {"digits": digits, "max_steps": None, "max_terms": None} if show_all else {"digits": digits}
    if as_json:
        out(formats.to_json(words.record(ex), indent=2) + "\n")
    elif use_color(color):
        print_tables([words.rich_text(ex, **limits)], True)
    else:
        out(words.plain(ex, **limits))


@cli.command("graph")
@click.argument("program", required=False)
@click.option("--at", "at", multiple=True, metavar="NAME=VALUE", help="Input values: label the graph with numbers.")
@click.option("-f", "--file", "file", metavar="PATH", help="Read the program from PATH ('-' for stdin).")
@click.option(
    "-o", "--format", "fmt", type=click.Choice(["dot", "mermaid", "tree"]), default="tree", show_default=True,
    help="Graphviz DOT, a Mermaid flowchart, or a tree in the terminal.",
)
@click.option("--backward", is_flag=True, help="Draw the backprop graph B (adjoints, local partials) instead of G.")
@click.option("--digits", type=click.IntRange(1, 17), default=4, show_default=True, help="Significant digits.")
@click.option("--max-depth", type=click.IntRange(1), default=12, show_default=True, help="Tree: levels shown.")
@click.option("--color/--no-color", default=None, help="Colour in the tree (default: on a terminal, unless NO_COLOR).")
def graph_command(program, at, file, fmt, backward, digits, max_depth, color):
    """Draw the forward graph G of PROGRAM (or, with --backward, the backprop graph B)."""
    from ..render import drawing
    from ..engine.evaluate import evaluate

    compiled = load_program(program, file)
    result = evaluate(compiled, parse_point(at), full=True) if at else None
    if result is not None:
        report(result)
    picture = drawing.Drawing(compiled, result, backward, digits)
    if fmt == "tree":
        print_tables([drawing.tree(picture, max_depth)], use_color(color))
    else:
        out((drawing.dot if fmt == "dot" else drawing.mermaid)(picture))


# -- symbolic derivatives, Hessians, gradient checks -------------------------------------


def formats_option(*names):
    """-o/--format with these choices (default: table on a terminal, plain otherwise)."""
    return click.option("-o", "--format", "fmt", type=click.Choice(names), help="Output format. Default: table on a terminal, plain otherwise.")


@cli.command("diff")
@click.argument("program", required=False)
@click.option("-f", "--file", "file", metavar="PATH", help="Read the program from PATH ('-' for stdin).")
@click.option("--wrt", multiple=True, metavar="NAME", help="Differentiate by these inputs only (repeatable).")
@click.option("--order", type=click.IntRange(1), default=1, show_default=True, help="Order of the partials: 2 for second partials, ...")
@click.option("--inline", is_flag=True, help="Each partial as one expression, refused when that would be far larger.")
@formats_option("table", "plain", "json")
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@color_option
def diff_command(program, file, wrt, order, inline, fmt, as_json, color):
    """Print the partial derivatives of PROGRAM as a program in gradcli's own language."""
    from ..render import formats
    from ..derived.diff import Derivatives

    compiled = load_program(program, file)
    d = Derivatives(compiled, check_wrt(wrt, compiled.input_names), order)
    fmt = resolve_format(fmt, as_json)
    if fmt == "table":
        print_tables(formats.derivatives_tables(d, inline), use_color(color))
    elif fmt == "json":
        out(formats.to_json(formats.derivatives_record(d, inline), indent=2) + "\n")
    else:
        out(d.text(inline))


@cli.command("hessian")
@click.argument("program", required=False)
@click.option("--at", "at", multiple=True, metavar="NAME=VALUE", help="Input values; repeat or separate with commas.")
@click.option("-f", "--file", "file", metavar="PATH", help="Read the program from PATH ('-' for stdin).")
@click.option("--hvp", metavar="V1,V2,...", help="Only the Hessian-vector product H·v, v in input order (one sweep more, not n).")
@formats_option("table", "plain", "json", "csv")
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@digits_option
@click.option("--strict", is_flag=True, help="Exit 1 when the value, a partial or a Hessian (H·v) entry is not finite.")
@color_option
def hessian_command(program, at, file, hvp, fmt, as_json, digits, strict, color):
    """Value, gradient and Hessian of PROGRAM at the --at point, by differentiating the
    derivative graph again."""
    from ..render import formats
    from ..derived.hessian import hessian, hessian_vector_product

    compiled = load_program(program, file)
    point = parse_point(at)
    if hvp is None:
        s = hessian(compiled, point)
    else:
        s = hessian_vector_product(compiled, point, parse_vector(hvp))
    fmt = resolve_format(fmt, as_json)
    report(s, fmt)
    if fmt == "table":
        print_tables(formats.second_order_tables(s, digits), use_color(color))
    elif fmt == "json":
        out(formats.to_json(formats.second_order_record(s, digits), indent=2) + "\n")
    elif fmt == "csv":
        out(formats.second_order_csv(s, digits))
    else:
        out(formats.second_order_plain(s, digits))
    if strict:
        raise_not_finite(s.numbers)


def parse_vector(text):
    """`--hvp 1,0,-2` -> [1.0, 0.0, -2.0]."""
    try:
        return [float(part) for part in text.split(",")]
    except ValueError:
        raise UsageError(f"--hvp {text!r}: expected numbers separated by commas, one per input, e.g. --hvp 1,0") from None


@cli.command("check")
@click.argument("program", required=False)
@click.option("--at", "at", multiple=True, metavar="NAME=VALUE", help="Input values; repeat or separate with commas.")
@click.option("-f", "--file", "file", metavar="PATH", help="Read the program from PATH ('-' for stdin).")
@click.option("--rtol", type=click.FloatRange(0), default=RTOL, show_default=True, help="Relative tolerance.")
@click.option("--atol", type=click.FloatRange(0), default=ATOL, show_default=True, help="Absolute tolerance.")
@click.option("--hessian", "with_hessian", is_flag=True, help="Check the Hessian too (finite differences of the gradient).")
@formats_option("table", "plain", "json")
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@digits_option
@color_option
@reference_option
def check_command(program, at, file, rtol, atol, with_hessian, fmt, as_json, digits, color, reference):
    """Compare the reverse sweep's gradient (and Hessian) with finite differences at the --at
    point; exit 1 when a partial differs by more than atol + rtol × |finite difference|."""
    from ..render import formats
    from ..derived.check import check_gradient

    checker = reference_check if reference == "precision" else check_gradient
    checked = checker(load_program(program, file), parse_point(at), rtol, atol, with_hessian)
    fmt = resolve_format(fmt, as_json)
    conventions = [f"{c.label}: {c.explanation}" if c.status == "convention" else f"{c.label}: {c.status}: {c.explanation}"
                   for c in checked.comparisons if c.status in ("convention", "inconclusive", "cannot_check")]
    # the table and the JSON carry each explanation; plain output has no place for them
    notes = conventions if fmt == "plain" else []
    if checked.verdict in ("inconclusive", "cannot_check"):
        notes.append(f"verdict: {checked.verdict} (exit 0: no partial was found wrong, but not every one could be confirmed)")
    report(Messages(checked.result.warnings, notes), fmt)
    if fmt == "table":
        print_tables(formats.check_tables(checked, digits), use_color(color))
    elif fmt == "json":
        out(formats.to_json(formats.check_record(checked, digits), indent=2) + "\n")
    else:
        out(formats.check_plain(checked, digits))
    if not checked.ok:
        failed = "; ".join(f"{c.label}: {c.explanation}" for c in checked.failures)
        raise EvaluationFailed(f"gradient check failed (rtol {rtol:g}, atol {atol:g}): {failed}")


# -- many programs, many points ---------------------------------------------------------


@cli.command("batch")
@click.argument("path", required=False, default="-")
@click.option("--at", "at", multiple=True, metavar="NAME=VALUE", help="Input values for every line; a line's own `@ NAME=VALUE` wins.")
@click.option(
    "-o", "--format", "fmt", type=click.Choice(["table", "plain", "jsonl", "csv"]),
    help="Output format. Default: table on a terminal, plain otherwise.",
)
@digits_option
@wrt_option
@quiet_option
@strict_option
@color_option
@strategy_option
@precision_options
def batch_command(path, at, fmt, digits, wrt, quiet, strict, color, strategy, precision):
    """Evaluate one program per line of PATH (stdin when PATH is - or absent): one record per
    line, in order, written as it is computed. A line may carry its own point:
    `sin(w)*w @ w=1, x=2`. Blank lines and # comment lines are skipped. A bad line gets an
    error record and the batch goes on; the exit status is then 1."""
    from ..render import formats
    from ..io.batch import Batch
    from ..io.lines import open_input

    fmt = resolve_format(fmt, False)
    batch = Batch(parse_point(at), wrt, strict, csv=fmt == "csv", strategy=strategy,
                  number_type=batch_number_type(precision))
    stream = open_input(path)
    if fmt == "table":
        records = reported(batch.records(stream), fmt)
        print_tables((r for rec in records for r in formats.record_tables(rec, digits)), use_color(color))
    elif fmt == "csv":
        header = True
        for rec in reported(batch.csv_records(stream), fmt):
            if header:  # the columns are known once the first record is
                out(formats.csv_header(batch.columns))
                header = False
            out(formats.csv_record(rec, batch.columns, digits))
        if header:
            out(formats.csv_header(batch.columns))
    elif fmt == "jsonl":
        for rec in batch.records(stream):  # a jsonl record carries its own warnings and notes
            out(formats.jsonl_record(rec, digits))
    else:
        for rec in reported(batch.records(stream), fmt):
            out(formats.plain_record(rec, digits, drop_value=quiet and bool(wrt)))
    batch.check()


def reported(records, fmt):
    """Pass records on, each one report()ed first."""
    for rec in records:
        report(rec, fmt)
        yield rec


def eval_points(program, path, defaults, fmt, digits, wrt, quiet, strict, color):
    """eval --points: a record per point, each chunk of points computed by one pair of sweeps."""
    from ..render import formats
    from ..io.lines import open_input
    from ..io.points import Points

    if fmt == "json":
        raise UsageError("--points writes a record per point: use -o jsonl, csv, plain or table")
    points = Points(program, open_input(path), defaults, wrt, strict)
    names = points.names
    if fmt == "table":
        records = (
            rec
            for c in points.chunks()
            for rec in formats.point_records(names, c.lines, c.value, c.partials, c.errors)
        )
        print_tables((r for rec in records for r in formats.record_tables(rec, digits)), use_color(color))
    else:
        if fmt == "csv":
            out(formats.csv_header(names))
        for c in points.chunks():
            out(formats.points_text(fmt, names, c.lines, c.value, c.partials, c.errors, digits, quiet and bool(wrt)))
    points.check()


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
        cli.main(args=argv, prog_name="gradcli", standalone_mode=False)
        return 0
    except MissingInputs as e:
        err(f"gradcli: {e.hint('--at ')}")
        return e.exit_code
    except GradcliError as e:
        err(f"gradcli: {e.render()}")
        return e.exit_code
    except click.exceptions.Exit as e:
        return e.exit_code
    except click.ClickException as e:
        if isinstance(e, click.NoSuchOption) and e.option_name[1:2] not in ("-", ""):
            e.message += " (a program that starts with '-' goes after '--': gradcli eval --at x=1 -- \"-x^2\")"
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
