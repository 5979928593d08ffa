"""One evaluation: a forward sweep, a reverse sweep by a strategy, warnings and notes, as a Result."""

from functools import cached_property
from time import perf_counter

from ..core.errors import UsageError
from ..numbers.float64 import FloatMath
from .diagnostics import describe, nonfinite_warnings
from .forward import Forward, forward, point_values
from .reverse import UNUSED, dead_edges, edge_roles, node_roles, reverse, reverse_sweep
from .stats import count_stats
from .strategies import STRATEGIES


class Result:
    """Everything one evaluation computed: the tables print all of it."""

    budget = None  # the uncertainty budget gradcli.evaluate adds when an input carries ± (derived.uncertainty)

    def __init__(self, program, values, adjoints, partials, warnings, notes, stats=None):
        self.program = program
        self.values = values
        self.adjoints = adjoints  # true d output / d node for every node (after a full sweep)
        # per edge, in Graph.edges() order; None where the gradient sweep skipped the edge and
        # no full sweep ran (evaluate(..., full=False))
        self.partials = partials
        self.warnings = warnings  # messages about nodes that went non-finite
        self.notes = notes  # messages about non-differentiable points where a convention applied
        self.stats = stats  # a Stats when asked for, else None

    @cached_property
    def roles(self):
        """Per node: GRADIENT, CONSTANT or UNUSED (see node_roles)."""
        return node_roles(self.program)

    @cached_property
    def edge_roles(self):
        """Per edge, in Graph.edges() order (see edge_roles)."""
        return edge_roles(self.program, self.roles)

    @property
    def value(self):
        return self.values[self.program.output]

    @cached_property
    def contributions(self):
        """adjoint(child) × local partial per edge: what the reverse sweep added into the parent.
        Derived, not stored: a node's adjoint is final before its edges are swept, so this is
        the very product the sweep computed, bit for bit. An edge into a node the output does
        not depend on, or out of a dead branch of a select, contributes nothing: exactly 0,
        whatever its local partial."""
        adj, partials, roles = self.adjoints, self.partials, self.edge_roles
        dead = dead_edges(self.program, self.values)
        return [None if d is None else 0.0 if gone or role == UNUSED else adj[child] * d
                for d, gone, role, (_, child, _) in zip(partials, dead, roles, self.program.graph.edges())]

    @property
    def gradient(self):
        """d output / d input for every input, in order of first appearance."""
        adj = self.adjoints
        return {name: adj[i] for name, i in zip(self.program.input_names, self.program.input_ids)}


def differentiate(program, inputs, strategy="store", m=FloatMath):
    """The output value and the reverse sweep's (adjoints, partials, notes)
    by `strategy`, and the strategy object with its own counts and phase times."""
    try:
        source = STRATEGIES[strategy](program, Forward(program, inputs, m))
    except KeyError:
        raise UsageError(f"unknown strategy {strategy!r}: use {', '.join(STRATEGIES)}") from None
    t0 = perf_counter()
    value = source.forward()
    t1 = perf_counter()
    swept = reverse_sweep(program, source, m)
    source.times = (t1 - t0, perf_counter() - t1)
    return value, swept, source


def single_output(program, command="this command", hint="use gradcli jacobian (or jvp, vjp) for several outputs"):
    """A gradient is of one output: a program with several is refused, saying what to do."""
    names = program.output_names
    if len(names) > 1:
        raise UsageError(f"the program has {len(names)} outputs ({', '.join(names)}) and {command} needs one: {hint}")


def evaluate(program, point, strategy="store", stats=False, full=False, m=FloatMath):
    """A forward and a reverse sweep at `point` (a mapping input name -> number) in the number
    type `m`; the tables' values come from the sweep under `store`, else from a forward sweep
    after it (not counted). Warnings, notes and stats are the gradient sweep's; with `full`, a
    second reverse sweep over the stored values (not counted) fills in every edge's partial
    and every adjoint."""
    single_output(program)
    inputs = point_values(program, point, m)
    _, swept, source = differentiate(program, inputs, strategy, m)
    values = source.values if strategy == "store" else forward(program, inputs, m)
    counted = count_stats(program, source, swept[1], strategy) if stats else None
    return _result(program, values, swept, m, full, counted)


def sweep_back(program, values, m=FloatMath, full=False):
    """evaluate() over forward `values` already at hand: another output's reverse sweep after
    the one forward sweep (explain and graph with several outputs)."""
    single_output(program)
    return _result(program, values, reverse(program, values, m), m, full)


def _result(program, values, swept, m, full, counted=None):
    """The Result of the gradient sweep's (adjoints, partials, notes): warnings and notes in
    the user's words; with `full`, every edge's partial and every adjoint (see evaluate)."""
    adjoints, partials, notes = swept
    warnings = nonfinite_warnings(program, values, partials, adjoints, m)
    if notes:
        pairs = program.graph.label_pairs()
        notes = [f"{describe(program, i, pairs)}: {said}" for i, said in notes]
    if full:
        adjoints, partials, _ = reverse(program, values, m, full=True)
    return Result(program, values, adjoints, partials, warnings, notes, counted)


def gradient_items(result, wrt=None):
    """(input name, partial) pairs, all inputs or those in `wrt`, in the order asked. A name in
    `wrt` that is not an input has partial 0: a batch line whose program does not use it."""
    gradient = result.gradient
    names = wrt if wrt else list(gradient)
    return [(name, gradient.get(name, 0.0)) for name in names]


def named_numbers(value, items):
    """("value", v), then ("d/dNAME", partial) per (name, partial) of `items`: the one labelling
    of a result's numbers, which plain output, tables and --strict share."""
    return [("value", value), *((f"d/d{name}", g) for name, g in items)]


def check_wrt(wrt, input_names):
    """--wrt's names without repeats, in the order given; one that is not an input: UsageError."""
    unknown = [w for w in wrt if w not in input_names]
    if unknown:
        raise UsageError(
            f"--wrt {', '.join(unknown)}: not an input of the program (inputs: {', '.join(input_names) or 'none'})"
        )
    return list(dict.fromkeys(wrt))
