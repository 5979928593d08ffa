"""What the sweeps cost (their own counters), and what the chain rule without sharing would cost."""

from dataclasses import dataclass

from .reverse import edge_offsets

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
