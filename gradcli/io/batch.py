"""`gradcli batch`: one program per line in, one record per line out, in order, streamed.

Input is read as bytes, a line at a time, so `tail -f log | gradcli batch` answers each line
as it arrives. Each line is decoded on its own, so a line that is not UTF-8 or holds a NUL byte
becomes an error record like any other bad line, and the batch goes on. Nothing is kept per
line once its record is out: memory does not grow with the number of lines.

A program is compiled once per distinct text (a bounded cache), so a file that repeats a few
programs at many `@` points parses each of them once.

Only the project's own errors are caught, and only around reading, compiling and evaluating a
line; writing the record is the caller's, so a closed pipe ends the run instead of turning
into "every line failed".
"""

from collections import OrderedDict

from ..core.compiler import compile_program
from ..core.errors import EvaluationFailed, GradcliError, MissingInputs, not_finite
from ..engine.evaluate import evaluate, named_numbers
from ..numbers.float64 import FloatMath
from .lines import decode_line, is_blank, numbered_lines, parse_point, split_point
from .records import Header, error_record, result_record

# -- compiling, once per distinct program ------------------------------------------------


class ProgramCache:
    """Compiled programs (and compile errors) by program text, least recently used out first.

    Bounded by entries and by weight (text length plus nodes: a short text can inline into a
    large graph), so a batch that never repeats a program holds no more than a bounded amount.
    """

    def __init__(self, entries=1024, weight=1_000_000):
        self.max_entries = entries
        self.max_weight = weight
        self.weight = 0
        self.programs = OrderedDict()  # text -> (Program or GradcliError, weight)

    def get(self, text):
        found = self.programs.get(text)
        if found is None:
            try:
                entry = compile_program(text)
            except GradcliError as e:
                entry = e
            found = self._add(text, entry)
        else:
            self.programs.move_to_end(text)
        entry = found[0]
        if isinstance(entry, GradcliError):
            raise entry.with_traceback(None)
        return entry

    def _add(self, text, entry):
        weight = len(text) + (len(entry.graph) if not isinstance(entry, GradcliError) else 0)
        found = (entry, weight)
        if weight > self.max_weight:
            return found  # too big to keep
        self.programs[text] = found
        self.weight += weight
        while len(self.programs) > self.max_entries or self.weight > self.max_weight:
            _, (_, w) = self.programs.popitem(last=False)
            self.weight -= w
        return found


# -- the batch ---------------------------------------------------------------------------


class Batch:
    """One pass over a stream of program lines: a record per line, a count of what failed.

    `defaults` are the --at values every line starts from; `wrt` restricts the partials (a
    name a line's program does not use has partial 0 there); with `strict`, a line whose value
    or a partial is not finite counts as failed: its record keeps the numbers and says why
    under "failed" (`--strict: not finite: value, d/dx`), which every format shows; `strategy`
    is the reverse sweep's store/recompute/checkpoint choice, as for eval.

    For csv, `columns` fixes the partial columns for the whole stream: --wrt's names, or else
    the inputs of the first line that evaluates. A later line with an input outside them
    becomes an error record saying so: a partial is never silently left out.
    """

    HOLD = 1000  # csv without --wrt: error records held while waiting for the first result

    def __init__(self, defaults=None, wrt=(), strict=False, csv=False, strategy="store", number_type=None,
                 uncertainty=None, correlations=None, seed=0):
        self.defaults = dict(defaults or {})
        self.strategy = strategy
        self.number_type = number_type  # program -> its number type (--precision); None: float64
        self.wrt = list(wrt)
        self.strict = strict
        self.csv = csv
        self.columns = list(wrt) if csv and wrt else None
        self.budget_columns = None  # csv: the uncertainty columns, fixed by the first result
        self.uncertainty = uncertainty  # a line with ± values: its budget by this method
        self.correlations = dict(correlations or {})
        self.seed = seed
        self.cache = ProgramCache()
        self.total = 0
        self.failed = 0

    def records(self, stream):
        """A Record per line that is neither blank nor a comment, in input order; for csv, a
        Header (the partial columns) first."""
        records = (self.record(number, raw) for number, raw in numbered_lines(stream) if not is_blank(raw))
        return self._with_header(records) if self.csv else records

    def record(self, number, raw):
        """The record of line `number`: its result (with its uncertainty budget when a value
        carries `±`), or the error that stopped it."""
        self.total += 1
        try:
            source, point_text = split_point(decode_line(raw))
            program = self.cache.get(source)
            point = self.defaults
            if point_text is not None:
                point = {**self.defaults, **parse_point([point_text], "@")}
            m = self.number_type(program) if self.number_type else FloatMath
            result = evaluate(program, point, self.strategy, m=m)
            found = self._budget(program, result, point, m)
        except MissingInputs as e:
            self.failed += 1
            return error_record(number, e.hint("--at ", "@ "))
        except GradcliError as e:
            self.failed += 1
            return error_record(number, e.render_line())
        rec = result_record(number, result, self.wrt)
        if found is not None:
            rec["budget"] = found
        problem = self._csv_misfit(rec) if self.csv else None
        if problem is not None:
            self.failed += 1
            return error_record(number, problem)
        if self.strict:
            failure = not_finite(named_numbers(rec["value"], rec["gradient"].items()))
            if failure is not None:
                self.failed += 1
                rec["failed"] = failure.message
        return rec

    def _budget(self, program, result, point, m):
        """The line's uncertainty budget, or None without `±`; --correlation pairs naming
        what is not an input of this line's program are ignored, as --at's names are."""
        from ..derived.uncertainty import budget

        inputs = set(program.input_names)
        correlations = {pair: r for pair, r in self.correlations.items() if set(pair) <= inputs}
        return budget(result, point, self.uncertainty, correlations, m, self.seed)

    def _csv_misfit(self, rec):
        """Why a result has no row under the csv header (the first result fixes its partial and
        uncertainty columns), or None: a number is never silently left out."""
        labels = [k for k, _ in rec["budget"].columns()] if "budget" in rec else []
        if self.columns is None:
            self.columns = list(rec["gradient"])
        if self.budget_columns is None:
            self.budget_columns = labels
        missing = [name for name in rec["gradient"] if name not in self.columns]
        if missing:
            return (f"no csv column for {', '.join('d/d' + name for name in missing)}: the columns are the "
                    f"first result's inputs ({', '.join(self.columns) or 'none'}); choose them with --wrt")
        missing = [label for label in labels if label not in self.budget_columns]
        if missing:
            return (f"no csv column for {', '.join(missing)}: the uncertainty columns are the first result's "
                    f"({', '.join(self.budget_columns) or 'none'}); use -o jsonl")
        return None

    def _with_header(self, records):
        """The records after a Header: the header must name the columns, which the first result
        fixes, so error records before it wait for it (at most HOLD; past that, the columns are
        fixed empty)."""
        held = []
        for rec in records:
            held.append(rec)
            if self.columns is not None or len(held) > self.HOLD:
                break
        if self.columns is None:
            self.columns = []
        yield Header(self.columns, self.budget_columns or [])
        yield from held
        yield from records

    def check(self):
        check_failures(self.failed, self.total, "lines")


def check_failures(failed, total, what):
    """The run's one-line summary as an error (exit 1) when anything failed."""
    if failed:
        raise EvaluationFailed(f"{failed} of {total} {what} failed")
