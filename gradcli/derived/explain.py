"""The reverse sweep written out step by step, as a worked textbook exercise.

Algorithm 6.2 sets grad_table[output] = 1 and then, from the output down, gives each node
the sum over its children of grad_table[child] × ∂child/∂node. gradcli's reverse sweep does
the same arithmetic pushed the other way (each child adds its contributions into its parents),
so each node's adjoint is exactly the sum of its incoming contributions, added in the order
the sweep added them: that is the order shown, so the printed sum is the printed adjoint.

With several outputs the forward sweep runs once and the reverse sweep once per output, over
the same values: each sweep is one output's adjoints, and its gradient a row of the Jacobian.

`explain()` builds the steps as data; render/explain.py words them.
"""

from dataclasses import dataclass

from ..core.graph import ATOM, expression_text
from ..engine.evaluate import evaluate, sweep_back
from ..engine.reverse import UNUSED, edge_offsets
from ..numbers.float64 import FloatMath


@dataclass
class Term:
    """One edge node -> child: adjoint(child) × local partial ∂child/∂node = contribution."""

    child: int
    slot: int  # which argument of the child the node is
    partial: float
    contribution: float


@dataclass
class Step:
    """One node of the reverse sweep: its adjoint as the sum of its terms (none for the output)."""

    node: int
    terms: list


class Explanation:
    """The forward sweep's nodes and the reverse sweep's steps, in Algorithm 6.2's order.

    Every node has a step, constants included (the 2 in 2*w: ∂z/∂2 = w), marked when the
    gradient does not need it; a node the output does not depend on has adjoint 0."""

    def __init__(self, result, point, named=False):
        self.result = result
        self.point = point
        program = result.program
        graph = program.graph
        out = program.output
        roles = result.roles
        self.pairs = graph.label_pairs()
        # the output after ∂; `named` (several outputs): by its own name where it has one
        self.z = output_symbol(self.pairs, program, 0) if named else symbol(self.pairs, out)
        self.forward = [i for i in range(len(graph)) if graph.op[i] != "const" or i in graph.names]
        offset = edge_offsets(graph)
        terms = {}
        for child in range(out, -1, -1):  # the sweep's order: children downwards, slots in order
            if roles[child] == UNUSED:
                continue
            for slot, p in enumerate(graph.parents[child]):
                e = offset[child] + slot
                terms.setdefault(p, []).append(Term(child, slot, result.partials[e], result.contributions[e]))
        self.steps = [Step(out, [])] + [
            Step(i, terms.get(i, [])) for i in range(len(graph) - 1, -1, -1) if i != out
        ]
        self.unreached = [name for name, i in zip(program.input_names, program.input_ids) if roles[i] == UNUSED]

    @property
    def warnings(self):
        return self.result.warnings

    @property
    def notes(self):
        return self.result.notes

    def symbol(self, i):
        return symbol(self.pairs, i)

    def definition(self, i):
        return definition(self.result.program.graph, self.pairs, i)


def symbol(pairs, i):
    """A node as it appears after ∂: its name, or its expression in parentheses."""
    text, prec = pairs[i]
    return text if prec == ATOM else f"({text})"


def output_symbol(pairs, program, k):
    """Output k after ∂ when there are several: its own name where the node is known by
    another (`--of x,y` with y = x: ∂y/∂w, not ∂x/∂w twice), else symbol()."""
    name, node = program.output_names[k], program.outputs[k]
    return name if program.assigned.get(name) == node else symbol(pairs, node)


def definition(graph, pairs, i):
    """`x = sin(w)` for a named node, the expression itself for the others (pairs:
    Graph.label_pairs())."""
    text = pairs[i][0]
    if i in graph.names and graph.parents[i]:
        return f"{text} = {expression_text(graph.op[i], [pairs[p] for p in graph.parents[i]])[0]}"
    return text


class Explanations:
    """Several outputs: one Explanation per output, all over the one forward sweep's values."""

    def __init__(self, results, point):
        self.parts = [Explanation(r, point, named=True) for r in results]
        self.names = [r.program.output_names[0] for r in results]
        self.warnings, self.notes = messages(results)


def output_results(program, point, m=FloatMath):
    """One full Result per output of `program`, in order: one forward sweep, then one reverse
    sweep per output (and its full sweep) over the same values."""
    first = evaluate(program.single(0), point, full=True, m=m)
    return [first] + [sweep_back(program.single(k), first.values, m, full=True) for k in range(1, len(program.outputs))]


def messages(results):
    """The warnings and the notes of several sweeps, each said once, in order."""
    return ([*dict.fromkeys(w for r in results for w in r.warnings)],
            [*dict.fromkeys(n for r in results for n in r.notes)])


def explain(program, point, m=FloatMath):
    """Evaluate `program` at `point` (in the number type `m`) and lay out its reverse sweep
    step by step: an Explanation, or with several outputs an Explanations of one per output."""
    if len(program.outputs) == 1:
        return Explanation(evaluate(program, point, full=True, m=m), point)
    return Explanations(output_results(program, point, m), point)
