"""Sparse Jacobians and Hessians: the structural pattern from the DAG, a greedy colouring, one
sweep per colour, and every entry recovered exactly (Gebremedhin, Manne and Pothen, "What
color is your Jacobian?", SIAM Review 2005).

- Jacobian: output k depends on input j structurally iff j is among k's ancestors. Columns (or
  rows) that share no row (column) get one colour (a distance-2 colouring); a tangent sweep
  seeded with the sum of a colour's columns (an adjoint sweep with the sum of its rows) gives
  each of their entries alone in its row. `auto` colours the side with fewer colours.
- Hessian: inputs p and q interact where they reach different arguments of a mul (a·b), any
  argument pair of another nonlinear op, or one argument of a nonlinear unary op twice (add,
  sub, neg are linear); a star colouring then lets one Hessian-vector product per colour
  (forward over reverse) give every entry directly, by symmetry where needed.
Dependency sets are bit masks over the inputs (Python ints), one per node, in creation order.
"""

from ..core.errors import UsageError
from ..engine.evaluate import evaluate, single_output
from ..engine.forward import forward, point_values
from ..engine.jacobian import MODES, FirstOrder, diagnosis
from ..engine.tangent import adjoint_sweep, tangent_sweep
from ..numbers.float64 import FloatMath
from .diff import compiled, require_inputs
from .hessian import SecondOrder, dual_sweep

_LINEAR = {"add", "sub", "neg"}


def _masks(program):
    """Per node, the bit mask of the inputs it depends on."""
    graph = program.graph
    bit = {node: 1 << k for k, node in enumerate(program.input_ids)}
    masks = [0] * len(graph)
    for i, ps in enumerate(graph.parents):
        m = bit.get(i, 0)
        for p in ps:
            m |= masks[p]
        masks[i] = m
    return masks


def _bits(mask):
    out = []
    while mask:
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out


def jacobian_pattern(program):
    """Per output, the list of the input positions it depends on."""
    masks = _masks(program)
    return [_bits(masks[o]) for o in program.outputs]


def hessian_pattern(program):
    """Per input position, the bit mask of the inputs it interacts with (symmetric)."""
    graph, masks = program.graph, _masks(program)
    rows = [0] * len(program.input_ids)
    relevant = graph.ancestors(program.output)
    for i, ps in enumerate(graph.parents):
        if not ps or not relevant[i] or graph.op[i] in _LINEAR:
            continue
        if graph.op[i] == "mul":
            pairs = [(masks[ps[0]], masks[ps[1]])]
        else:
            union = 0
            for p in ps:
                union |= masks[p]
            pairs = [(union, union)]
        for a, b in pairs:
            for p in _bits(a):
                rows[p] |= b
            for q in _bits(b):
                rows[q] |= a
    return rows


def distance2_colouring(lines, count):
    """Colours for `count` columns so that no two columns of one line (a list of columns)
    share a colour: greedy, in column order."""
    colour = [-1] * count
    lines_of = [[] for _ in range(count)]
    for line in lines:
        for j in line:
            lines_of[j].append(line)
    for j in range(count):
        taken = {colour[q] for line in lines_of[j] for q in line if q != j}
        c = 0
        while c in taken:
            c += 1
        colour[j] = c
    return colour


def star_colouring(adjacent):
    """A greedy star colouring of the graph `adjacent` (lists of neighbours, no self loops):
    a proper colouring in which every path on four vertices uses at least three colours."""
    colour = [-1] * len(adjacent)
    for v in range(len(adjacent)):
        forbidden = set()
        seen = {}  # colour -> how many of v's neighbours have it
        for w in adjacent[v]:
            if colour[w] >= 0:
                seen[colour[w]] = seen.get(colour[w], 0) + 1
        for w in adjacent[v]:
            if colour[w] >= 0:
                forbidden.add(colour[w])
            twice = colour[w] >= 0 and seen[colour[w]] > 1  # a path y - v - w - x through v
            for x in adjacent[w]:
                if x == v or colour[x] < 0:
                    continue
                if colour[w] < 0 or twice or any(colour[y] == colour[w] for y in adjacent[x] if y != w):
                    forbidden.add(colour[x])
        c = 0
        while c in forbidden:
            c += 1
        colour[v] = c
    return colour


class Sparsity:
    """What --stats says of a sparse computation: the pattern's size and the sweeps used."""

    def __init__(self, nonzeros, sweeps, dense_sweeps):
        self.nonzeros, self.sweeps, self.dense_sweeps = nonzeros, sweeps, dense_sweeps

    def items(self):
        return [("nonzeros", self.nonzeros), ("sweeps", self.sweeps), ("dense_sweeps", self.dense_sweeps),
                ("dense", self.sweeps >= self.dense_sweeps)]


def sparse_jacobian(program, point, mode="auto", m=FloatMath):
    """The Jacobian with one tangent sweep per column colour (or adjoint sweep per row colour),
    in the number type `m`."""
    if mode not in MODES:
        raise UsageError(f"unknown mode {mode!r}: use {', '.join(MODES)}")
    ids, outs = program.input_ids, program.outputs
    rows = jacobian_pattern(program)
    cols = [[] for _ in ids]
    for k, row in enumerate(rows):
        for j in row:
            cols[j].append(k)
    by_col, by_row = distance2_colouring(rows, len(ids)), distance2_colouring(cols, len(outs))
    ncol, nrow = max(by_col, default=-1) + 1, max(by_row, default=-1) + 1
    if mode == "auto":
        mode = "forward" if ncol <= nrow else "reverse"
    matrix = [[m.zero] * len(ids) for _ in outs]
    inputs = point_values(program, point, m)
    if mode == "forward":  # every colour's tangent through one fused forward sweep
        values, tangents = tangent_sweep(program, inputs, [{ids[j]: m.one for j in range(len(ids)) if by_col[j] == c}
                                                           for c in range(ncol)], m)
        for k, row in enumerate(rows):
            for j in row:
                matrix[k][j] = tangents[by_col[j]][outs[k]]
    else:  # every colour's adjoint through one reverse sweep
        values = forward(program, inputs, m)
        adjoints = adjoint_sweep(program, values, [{outs[k]: m.one for k in range(len(outs)) if by_row[k] == c}
                                                   for c in range(nrow)], m)
        for k, row in enumerate(rows):
            for j in row:
                matrix[k][j] = adjoints[by_row[k]][ids[j]]
    result = FirstOrder(program, values, *diagnosis(program, values, m), ncol if mode == "forward" else nrow, mode)
    result.jacobian = matrix
    result.sparsity = Sparsity(sum(map(len, rows)), result.sweeps, min(len(ids), len(outs)))
    return result


def sparse_hessian(program, point, m=FloatMath):
    """The Hessian with one Hessian-vector product per colour of a star colouring, in the
    number type `m`."""
    program = compiled(program)
    single_output(program, "hessian", "pick one with --of NAME")
    require_inputs(program)
    result = evaluate(program, point, m=m)
    n = len(program.input_ids)
    rows = [_bits(r) for r in hessian_pattern(program)]
    colour = star_colouring([[q for q in row if q != p] for p, row in enumerate(rows)])
    ncolours = max(colour, default=-1) + 1
    inputs = point_values(program, point, m)
    products = [dual_sweep(program, inputs, [m.one if colour[j] == c else m.zero for j in range(n)], m)
                for c in range(ncolours)]
    matrix = [[m.zero] * n for _ in range(n)]
    for p, row in enumerate(rows):
        alone = {}  # colour -> whether one column of row p has it
        for q in row:
            alone[colour[q]] = colour[q] not in alone
        for q in row:  # directly from q's colour's product, else by symmetry from p's
            matrix[p][q] = products[colour[q]][p] if alone[colour[q]] else products[colour[p]][q]
    s = SecondOrder(result, hessian=matrix)
    s.sparsity = Sparsity(sum(map(len, rows)), ncolours, n)
    return s

