"""Several outputs: the Jacobian by forward or reverse sweeps, J·v and u·J, over one DAG.

Forward mode is one fused forward sweep of values, local partials and tangents
(engine.tangent.tangent_sweep), carrying one tangent per input (a column of J each); reverse
mode one reverse sweep (engine.tangent.adjoint_sweep) carrying one adjoint per output (a row
each); either way every local partial is computed once. `auto` takes the fewer directions.
J·v is the fused sweep with one direction; u·J is the gradient's own reverse sweep
(engine.reverse) seeded with u. In float64 the Jacobians' and J·v's sweeps are staged once a
program's calls have paid for it (engine.tiers): the same numbers, faster.
"""

from functools import partial

from ..core.errors import Located, UsageError
from ..numbers.float64 import FloatMath
from ..numbers.staged import VALUE
from ..numbers.text import format_number
from .diagnostics import describe, nonfinite_warnings
from .forward import Forward, forward, point_values
from .reverse import reverse_sweep
from .strategies import Store
from .tangent import adjoint_sweep, convention_notes, local_partials, tangent_sweep
from .tiers import tiered

MODES = ("auto", "forward", "reverse")


class FirstOrder:
    """Values of every output at a point, with one first-order quantity over them: `jacobian`
    (rows = outputs, columns = inputs), `jvp` (per output) or `vjp` (per input). (The second
    order is derived.hessian.SecondOrder; render/ knows both by these names.)"""

    def __init__(self, program, values, warnings, notes, sweeps=0, mode=None):
        self.program = program
        self.values = [values[o] for o in program.outputs]
        self.warnings = warnings
        self.notes = notes
        self.sweeps = sweeps  # tangent or adjoint sweeps run (each one multiply-add per edge)
        self.mode = mode
        self.jacobian = self.jvp = self.vjp = None
        self.covariance = None  # with ± inputs: derived.uncertainty's Covariance of the outputs

    @property
    def outputs(self):
        return self.program.output_names

    @property
    def inputs(self):
        return self.program.input_names

    def entries(self):
        """(label, number) of every derivative computed, for --strict and the warnings."""
        if self.jacobian is not None:
            return [(f"J[{o}, {i}]", x) for o, row in zip(self.outputs, self.jacobian) for i, x in zip(self.inputs, row)]
        if self.jvp is not None:
            return [(f"jvp[{o}]", x) for o, x in zip(self.outputs, self.jvp)]
        return [(f"vjp[{i}]", x) for i, x in zip(self.inputs, self.vjp)]

    @property
    def numbers(self):
        return [*zip(self.outputs, self.values), *self.entries()]


def sweep_at(program, point, m=FloatMath):
    """Every node's value at `point` in the number type `m`, with its warnings and notes."""
    values = forward(program, point_values(program, point, m), m)
    return (values, *diagnosis(program, values, m))


def diagnosis(program, values, m=FloatMath):
    """The warnings (where a value first went non-finite) and the convention notes of one
    sweep's values."""
    return nonfinite_warnings(program, values, [], [m.zero], m), _notes(program, values, m)


def _notes(program, values, m):
    """A convention note for every non-differentiable point met on a live path to an output."""
    said = convention_notes(program, values, m)
    pairs = program.graph.label_pairs() if said else None
    return [f"{describe(program, i, pairs)}: {what}" for i, what in said]


def _derivative_warnings(program, values, result, m):
    """One warning when some derivative is not finite though every value is: the first node
    (in creation order) with a non-finite local partial, as the user wrote it (the partials
    computed again from `values`, only then)."""
    bad = [label for label, x in result.entries() if not m.isfinite(x)]
    if not bad or result.warnings:
        return
    found = f"not finite: {', '.join(bad)}"
    for i, d in enumerate(local_partials(program, values, m)):
        if d is not None and not all(m.isfinite(x) for x in d):
            k = next(k for k, x in enumerate(d) if not m.isfinite(x))
            where = f"; the local partial of {describe(program, i)} to argument {k + 1} is {format_number(d[k])}"
            result.warnings.append(Located(found + where, program.source, program.position(i)))
            return
    result.warnings.append(found)


def require_inputs_of(names, valid, option, what):
    """Every name of a --dir or --seed is one of `valid` (one program: exit 2 otherwise)."""
    unknown = [n for n in names if n not in valid]
    if unknown:
        raise UsageError(f"{option} {', '.join(unknown)}: not an {what} of the program ({what}s: {', '.join(valid) or 'none'})")


# -- the sweeps, over any number type (engine.tiers stages them in float64) ---------------


def columns_sweep(program, s, x):
    """Forward mode at input values x: [every value, then per input the outputs' tangents]."""
    values, columns = tangent_sweep(program, x, [{i: s.one} for i in program.input_ids], s)
    return [values, *([t[o] for o in program.outputs] for t in columns)]


def rows_sweep(program, s, x):
    """Reverse mode at input values x: [every value, then per output the inputs' adjoints]."""
    values = forward(program, x, s)
    rows = adjoint_sweep(program, values, [{o: s.one} for o in program.outputs], s)
    return [values, *([adj[i] for i in program.input_ids] for adj in rows)]


def jvp_sweep(program, s, x, v):
    """J·v at input values x along v (input order): [every value, the outputs' tangents]."""
    values, (t,) = tangent_sweep(program, x, [dict(zip(program.input_ids, v))], s)
    return [values, [t[o] for o in program.outputs]]


def jacobian(program, point, mode="auto", m=FloatMath):
    """Every output's value and the Jacobian: forward mode carries the n inputs' tangents
    through one fused forward sweep (a column each), reverse mode the m outputs' adjoints
    through one reverse sweep (a row each); every local partial is computed once."""
    if mode not in MODES:
        raise UsageError(f"unknown mode {mode!r}: use {', '.join(MODES)}")
    ids, outs = program.input_ids, program.outputs
    if mode == "auto":
        mode = "forward" if len(ids) < len(outs) else "reverse"
    inputs = point_values(program, point, m)
    if mode == "forward":
        values, *columns = tiered(program, "jacobian forward", partial(columns_sweep, program), [inputs], [VALUE], m)
        matrix = [[column[k] for column in columns] for k in range(len(outs))]
    else:
        values, *matrix = tiered(program, "jacobian reverse", partial(rows_sweep, program), [inputs], [VALUE], m)
    sweeps = len(ids) if mode == "forward" else len(outs)  # directions carried, or adjoint sweeps
    result = FirstOrder(program, values, *diagnosis(program, values, m), sweeps, mode)
    result.jacobian = matrix
    _derivative_warnings(program, values, result, m)
    return result


def jvp(program, point, direction, m=FloatMath):
    """The values and J·v by one fused forward sweep of values and tangents (tangent_sweep);
    `direction` maps input names to v (left out: 0)."""
    require_inputs_of(direction, program.input_names, "--dir", "input")
    v = [m.number(direction[n]) if n in direction else m.zero for n in program.input_names]
    values, jv = tiered(program, "jvp", partial(jvp_sweep, program), [point_values(program, point, m), v], [VALUE, VALUE], m)
    result = FirstOrder(program, values, *diagnosis(program, values, m), 1, "forward")
    result.jvp = jv
    _derivative_warnings(program, values, result, m)
    return result


def output_weights(program, seed, m=FloatMath):
    """u by output name: `seed` checked, or u = 1 for a program's one output (with several,
    exit 2: the weights are needed)."""
    names = program.output_names
    if seed is None:
        if len(names) > 1:
            raise UsageError(f"--seed is needed with several outputs: give the weights u, e.g. --seed {names[0]}=1 (outputs: {', '.join(names)})")
        seed = {names[0]: m.one}
    require_inputs_of(seed, names, "--seed", "output")
    return seed


def vjp(program, point, seed=None, m=FloatMath):
    """The values and u·J by the gradient's own reverse sweep (engine.reverse) seeded with u;
    `seed` maps output names to u (left out: 0; with one output it may be left out
    altogether: u = 1)."""
    names = program.output_names
    seed = output_weights(program, seed, m)
    weights = {}
    for name, node in zip(names, program.outputs):
        if name in seed:
            weights[node] = weights[node] + m.number(seed[name]) if node in weights else m.number(seed[name])
    inputs = point_values(program, point, m)
    source = Store(program, Forward(program, inputs, m))
    source.forward()
    adj, _, said = reverse_sweep(program, source, m, seed=weights)
    values = source.values
    pairs = program.graph.label_pairs() if said else None
    notes = [f"{describe(program, i, pairs)}: {what}" for i, what in sorted(said)]
    result = FirstOrder(program, values, nonfinite_warnings(program, values, [], [m.zero], m), notes, 1, "reverse")
    result.vjp = [adj[i] for i in program.input_ids]
    _derivative_warnings(program, values, result, m)
    return result
