"""Where the reverse sweep gets its values from: the book's store-or-recompute trade-off.

`store` keeps every forward value; `recompute` keeps none and re-runs the forward sweep from
the inputs whenever the reverse sweep needs a node; `checkpoint` keeps the values live at about
sqrt(n) boundaries and recomputes one segment at a time. All three run the same forward routine
and the same reverse loop, so they do the same float operations in the same order and agree
bit for bit; only the work and the values held differ, and they count both.
"""

import math
from bisect import bisect_right

# -- where the reverse sweep gets its values: the strategies -----------------------------


class Store:
    """Keep every forward value: Algorithm 6.2 as the book states it, fastest, n values held."""

    segments = None

    def __init__(self, program, fw, values=None):
        self.program, self.fw, self.values = program, fw, values
        self.recomputed_ops = 0

    def forward(self):
        self.values = [0.0] * len(self.program.graph)
        self.forward_ops, self.peak = self.fw.run(self.values, range(len(self.values)))
        return self.values[self.program.output]

    def load(self, i):
        """(lo, values): values good for nodes lo..i and their parents."""
        return 0, self.values


class _Sparse:
    """A strategy that holds values in a dict and frees each after its last use. Only the
    output's ancestors are computed: nothing else can reach the value or the gradient."""

    segments = None

    def __init__(self, program, fw):
        self.program, self.fw = program, fw
        self.recomputed_ops = 0
        self.held = {}
        graph, out = program.graph, program.output
        relevant = graph.ancestors(out)
        self.order = [i for i in range(out + 1) if relevant[i]]
        self.uses = [0] * (out + 1)
        for c in self.order:
            for p in graph.parents[c]:
                self.uses[p] += 1

    def _forward(self, keep):
        self.forward_ops, self.peak = self.fw.run(self.held, self.order, list(self.uses), keep)
        return self.held[self.program.output]

    def _recomputed(self, ops, peak):
        self.recomputed_ops += ops
        self.peak = max(self.peak, peak)


class Recompute(_Sparse):
    """Keep no intermediate value: for each node of the reverse sweep, re-run the forward
    sweep from the inputs over that node's ancestors (the book's fully expanded form).
    Few values held; O(n²) op evaluations on a chain."""

    def forward(self):
        value = self._forward({self.program.output})
        self.held.clear()
        return value

    def load(self, i):
        """Node i and its parents, by a forward sweep over i's ancestors that frees each value
        after its last use."""
        parents = self.program.graph.parents
        uses = [0] * (i + 1)
        order = []
        for j in range(i, -1, -1):
            if uses[j] or j == i:
                order.append(j)
                for p in parents[j]:
                    uses[p] += 1
        order.reverse()
        self.held.clear()
        self._recomputed(*self.fw.run(self.held, order, uses, {i, *parents[i]}))
        return i, self.held


class Checkpoint(_Sparse):
    """Cut the topological order into about sqrt(n) segments; the forward sweep keeps only the
    values live at a segment boundary; the reverse sweep recomputes one segment at a time from
    them (Griewank's checkpointing). O(sqrt n) values held, one extra forward sweep of work."""

    def __init__(self, program, fw):
        """Plan the segments (this depends on the graph only, not on the point)."""
        super().__init__(program, fw)
        order, parents = self.order, program.graph.parents
        self.size = size = math.isqrt(max(len(order) - 1, 0)) + 1  # ceil(sqrt(n))
        self.segments = -(-len(order) // size)
        self.starts = order[::size]
        position = {i: k for k, i in enumerate(order)}
        last = {}
        for k, c in enumerate(order):
            for p in parents[c]:
                last[p] = k
        # the values live at some boundary: used in a later segment than their own
        self.pinned = {p for p, k in last.items() if k // size > position[p] // size}
        self.pinned.add(program.output)
        self.loaded = None

    def forward(self):
        return self._forward(self.pinned)

    def load(self, i):
        held, order, size = self.held, self.order, self.size
        k = bisect_right(self.starts, i) - 1
        if self.loaded is not None:  # the later segments are done: their values go
            for j in order[(k + 1) * size:(self.loaded + 1) * size]:
                held.pop(j, None)
        self.loaded = k
        ops, _ = self.fw.run(held, order[k * size:(k + 1) * size])
        self._recomputed(ops, len(held))
        return self.starts[k], held


STRATEGIES = {"store": Store, "recompute": Recompute, "checkpoint": Checkpoint}
