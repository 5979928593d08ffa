"""Accumulation modes over one table of local partials: tangents forward, adjoints in reverse.

The op table's rules are called once per node (`local_partials`); after that a forward-mode
sweep (J·v: tangent(child) = Σ partial × tangent(parent), in creation order) and a reverse-mode
sweep (u·J: adjoint(parent) += adjoint(child) × partial, from the outputs down) each cost one
multiply-add per edge. Both skip edges out of nodes that depend on no input (their tangent and
their adjoint contribution are exactly 0), and both pass a select's derivative through its
taken branch only, so a dead branch's nan never leaks: the same conventions as the gradient.
With one output seeded 1, `adjoint_sweep` does the gradient sweep's float operations in its
order, so a Jacobian row is the gradient bit for bit.
"""

from ..core.ops import OPS
from ..numbers.float64 import FloatMath


class LocalPartials:
    """Every local partial the outputs' derivatives need, at one point: `local[i]` is node i's
    tuple (one per parent) when i depends on an input, has parents and reaches an output."""

    def __init__(self, program, values, m=FloatMath):
        graph = program.graph
        self.program, self.values, self.m = program, values, m
        self.parents, self.op = graph.parents, graph.op
        self.active = graph.depends_on_input()
        relevant = graph.ancestors(*program.outputs)
        rules = {name: op.partials for name, op in OPS.items()}
        local = [None] * len(graph)
        for i, ps in enumerate(self.parents):
            if ps and relevant[i] and self.active[i]:
                local[i] = rules[self.op[i]](m, values[i], *[values[p] for p in ps])
        self.local = local
        self.top = max(program.outputs)

    def branch(self, i):
        """The slot of the branch select node i takes (its partial is one, the other's zero)."""
        return 1 if self.m.known(self.m.eq(self.local[i][1], self.m.one)) else 2

    def tangents(self, seed):
        """Forward mode: every node's tangent d node / dt along x + t·v, `seed` mapping input
        ids to v's components (left out: 0). One multiply-add per edge."""
        m, parents, op, active, local = self.m, self.parents, self.op, self.active, self.local
        t = [m.zero] * (self.top + 1)
        for i, v in seed.items():
            if i <= self.top:
                t[i] = v
        for i in range(self.top + 1):
            d = local[i]
            if d is None:
                continue
            ps = parents[i]
            if op[i] == "select":
                t[i] = t[ps[self.branch(i)]]
                continue
            s = None
            for k, p in enumerate(ps):
                if active[p]:
                    s = d[k] * t[p] if s is None else s + d[k] * t[p]
            t[i] = s
        return t

    def adjoints(self, seed):
        """Reverse mode: every node's adjoint d (u·outputs) / d node, `seed` mapping output
        nodes to their weights u. A node reached only through dead branches keeps adjoint 0."""
        m, parents, op, active, local = self.m, self.parents, self.op, self.active, self.local
        adj = [m.zero] * (self.top + 1)
        live = bytearray(self.top + 1)
        for node, u in seed.items():
            adj[node] += u
            live[node] = 1
        for i in range(self.top, -1, -1):
            d = local[i]
            if d is None or not live[i]:
                continue
            a, ps = adj[i], parents[i]
            if op[i] == "select":
                p = ps[self.branch(i)]
                live[p] = 1
                if active[p]:
                    adj[p] += a * d[self.branch(i)]
                continue
            for k, p in enumerate(ps):
                if active[p]:
                    adj[p] += a * d[k]
                    live[p] = 1
        return adj

    def live(self):
        """Per node: does some output reach it by a path through no dead branch of a select
        (where a convention met matters, so a note is due)?"""
        live = bytearray(self.top + 1)
        for node in self.program.outputs:
            live[node] = 1
        for i in range(self.top, -1, -1):
            if live[i] and self.local[i] is not None:
                ps = self.parents[i]
                for p in ([ps[self.branch(i)]] if self.op[i] == "select" else ps):
                    live[p] = 1
        return live
