"""The reverse sweep (Algorithm 6.2): adjoint(output) = 1; then, for each node from the output down,
every edge into it gets its local partial d child / d parent once, and adjoint(parent) +=
adjoint(child) × partial. One rule call per node and one multiply-add per edge.

The gradient needs only the edges on a path from an input to the output, so the gradient sweep
skips the rest: an edge out of a node that depends on no input (the 2 in 2*w) keeps None there,
and is never a source of warnings or notes. The full sweep (`full=True`, what the tables, JSON,
explain and graph --backward show) also gives those edges their local partial (d(2*w)/d2 = w)
and those nodes their true adjoint; a node the output does not depend on has adjoint exactly 0.
For every node that does depend on an input, both sweeps do the same float operations in the
same order, so the gradient is the same bit for bit. A select's dead branch passes no adjoint:
see _live_edges.
"""

import weakref

from ..core.ops import OPS
from ..numbers.float64 import FloatMath
from .strategies import Store

GRADIENT, CONSTANT, UNUSED = "gradient", "constant", "unused"  # a node's or an edge's role


# -- the reverse sweep -------------------------------------------------------------------


def reverse(program, values, m=FloatMath, full=False):
    """Algorithm 6.2: (adjoints, local partials per edge, convention notes); with `full`, every
    edge's partial and every node's true adjoint (see the module docstring)."""
    return reverse_sweep(program, Store(program, None, values), m, full)


def reverse_sweep(program, source, m, full=False, seed=None):
    """The reverse loop; `source.load(i)` supplies values for node i and its parents (a full
    sweep needs them all: Store). Notes come from the gradient's nodes only. `seed` maps
    output nodes to their weights u (by default the output, weight 1: the gradient); the
    adjoints are then those of u·outputs, and the inputs' are u·J."""
    graph = program.graph
    seed = seed or {program.output: m.one}
    parents, ops = graph.parents, graph.op
    active, order, offset, selects = plan(program, tuple(seed))
    partials = [None] * offset[-1]
    adjoints = [m.zero] * len(graph)
    live = [None] * len(graph) if selects else None  # None: no select, all live
    for node, u in seed.items():
        adjoints[node] = u
        if live is not None:
            live[node] = m.true
    rules, kinks = _rules(m)
    notes = []
    lo = max(seed) + 1  # the values at hand serve nodes lo..; below that, ask the source
    if full:
        relevant = graph.ancestors(*seed)
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
    active, order, offset, selects = plan(program)
    dead = [False] * offset[-1]
    if not selects:
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


def plan(program, roots=None):
    """What the reverse sweep needs of the graph alone, computed once per program and seeded
    outputs `roots` (default: the output; a batch evaluates one program at many points):
    which nodes depend on an input, the nodes the sweep visits (the roots' ancestors that
    depend on an input and have parents, from the top down), each node's first edge (see
    edge_offsets) and whether the graph has a select."""
    graph = program.graph
    roots = roots or (program.output,)
    cached = _plans.get(program)
    if cached is None or cached[0] != len(graph):  # a symbolic sweep may have grown the graph
        cached = _plans[program] = (len(graph), graph.depends_on_input(), edge_offsets(graph), "select" in graph.op, {})
    _, active, offset, selects, orders = cached
    if roots not in orders:
        relevant, parents = graph.ancestors(*roots), graph.parents
        orders[roots] = [i for i in range(max(roots), -1, -1) if relevant[i] and active[i] and parents[i]]
    return active, orders[roots], offset, selects


def _rules(m):
    """The op table's partial rules, and, for float64 scalars, the conventions to report (a
    vector of points applies the same conventions inside its kernels without naming each)."""
    rules = {name: op.partials for name, op in OPS.items()}
    named = getattr(m, "names_conventions", False)
    kinks = {name: op.kink for name, op in OPS.items() if op.kink} if named else {}
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
