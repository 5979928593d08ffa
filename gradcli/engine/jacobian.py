"""Several outputs: the Jacobian by forward or reverse sweeps, J·v and u·J, over one DAG.

One forward sweep gives every node's value; the op table's rules give every local partial once
(engine.tangent.LocalPartials); then forward mode costs one tangent sweep per input (a column
of J), reverse mode one adjoint sweep per output (a row). `auto` takes the fewer sweeps.
"""

from ..core.errors import Located, UsageError
from ..core.ops import OPS
from ..numbers.float64 import FloatMath
from ..numbers.text import format_number
from .diagnostics import describe, nonfinite_warnings
from .forward import forward, point_values
from .tangent import LocalPartials

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
    """Values and the table of local partials at `point` in the number type `m`, with
    warnings and notes."""
    values = forward(program, point_values(program, point, m), m)
    lp = LocalPartials(program, values, m)
    return values, lp, nonfinite_warnings(program, values, [], [m.zero], m), _notes(program, lp)


def _notes(program, lp):
    """A convention note for every non-differentiable point met on a live path to an output."""
    live, values, pairs, notes = lp.live(), lp.values, None, []
    for i, d in enumerate(lp.local):
        rule = OPS[lp.op[i]].kink if d is not None else None
        if rule and live[i]:
            ps = lp.parents[i]
            said = rule(values[i], *[values[p] for p in ps], active=[lp.active[p] for p in ps])
            if said:
                pairs = pairs or program.graph.label_pairs()
                notes.append(f"{describe(program, i, pairs)}: {said}")
    return notes


def _derivative_warnings(program, lp, result):
    """One warning when some derivative is not finite though every value is: the first node
    (in creation order) with a non-finite local partial, as the user wrote it."""
    isfinite = lp.m.isfinite
    bad = [label for label, x in result.entries() if not isfinite(x)]
    if not bad or result.warnings:
        return
    found = f"not finite: {', '.join(bad)}"
    for i, d in enumerate(lp.local):
        if d is not None and not all(isfinite(x) for x in d):
            k = next(k for k, x in enumerate(d) if not isfinite(x))
            where = f"; the local partial of {describe(program, i)} to argument {k + 1} is {format_number(d[k])}"
            result.warnings.append(Located(found + where, program.source, program.position(i)))
            return
    result.warnings.append(found)


def require_inputs_of(names, valid, option, what):
    """Every name of a --dir or --seed is one of `valid` (one program: exit 2 otherwise)."""
    unknown = [n for n in names if n not in valid]
    if unknown:
        raise UsageError(f"{option} {', '.join(unknown)}: not an {what} of the program ({what}s: {', '.join(valid) or 'none'})")


def jacobian(program, point, mode="auto", m=FloatMath):
    """Every output's value and the Jacobian, by n tangent sweeps or m adjoint sweeps (in the
    number type `m`)."""
    if mode not in MODES:
        raise UsageError(f"unknown mode {mode!r}: use {', '.join(MODES)}")
    values, lp, warnings, notes = sweep_at(program, point, m)
    ids, outs = program.input_ids, program.outputs
    if mode == "auto":
        mode = "forward" if len(ids) < len(outs) else "reverse"
    if mode == "forward":
        columns = [lp.tangents({i: m.one}) for i in ids]
        matrix = [[t[o] for t in columns] for o in outs]
        sweeps = len(ids)
    else:
        rows = [lp.adjoints({o: m.one}) for o in outs]
        matrix = [[adj[i] if i < len(adj) else m.zero for i in ids] for adj in rows]
        sweeps = len(outs)
    result = FirstOrder(program, values, warnings, notes, sweeps, mode)
    result.jacobian = matrix
    _derivative_warnings(program, lp, result)
    return result


def jvp(program, point, direction, m=FloatMath):
    """The values and J·v by one tangent sweep; `direction` maps input names to v (left out: 0)."""
    require_inputs_of(direction, program.input_names, "--dir", "input")
    values, lp, warnings, notes = sweep_at(program, point, m)
    by_id = dict(zip(program.input_names, program.input_ids))
    t = lp.tangents({by_id[n]: m.number(v) for n, v in direction.items()})
    result = FirstOrder(program, values, warnings, notes, 1, "forward")
    result.jvp = [t[o] for o in program.outputs]
    _derivative_warnings(program, lp, result)
    return result


def vjp(program, point, seed=None, m=FloatMath):
    """The values and u·J by one adjoint sweep; `seed` maps output names to u (left out: 0;
    with one output it may be left out altogether: u = 1)."""
    names = program.output_names
    if seed is None:
        if len(names) > 1:
            raise UsageError(f"--seed is needed with several outputs: give the weights u, e.g. --seed {names[0]}=1 (outputs: {', '.join(names)})")
        seed = {names[0]: 1.0}
    require_inputs_of(seed, names, "--seed", "output")
    values, lp, warnings, notes = sweep_at(program, point, m)
    weights = {}
    for name, node in zip(names, program.outputs):
        if name in seed:
            weights[node] = weights.get(node, m.zero) + m.number(seed[name])
    adj = lp.adjoints(weights)
    result = FirstOrder(program, values, warnings, notes, 1, "reverse")
    result.vjp = [adj[i] if i < len(adj) else m.zero for i in program.input_ids]
    _derivative_warnings(program, lp, result)
    return result
