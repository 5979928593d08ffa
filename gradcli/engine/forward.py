"""The forward sweep (Algorithm 6.1): every node's value, in creation order (a topological order).

One routine, `Forward.run`, serves every strategy over any ascending list of nodes, so a
recomputed value is the stored value, bit for bit. Values are numbers of a number type `m`
(numbers/): float64 scalars, numpy columns, graph nodes.
"""


from ..core.errors import MissingInputs
from ..core.ops import OPS
from ..numbers.float64 import FloatMath


def point_values(program, point, m=FloatMath):
    """The value of every input in the number type `m`, from a mapping name -> number; all
    missing names in one error."""
    missing = [name for name in program.input_names if name not in point]
    if missing:
        raise MissingInputs(missing)
    return [m.number(point[name]) for name in program.input_names]


class Forward:
    """Algorithm 6.1 over any ascending list of nodes: the one forward routine every strategy
    runs, so a recomputed value is the stored value, bit for bit."""

    def __init__(self, program, inputs, m=FloatMath):
        graph = program.graph
        self.op, self.parents, self.data = graph.op, graph.parents, graph.data
        self.kernels = {name: getattr(m, name) for name in OPS}
        self.const = m.const
        self.by_input = dict(zip(program.input_ids, map(m.number, inputs)))

    def run(self, values, order, uses=None, keep=()):
        """Compute the nodes of `order` into `values` (a list, or a dict that holds only live
        values). With `uses` (each node's remaining uses by nodes still to compute) a value is
        freed after its last use unless it is in `keep`. Returns (op evaluations, peak held)."""
        kernels, op, parents, data, const, by_input = (
            self.kernels, self.op, self.parents, self.data, self.const, self.by_input)
        leaves = 0
        peak = len(values)
        for i in order:
            ps = parents[i]
            n = len(ps)
            if n == 1:
                values[i] = kernels[op[i]](values[ps[0]])
            elif n == 2:
                values[i] = kernels[op[i]](values[ps[0]], values[ps[1]])
            elif n:
                values[i] = kernels[op[i]](*[values[p] for p in ps])
            else:
                leaves += 1
                values[i] = const(data[i]) if op[i] == "const" else by_input[i]
            if uses is not None:
                if len(values) > peak:
                    peak = len(values)
                for p in ps:
                    uses[p] -= 1
                    if not uses[p] and p not in keep:
                        del values[p]
        return len(order) - leaves, max(peak, len(values))


def forward(program, inputs, m=FloatMath):
    """Algorithm 6.1: the value of every node, given the input values in program order."""
    values = [0.0] * len(program.graph)
    Forward(program, inputs, m).run(values, range(len(values)))
    return values
