"""Tiered sweeps: a program's float64 sweep runs interpreted, and staged once that pays.

A sweep written over the number type runs as it is with FloatMath; run once over a
numbers.staged Tape it becomes a compiled function giving the same numbers bit for bit, at
a fraction of the cost per call, but building that function costs about 250 µs a node
(W2 at 1,000 steps, 3,001 nodes: 0.7 s, against 12 ms for one interpreted H·v). So each
program's sweeps of one kind run interpreted until the CPU time spent on them reaches what
staging is expected to cost, and staged from then on (ski rental: with a right estimate the
whole costs at most about twice what the better choice made in hindsight would). A one-off
call never stages; a loop of J·v or H·v over one program does, through the API or as
`--points` runs it. Programs above STAGED_NODES stay interpreted: compiling holds about 8 KB
a node while it runs.
"""

import time
import weakref

from ..core.ops import OPS
from ..numbers.float64 import FloatMath
from ..numbers.staged import Tape, Unstageable

STAGING_SECONDS_PER_NODE = 250e-6
STAGED_NODES = 20_000

_tiers = weakref.WeakKeyDictionary()


class _Tier:
    __slots__ = ("spent", "staged")

    def __init__(self):
        self.spent, self.staged = 0.0, None  # staged: None (not yet), a function, or False (never)


def tiered(program, key, sweep, arguments, kinds, m=FloatMath):
    """`sweep(m, *arguments)`, a list of lists of numbers; in float64, from the sweep's staged
    function once it pays. `key` names the sweep and whatever of its shape is not in the
    arguments; `arguments` are sequences of numbers, and `kinds` their kinds in the staged
    sweep (numbers.staged.VALUE, or TANGENT where numbers.dual tests a tangent for zero)."""
    if m is not FloatMath:
        return sweep(m, *arguments)
    tiers = _tiers.get(program)
    if tiers is None:
        tiers = _tiers[program] = {}
    graph = program.graph
    # the op table's rows in use are part of the key: a test may plant a rule in the table
    key = (key, len(graph), tuple(len(a) for a in arguments), tuple(id(OPS[o]) for o in _ops(program)))
    tier = tiers.get(key)
    if tier is None:
        tier = tiers[key] = _Tier()
    if tier.staged:
        return tier.staged(*arguments)
    start = time.process_time()
    result = sweep(FloatMath, *arguments)
    tier.spent += time.process_time() - start
    if tier.staged is None and tier.spent >= STAGING_SECONDS_PER_NODE * len(graph):
        tier.staged = len(graph) <= STAGED_NODES and stage(sweep, [len(a) for a in arguments], kinds) or False
    return result


def stage(sweep, sizes, kinds):
    """The staged function of `sweep` for arguments of these sizes and kinds, or None when
    the sweep decides on values as it goes (a select's dead branch), or when there is not
    memory enough to compile it: staging is only ever a faster way to the same numbers."""
    tape = Tape()
    arguments = [[tape.argument(f"p{k}_{j}", kind) for j in range(n)] for k, (n, kind) in enumerate(zip(sizes, kinds))]
    try:
        return tape.function([(f"p{k}", parts) for k, parts in enumerate(arguments)], list(sweep(tape, *arguments)))
    except (Unstageable, MemoryError):
        return None


_ops_of = weakref.WeakKeyDictionary()


def _ops(program):
    """The ops of the program's graph (checked again if the graph has grown)."""
    size, ops = _ops_of.get(program, (None, None))
    if size != len(program.graph):
        ops = sorted(set(program.graph.op) & set(OPS))
        _ops_of[program] = (len(program.graph), ops)
    return ops
