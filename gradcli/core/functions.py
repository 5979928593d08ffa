"""User functions: a definition's body as a small graph of its own, and what a call costs.

A definition costs nothing until it is called; the sizes measured here let the compiler refuse
a call whose inlined size would pass the limit before any of its nodes is built.
"""

from .graph import Graph

_NONE = float("inf")  # "no parameter reachable", in `UserFunction.reach`


class UserFunction:
    """A user function: its parameters, its body as a graph of its own, and two sizes.

    `most` is an upper bound on the nodes one call creates: a sum over the body's nodes, a call
    node counting its callee's `most` (hash-consing at the call site can only lower it).
    `least` is a lower bound on the length of a chain of distinct non-leaf nodes in any
    expansion of a call (a chain's nodes have strictly increasing heights, so no hash-consing
    can merge them). Both are Python ints, exact however large (2^k at the k-th level of
    `f1(t) = f0(f0(t)) ...`). `depends` is a bit mask of the parameters the result depends on
    and `reach` the least length of a path from the result down to one of them.
    """

    __slots__ = ("name", "params", "pos", "body", "result", "most", "least", "depends", "reach")

    def __init__(self, name, params, pos):
        self.name = name
        self.params = params
        self.pos = pos
        self.body = Graph()
        self.result = None

    def measure(self):
        """Compute `most`, `least`, `depends` and `reach` in one pass over the body."""
        body = self.body
        n = len(body)
        most = 0
        least, mask, reach = [0] * n, [0] * n, [_NONE] * n
        for i, op in enumerate(body.op):
            ps = body.parents[i]
            if op == "param":
                mask[i], reach[i] = 1 << body.data[i], 0
            elif op == "outer":
                continue  # an existing main-graph node: nothing created
            elif op == "const":
                most += 1
            elif op.__class__ is UserFunction:
                most += op.most
                low, m, r = op.least, 0, _NONE
                for k, p in enumerate(ps):
                    if op.depends >> k & 1:
                        low = max(low, op.reach + least[p])
                        if mask[p]:
                            m |= mask[p]
                            r = min(r, op.reach + reach[p])
                least[i], mask[i], reach[i] = low, m, r
            else:
                most += 1
                m, r = 0, _NONE
                for p in ps:
                    if mask[p]:
                        m |= mask[p]
                        r = min(r, reach[p])
                least[i] = 1 + max(least[p] for p in ps)
                mask[i], reach[i] = m, r + 1
        res = self.result
        self.most, self.least, self.depends, self.reach = most, least[res], mask[res], reach[res]
