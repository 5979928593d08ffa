"""The forward sweep (Algorithm 6.1) and the reverse sweep (Algorithm 6.2) over a Program.

Forward: every node's value, in creation order (a topological order).
Reverse: adjoint(output) = 1; then, for each node from the output down, every edge into it
gets its local partial d child / d parent once, and adjoint(parent) += adjoint(child) × partial.
The work is one rule call per node and one multiply-add per edge.

The gradient needs only the edges on a path from an input to the output, so the gradient
sweep skips the rest: an edge out of a node that depends on no input (the 2 in 2*w) keeps None
there, and is never a source of warnings or notes. The full sweep (`full=True`, what the
tables, JSON, explain and graph --backward show) also gives those edges their local partial
(d(2*w)/d2 = w) and those nodes their true adjoint; a node the output does not depend on has
adjoint exactly 0. For every node that does depend on an input, both sweeps do the same float
operations in the same order, so the gradient is the same bit for bit.

Where the reverse sweep gets its values from is a strategy (the book's store-or-recompute
trade-off): `store` keeps every forward value; `recompute` keeps none and re-runs the forward
sweep from the inputs whenever the reverse sweep needs a node; `checkpoint` keeps the values
live at about sqrt(n) boundaries and recomputes one segment at a time. All three run the same
forward routine and the same reverse loop, so they do the same float operations in the same
order and agree bit for bit; only the work and the values held differ, and they count both.
"""

import math
import weakref
from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property
from time import perf_counter

from ..core.errors import Located, MissingInputs, UsageError, where
from ..numbers.float64 import FloatMath
from ..core.ops import OPS


GRADIENT, CONSTANT, UNUSED = "gradient", "constant", "unused"  # a node's or an edge's role


class Result:
    """Everything one evaluation computed: the tables print all of it."""

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


def point_values(program, point):
    """The value of every input, from a mapping name -> float; all missing names in one error."""
    missing = [name for name in program.input_names if name not in point]
    if missing:
        raise MissingInputs(missing)
    return [FloatMath.number(point[name]) for name in program.input_names]


# -- the forward sweep -------------------------------------------------------------------


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


# -- the reverse sweep -------------------------------------------------------------------


def reverse(program, values, m=FloatMath, full=False):
    """Algorithm 6.2: (adjoints, local partials per edge, convention notes); with `full`, every
    edge's partial and every node's true adjoint (see the module docstring)."""
    return _reverse(program, Store(program, None, values), m, full)


def _reverse(program, source, m, full=False):
    """The reverse loop; `source.load(i)` supplies values for node i and its parents (a full
    sweep needs them all: Store). Notes come from the gradient's nodes only."""
    graph = program.graph
    out = program.output
    parents, ops = graph.parents, graph.op
    active, order, offset = plan(program)
    partials = [None] * offset[-1]
    adjoints = [m.zero] * len(graph)
    adjoints[out] = m.one
    live = [None] * len(graph) if _plans[program][4] else None  # None: no select, all live
    if live is not None:
        live[out] = m.true
    rules, kinks = _rules(m)
    notes = []
    lo = out + 1  # the values at hand serve nodes lo..; below that, ask the source
    if full:
        relevant = graph.ancestors(out)
        needed = bytearray(a and r for a, r in zip(active, relevant))
        order = [i for i in range(len(graph) - 1, -1, -1) if parents[i]]
        lo = len(graph)
    takes = b"\x01" * len(graph) if full else active  # which parents an edge's product reaches
    for i in order:
        ps = parents[i]
        if i < lo:
            lo, values = source.load(i)
        op = ops[i]
        y = values[i]
        if len(ps) == 1:
            local = rules[op](m, y, values[ps[0]])
        elif len(ps) == 2:
            local = rules[op](m, y, values[ps[0]], values[ps[1]])
        else:
            local = rules[op](m, y, *[values[p] for p in ps])
        e = offset[i]
        if full and not relevant[i]:  # the output does not depend on i: its parents get nothing
            partials[e:e + len(ps)] = local
            continue
        if live is None:  # no select: every visited node is live
            a = adjoints[i]
            for k, p in enumerate(ps):
                if takes[p]:
                    d = local[k]
                    partials[e + k] = d
                    adjoints[p] += a * d
        elif not _live_edges(m, i, op, ps, values, local, live, takes, adjoints, partials, e):
            continue  # reached only through dead branches of a select: it contributes nothing
        if op in kinks and (not full or needed[i]):
            said = kinks[op](y, *[values[p] for p in ps], active=[active[p] for p in ps])
            if said:
                notes.append((i, said))  # worded by evaluate(), which has the labels
    return adjoints, partials, notes


def node_roles(program):
   """Per node: GRADIENT (on a path from an input to the output: the gradient sweep visits
   it), CONSTANT (the output depends on it, but it depends on no input: the gradient does not
   need it) or UNUSED (the output does not depend on it: its adjoint is 0)."""
   graph = program.graph
   relevant, active = graph.ancestors(program.output), graph.depends_on_input()
   return [GRADIENT if a and r else CONSTANT if r else UNUSED for a, r in zip(active, relevant)]


def edge_roles(program, roles=None):
   """Per edge: UNUSED into a node the output does not depend on, CONSTANT out of a node that
   depends on no input, else GRADIENT (the edges whose products make the gradient)."""
   roles = roles or node_roles(program)
   return [UNUSED if roles[child] == UNUSED else roles[parent]
           for parent, child, _ in program.graph.edges()]


def _live_edges(m, i, op, ps, values, local, live, active, adjoints, partials, e):
    """Node i's edges in a graph with a select: every partial is recorded, but a contribution
    passes only where node i is live (reached from the output by a path through no dead branch
    of a select) and the edge passes liveness on; elsewhere it is exactly 0, never 0 × nan.
    `m.known` lets a scalar skip the work; a column or a graph node is masked by `m.where`.
    Returns whether node i is live anywhere."""
    lv = live[i]
    reached = lv is not None and m.known(lv) is not False
    a = adjoints[i]
    for k, p in enumerate(ps):
        if active[p]:
            d = local[k]
            partials[e + k] = d
            if not reached:
                continue
            passed = _passed(m, lv, op, k, values[ps[0]])
            state = m.known(passed)
            if state is False:
                continue
            c = a * d
            adjoints[p] += c if state else m.where(passed, c, m.zero)
            old = live[p]
            live[p] = passed if old is None or m.known(old) is False else (
                old if m.known(old) else m.where(old, m.true, passed))
    return reached


def _passed(m, lv, op, k, c):
    """The liveness that node i (live where `lv`) passes along its edge k: all of it, except
    that select(c, a, b) passes none to c (its derivative there is 0) and to each branch only
    where that branch is taken."""
    if op != "select":
        return lv
    if k == 0:
        return m.false
    taken = m.gt(c, m.zero)
    return m.where(lv, taken if k == 1 else m.where(taken, m.false, m.true), m.false)


def dead_edges(program, values):
    """Per edge (Graph.edges() order), whether the float64 reverse sweep left its contribution
    out as dead (see _live_edges): what Result.contributions shows as exactly 0."""
    graph = program.graph
    active, order, offset = plan(program)
    dead = [False] * offset[-1]
    if not _plans[program][4]:
        return dead
    live = [False] * len(graph)
    live[program.output] = True
    for i in range(len(graph) - 1, -1, -1):  # every edge, constants' too (a full sweep shows them)
        ps = graph.parents[i]
        for k, p in enumerate(ps):
            if live[i] and _passed(FloatMath, True, graph.op[i], k, values[ps[0]]):
                live[p] = True
            else:
                dead[offset[i] + k] = True
    return dead


_plans = weakref.WeakKeyDictionary()


def plan(program):
    """What the reverse sweep needs of the graph alone, computed once per program (a batch
    evaluates one program at many points): which nodes depend on an input, the nodes the
    sweep visits (the output's ancestors that depend on an input and have parents, from the
    output down) and each node's first edge (see edge_offsets)."""
    graph = program.graph
    cached = _plans.get(program)
    if cached is None or cached[0] != len(graph):  # a symbolic sweep may have grown the graph
        active = graph.depends_on_input()
        relevant = graph.ancestors(program.output)
        parents = graph.parents
        order = [i for i in range(program.output, -1, -1) if relevant[i] and active[i] and parents[i]]
        selects = "select" in graph.op
        cached = _plans[program] = (len(graph), active, order, edge_offsets(graph), selects)
    return cached[1:4]


def _rules(m):
    """The op table's partial rules, and, for float64 scalars, the conventions to report (a
    vector of points applies the same conventions inside its kernels without naming each)."""
    rules = {name: op.partials for name, op in OPS.items()}
    kinks = {name: op.kink for name, op in OPS.items() if op.kink} if m is FloatMath else {}
    return rules, kinks


def edge_offsets(graph):
    """offset[i]: the index in Graph.edges() order of node i's first edge (offset[n] = all)."""
    offset = [0] * (len(graph) + 1)
    total = 0
    for i, ps in enumerate(graph.parents):
        offset[i] = total
        total += len(ps)
    offset[-1] = total
    return offset


def differentiate(program, inputs, strategy="store"):
    """The output value and the reverse sweep's (adjoints, partials, notes)
    by `strategy`, and the strategy object with its own counts and phase times."""
    try:
        source = STRATEGIES[strategy](program, Forward(program, inputs))
    except KeyError:
        raise UsageError(f"unknown strategy {strategy!r}: use {', '.join(STRATEGIES)}") from None
    t0 = perf_counter()
    value = source.forward()
    t1 = perf_counter()
    swept = _reverse(program, source, FloatMath)
    source.times = (t1 - t0, perf_counter() - t1)
    return value, swept, source


def evaluate(program, point, strategy="store", stats=False, full=False):
    """A forward and a reverse sweep at `point` (a mapping input name -> number); the tables'
    values come from the sweep under `store`, else from a forward sweep after it (not counted).
    Warnings, notes and stats are the gradient sweep's; with `full`, a second reverse sweep
    over the stored values (not counted) fills in every edge's partial and every adjoint."""
    inputs = point_values(program, point)
    _, (adjoints, partials, notes), source = differentiate(program, inputs, strategy)
    values = source.values if strategy == "store" else forward(program, inputs)
    warnings = nonfinite_warnings(program, values, partials, adjoints)
    if notes:
        pairs = program.graph.label_pairs()
        notes = [f"{describe(program, i, pairs)}: {said}" for i, said in notes]
    counted = count_stats(program, source, partials, strategy) if stats else None
    if full:
        adjoints, partials, _ = reverse(program, values, full=True)
    return Result(program, values, adjoints, partials, warnings, notes, counted)


# -- what the sweep cost, and what the chain rule without sharing would cost -------------


@dataclass
class Stats:
    """Figures the evaluator counted while it ran, and the unshared chain rule's size."""

    strategy: str
    nodes: int
    edges: int
    forward_ops: int  # op evaluations in the forward sweep
    recomputed_ops: int  # op evaluations the reverse sweep asked for again
    partials: int  # local partials the rules computed
    multiply_adds: int  # adjoint(parent) += adjoint(child) × partial, one per edge used
    peak_values: int  # most node values held at once
    segments: int | None  # checkpoint segments (checkpoint only)
    forward_seconds: float
    reverse_seconds: float
    paths: int  # input -> output paths: the terms of the fully expanded chain rule
    tree_size: int  # nodes of the output's expression written as a tree, nothing shared


def count_stats(program, source, partials, strategy):
    """A Stats from the strategy's counters and the partials the reverse sweep filled in."""
    graph = program.graph
    offset = edge_offsets(graph)
    computed = sum(
        len(graph.parents[i]) for i in range(len(graph))
        if any(partials[e] is not None for e in range(offset[i], offset[i + 1]))
    )
    paths, tree_size = unshared_cost(program)
    return Stats(
        strategy, len(graph), offset[-1], source.forward_ops, source.recomputed_ops, computed,
        sum(1 for d in partials if d is not None), source.peak, source.segments, *source.times,
        paths, tree_size,
    )


def unshared_cost(program):
    """(paths, tree size) by dynamic programming from the output down, with exact integers.

    paths[j] counts the paths from node j up to the output, one per edge (so `x*x` gives x two):
    the fully expanded chain rule has one product term per path from an input, and the
    expression written as a tree has one occurrence of j per path, so its size is the sum."""
    graph, out = program.graph, program.output
    parents, ops = graph.parents, graph.op
    paths = [0] * (out + 1)
    paths[out] = 1
    terms = size = 0
    for i in range(out, -1, -1):
        k = paths[i]
        if not k:
            continue
        paths[i] = 0  # free the big integer as soon as it has been passed on
        size += k
        for p in parents[i]:
            paths[p] += k
        if ops[i] == "input":
            terms += k
    return terms, size


# -- warnings in the user's words --------------------------------------------------------


def nonfinite_warnings(program, values, partials, adjoints):
    """Name the node where the forward sweep first went non-finite, and the edge where the
    reverse sweep did, in the user's own terms (the subexpression and its position)."""
    isfinite = math.isfinite
    found = []
    graph = program.graph
    if not isfinite(sum(values)):
        for i, ps in enumerate(graph.parents):
            if not isfinite(values[i]) and all(isfinite(values[p]) for p in ps):
                if graph.op[i] == "input":
                    found.append(f"the input {graph.data[i]} is {_word(values[i])} in the forward sweep")
                else:
                    what = f"{describe(program, i)} is {_word(values[i])} in the forward sweep"
                    found.append(_located(program, i, what))
                break
    # a non-finite contribution leaves its parent's adjoint non-finite, so finite adjoints
    # mean there is nothing to report
    if not isfinite(sum(adjoints)):
        offsets = edge_offsets(graph)
        for i in range(program.output, -1, -1):
            ps = graph.parents[i]
            if not ps or not isfinite(adjoints[i]):
                continue
            for k, p in enumerate(ps):
                d = partials[offsets[i] + k]
                if d is None or isfinite(c := adjoints[i] * d):
                    continue
                if not (isfinite(values[i]) and all(isfinite(values[q]) for q in ps)):
                    continue  # already reported by the forward sweep
                a = adjoints[i]
                if a == 0 and not isfinite(d):
                    why = f"0 × {_word(d)} (adjoint 0 times local partial {_word(d)})"
                elif not isfinite(d):
                    why = f"its local partial is {_word(d)}"
                else:
                    why = f"the product {a!r} × {d!r} overflows"
                found.append(_located(
                    program, i,
                    f"the reverse sweep went {_word(c)} on the edge into {describe(program, i)} "
                    f"from argument {k + 1}: {why}",
                ))
                return found
    return found


def _located(program, node, message):
    """The message, knowing where `node` first occurs (for the caret the CLI draws under it)."""
    return Located(message, program.source, program.position(node))


def _word(x):
    return "nan" if x != x else ("inf" if x > 0 else "-inf")


def describe(program, node, pairs=None):
    """`sin(w) (line 1, column 5)`, or `z = log(y - 2) (line 2, column 5)` for a named node: a
    node as the user wrote it, with where it first occurs. `pairs` is graph.label_pairs(), when
    the caller describes many nodes."""
    from ..core.graph import expression_text

    graph = program.graph
    pairs = pairs or graph.label_pairs()
    text = pairs[node][0]
    if node in graph.names and graph.parents[node]:
        text = f"{text} = {expression_text(graph.op[node], [pairs[p] for p in graph.parents[node]])[0]}"
    pos = program.position(node)
    if pos is None:
        return text
    return f"{text} ({where(program.source, pos)})"
