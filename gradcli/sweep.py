"""The forward sweep (Algorithm 6.1) and the reverse sweep (Algorithm 6.2) over a Program.

Forward: every node's value, in creation order (a topological order).
Reverse: adjoint(output) = 1; then, for each node from the output down, every edge into it
gets its local partial d child / d parent once, and adjoint(parent) += adjoint(child) × partial.
The work is one rule call per node and one multiply-add per edge.

Only edges on a path from an input carry a partial: an edge out of a constant (the 2 in x^2)
is a structural zero, kept as None, never computed, and never a source of warnings.
"""

import math

from .errors import UsageError
from .numerics import FloatMath
from .ops import OPS


class Result:
    """Everything one evaluation computed: the tables print all of it."""

    def __init__(self, program, values, adjoints, partials, contributions, warnings, notes):
        self.program = program
        self.values = values
        self.adjoints = adjoints
        self.partials = partials  # per edge, in Graph.edges() order; None = structural zero
        self.contributions = contributions
        self.warnings = warnings  # messages about nodes that went non-finite
        self.notes = notes  # messages about non-differentiable points where a convention applied

    @property
    def value(self):
        return self.values[self.program.output]

    @property
    def gradient(self):
        """d output / d input for every input, in order of first appearance."""
        adj = self.adjoints
        return {name: adj[i] for name, i in zip(self.program.input_names, self.program.input_ids)}


def point_values(program, point):
    """The value of every input, from a mapping name -> float; all missing names in one error."""
    missing = [name for name in program.input_names if name not in point]
    if missing:
        example = ",".join(f"{name}=..." for name in missing)
        raise UsageError(
            f"no value for input{'s' if len(missing) > 1 else ''} {', '.join(missing)}: add --at {example}"
        )
    return [float(point[name]) for name in program.input_names]


def forward(program, inputs, m=FloatMath):
    """Algorithm 6.1: the value of every node, given the input values in program order."""
    graph = program.graph
    kernels = {name: getattr(m, name) for name in OPS}
    by_input = dict(zip(program.input_ids, inputs))
    values = [0.0] * len(graph)
    data = graph.data
    for i, (op, ps) in enumerate(zip(graph.op, graph.parents)):
        n = len(ps)
        if n == 1:
            values[i] = kernels[op](values[ps[0]])
        elif n == 2:
            values[i] = kernels[op](values[ps[0]], values[ps[1]])
        elif n:
            values[i] = kernels[op](*[values[p] for p in ps])
        elif op == "const":
            values[i] = m.const(data[i])
        else:
            values[i] = by_input[i]
    return values


def reverse(program, values, m=FloatMath):
    """Algorithm 6.2: every node's adjoint, and every edge's local partial and contribution."""
    graph = program.graph
    out = program.output
    parents, ops = graph.parents, graph.op
    n = len(graph)
    offset = [0] * (n + 1)
    total = 0
    for i, ps in enumerate(parents):
        offset[i] = total
        total += len(ps)
    offset[n] = total
    partials = [None] * total
    contributions = [None] * total
    adjoints = [0.0] * n
    adjoints[out] = 1.0
    active = graph.depends_on_input()
    relevant = graph.ancestors(out)
    rules = {name: op.partials for name, op in OPS.items()}
    # Conventions at non-differentiable points are reported for scalars; a vector of points
    # (numpy) applies the same conventions inside its kernels without naming each point.
    kinks = {name: op.kink for name, op in OPS.items() if op.kink} if m is FloatMath else {}
    notes = []
    for i in range(out, -1, -1):
        ps = parents[i]
        if not ps or not (relevant[i] and active[i]):
            continue
        op = ops[i]
        y = values[i]
        xs = [values[p] for p in ps]
        local = rules[op](m, y, *xs)
        if op in kinks:
            said = kinks[op](y, *xs)
            if said:
                notes.append((i, said))  # worded by evaluate(), which has the labels
        a = adjoints[i]
        e = offset[i]
        for k, p in enumerate(ps):
            if active[p]:
                d = local[k]
                c = a * d
                partials[e + k] = d
                contributions[e + k] = c
                adjoints[p] += c
    return adjoints, partials, contributions, notes


def evaluate(program, point):
    """One forward and one reverse sweep at `point` (a mapping input name -> number)."""
    values = forward(program, point_values(program, point))
    adjoints, partials, contributions, notes = reverse(program, values)
    warnings = nonfinite_warnings(program, values, partials, contributions, adjoints)
    if notes:
        labels = program.graph.labels()
        notes = [f"{describe(program, i, labels)}: {said}" for i, said in notes]
    return Result(program, values, adjoints, partials, contributions, warnings, notes)


def nonfinite_warnings(program, values, partials, contributions, adjoints):
    """Name the node where the forward sweep first went non-finite, and the edge where the
    reverse sweep did, in the user's own terms (the subexpression and its position)."""
    isfinite = math.isfinite
    found = []
    graph = program.graph
    if not isfinite(sum(values)):
        for i, ps in enumerate(graph.parents):
            if not isfinite(values[i]) and all(isfinite(values[p]) for p in ps):
                found.append(f"{describe(program, i)} is {_word(values[i])} in the forward sweep")
                break
    if not isfinite(sum(c for c in contributions if c is not None)):
        offsets = {}
        e = 0
        for i, ps in enumerate(graph.parents):
            offsets[i] = e
            e += len(ps)
        for i in range(program.output, -1, -1):
            ps = graph.parents[i]
            if not ps or not isfinite(adjoints[i]):
                continue
            for k, p in enumerate(ps):
                c = contributions[offsets[i] + k]
                if c is None or isfinite(c):
                    continue
                d = partials[offsets[i] + k]
                if not (isfinite(values[i]) and all(isfinite(values[q]) for q in ps)):
                    continue  # already reported by the forward sweep
                a = adjoints[i]
                if a == 0 and not isfinite(d):
                    why = f"0 × {_word(d)} (adjoint 0 times local partial {_word(d)})"
                elif not isfinite(d):
                    why = f"its local partial is {_word(d)}"
                else:
                    why = f"the product {a!r} × {d!r} overflows"
                found.append(
                    f"the reverse sweep went {_word(c)} on the edge into {describe(program, i)} "
                    f"from argument {k + 1}: {why}"
                )
                return found
    return found


def _word(x):
    return "nan" if x != x else ("inf" if x > 0 else "-inf")


def describe(program, node, labels=None):
    """`sin(w) (column 5)`: a node as the user wrote it, with where it first occurs."""
    from .errors import locate

    text = (labels or program.graph.labels())[node]
    pos = program.position(node)
    if pos is None:
        return text
    line, col, _ = locate(program.source, pos)
    where = f"line {line}, column {col}" if "\n" in program.source.strip() else f"column {col}"
    return f"{text} ({where})"
