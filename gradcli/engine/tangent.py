"""Accumulation modes over the op table's local partials: tangents forward, adjoints in reverse.

`tangent_sweep` is forward mode in one pass: each node's value (its kernel, as the forward
sweep computes it), its local partials (the op table's rule, called once with the number type
`m`) and its tangents (Σ partial × tangent(parent): one multiply-add per edge and direction),
so J·v costs about two forward sweeps more than the values alone and every further direction
one multiply-add per edge. `adjoint_sweep` is reverse mode over one forward sweep's values,
any number of output weightings at once, each node's partials computed once there.
`local_partials` gives every local partial of one point, to name a non-finite one. All skip
edges out of nodes that depend on no input (their tangent and adjoint contribution are
exactly 0), and all pass a select's derivative through its taken branch only, so a dead
branch's nan never leaks: the same conventions as the gradient.
"""

import weakref

from ..core.ops import OPS
from ..numbers.float64 import FloatMath

KINKS = {name: op.kink for name, op in OPS.items() if op.kink}


def _rules():
    """Each op's local-partial rule, read from the op table at each sweep (as engine.reverse
    does), so a rule replaced in the table (a test's planted wrong rule) is the one used."""
    return {name: op.partials for name, op in OPS.items()}

_plans = weakref.WeakKeyDictionary()


def plan(program):
    """What the sweeps need of the graph alone, computed once per program (a batch or --points
    sweeps one program at many points): `needed[i]` (node i depends on an input, has parents
    and reaches an output: it has local partials), `active`, the needed nodes whose op has a
    convention to report, whether the graph has a select, and the needed nodes in order."""
    graph = program.graph
    cached = _plans.get(program)
    if cached is None or cached[0] != len(graph):
        active = graph.depends_on_input()
        relevant = graph.ancestors(*program.outputs)
        needed = bytearray(a and r and bool(ps) for a, r, ps in zip(active, relevant, graph.parents))
        nodes = [i for i in range(len(graph)) if needed[i]]
        kinked = [i for i in nodes if graph.op[i] in KINKS]
        cached = _plans[program] = (len(graph), needed, active, kinked, "select" in graph.op, nodes)
    return cached[1:]


def tangent_sweep(program, inputs, seeds, m=FloatMath):
    """Forward mode fused with the forward sweep: (every node's value, per seed the tangents
    d node / dt along x + t·v). `inputs` are the input values in program order (in `m`); each
    of `seeds` maps input ids to one direction v's components (left out: 0). Each node's
    local partials are computed once, whatever the number of directions."""
    graph = program.graph
    op, parents, data = graph.op, graph.parents, graph.data
    needed, active = plan(program)[:2]
    kernels, rules = {name: getattr(m, name) for name in OPS}, _rules()
    const, zero = m.const, m.zero
    by_input = dict(zip(program.input_ids, inputs))
    values = [zero] * len(graph)
    ts = [[zero] * len(graph) for _ in seeds]
    for i, ps in enumerate(parents):
        o = op[i]
        if len(ps) == 1:
            a = ps[0]
            x = values[a]
            y = values[i] = kernels[o](x)
            if needed[i]:
                d = rules[o](m, y, x)[0]
                for t in ts:
                    t[i] = d * t[a]
        elif len(ps) == 2:
            a, b = ps
            x, z = values[a], values[b]
            y = values[i] = kernels[o](x, z)
            if needed[i]:
                d, e = rules[o](m, y, x, z)
                if not active[b]:
                    for t in ts:
                        t[i] = d * t[a]
                elif not active[a]:
                    for t in ts:
                        t[i] = e * t[b]
                else:
                    for t in ts:
                        t[i] = d * t[a] + e * t[b]
        elif ps:
            xs = [values[p] for p in ps]
            y = values[i] = kernels[o](*xs)
            if needed[i]:
                d = rules[o](m, y, *xs)
                for t in ts:
                    t[i] = _combine(m, o, ps, d, active, t)
        elif o == "const":
            values[i] = const(data[i])
        else:
            values[i] = by_input[i]
            for t, seed in zip(ts, seeds):
                t[i] = seed.get(i, zero)
    return values, ts


def _combine(m, op, ps, d, active, t):
    """Σ partial × tangent(parent) over the active parents, in order; a select's tangent is
    its taken branch's."""
    if op == "select":
        return t[ps[_branch(m, d)]]
    s = None
    for k, p in enumerate(ps):
        if active[p]:
            s = d[k] * t[p] if s is None else s + d[k] * t[p]
    return s


def _branch(m, d):
    """The slot of the branch a select takes, from its local partials (one to the branch
    taken, zero to the other)."""
    return 1 if m.known(m.eq(d[1], m.one)) else 2


def convention_notes(program, values, m=FloatMath):
    """(node, what was said) for every non-differentiable point met on a live path to an
    output (reached by a path through no dead branch of a select), in creation order."""
    needed, active, kinked, selects = plan(program)[:4]
    if not kinked or not getattr(m, "names_conventions", False):
        return []
    live = _live(program, values, m) if selects else needed
    parents, op = program.graph.parents, program.graph.op
    notes = []
    for i in kinked:
        if live[i]:
            ps = parents[i]
            said = KINKS[op[i]](values[i], *[values[p] for p in ps], active=[active[p] for p in ps])
            if said:
                notes.append((i, said))
    return notes


def _live(program, values, m):
    """Per node: does some output reach it through needed nodes and no dead select branch?"""
    graph = program.graph
    needed = plan(program)[0]
    live = bytearray(len(graph))
    for node in program.outputs:
        live[node] = 1
    for i in range(max(program.outputs), -1, -1):
        if live[i] and needed[i]:
            ps = graph.parents[i]
            if graph.op[i] == "select":
                ps = [ps[1 if m.known(m.gt(values[ps[0]], m.zero)) else 2]]
            for p in ps:
                live[p] = 1
    return live


def local_partials(program, values, m=FloatMath):
    """Every local partial the outputs' derivatives need, at one point: entry i is node i's
    tuple (one per parent) when i depends on an input, has parents and reaches an output,
    else None (to name the first partial that is not finite)."""
    graph = program.graph
    parents, op, rules = graph.parents, graph.op, _rules()
    local = [None] * len(graph)
    for i in plan(program)[4]:
        local[i] = rules[op[i]](m, values[i], *[values[p] for p in parents[i]])
    return local


def adjoint_sweep(program, values, seeds, m=FloatMath):
    """Reverse mode over one forward sweep's `values`: per seed (output node -> weight u),
    every node's adjoint d (u·outputs) / d node. Each node's local partials come from the op
    table's rule once, in the sweep, for all seeds; a node reached only through dead branches
    keeps adjoint 0. With one output seeded 1 these are the gradient sweep's float operations
    in its order, so a Jacobian row is the gradient bit for bit."""
    graph = program.graph
    parents, op, rules = graph.parents, graph.op, _rules()
    _, active, _, _, nodes = plan(program)
    reached = bytearray(len(graph))  # some seed's row is live here
    rows = []
    for seed in seeds:
        adj, live = [m.zero] * len(graph), bytearray(len(graph))
        for node, u in seed.items():
            adj[node] += u
            live[node] = reached[node] = 1
        rows.append((adj, live))
    for i in reversed(nodes):
        if not reached[i]:
            continue
        ps = parents[i]
        if len(ps) == 1:
            p = ps[0]
            d = rules[op[i]](m, values[i], values[p])[0]
            for adj, live in rows:
                if live[i]:
                    adj[p] += adj[i] * d
                    live[p] = 1
            reached[p] = 1
            continue
        if len(ps) == 2 and active[ps[0]] and active[ps[1]] and op[i] != "select":  # most nodes
            p, q = ps
            d, e = rules[op[i]](m, values[i], values[p], values[q])
            for adj, live in rows:
                if live[i]:
                    a = adj[i]
                    adj[p] += a * d
                    adj[q] += a * e
                    live[p] = live[q] = 1
            reached[p] = reached[q] = 1
            continue
        d = rules[op[i]](m, values[i], *[values[p] for p in ps])
        if op[i] == "select":
            k = _branch(m, d)
            slots = [k] if active[ps[k]] else []
        else:
            slots = [k for k, p in enumerate(ps) if active[p]]
        for adj, live in rows:
            if live[i]:
                a = adj[i]
                for k in slots:
                    adj[ps[k]] += a * d[k]
                    live[ps[k]] = 1
        for k in slots:
            reached[ps[k]] = 1
    return [adj for adj, _ in rows]
