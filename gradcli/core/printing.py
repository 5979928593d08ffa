"""DAG -> program text in gradcli's own language: the compiler run backwards.

A printed program reads back (through the compiler) to the same nodes: each node's text comes
from graph.expression_text, which parenthesises an operand exactly when its precedence is below
what its slot needs. A node used more than once gets an assignment, so shared structure stays
shared in the text (`t1 = cos(w)`), as does a node the user named; a small shared node (one
operation on names) is written again instead, since reading it back hash-conses it anyway.

Text is emitted from per-node templates with an explicit stack: no recursion however deep the
graph, and output linear in the text produced (in --inline mode, in the expanded size).
"""

from .graph import ATOM, expression_text, leaf_text

_HOLE = "\0"  # marks where a parent's text goes in a template; never in a name or number


def statements(graph, outputs, names=None, reserved=(), inline=False):
    """[(name, text)] assigning each output (name, node); a name of None, allowed last only,
    makes an expression statement. Assignments come first, in creation (topological) order.

    `names` (node -> name, default graph.names) keeps the user's names for the nodes that get
    statements; `reserved` are names invented ones must avoid. With `inline`, every output is
    one expression and nothing else is assigned.
    """
    names = graph.names if names is None else names
    roots = [node for _, node in outputs]
    needed = graph.ancestors(*roots)
    parents, ops, data = graph.parents, graph.op, graph.data
    order = [i for i in range(max(roots) + 1) if needed[i]]
    uses = [0] * (order[-1] + 1)
    for i in order:
        for p in parents[i]:
            uses[p] += 1
    for node in roots:
        uses[node] += 1

    taken = set(reserved) | set(names.values()) | {name for name, _ in outputs}
    taken.update(data[i] for i in order if ops[i] == "input")
    counter = 0
    atom = {}  # node -> its whole text when that is one token: a leaf, or a statement's name
    prec = {}
    template = {}
    assigned = []  # nodes that get a statement, ascending
    for i in order:
        ps = parents[i]
        if not ps:
            atom[i], prec[i] = leaf_text(ops[i], data[i])
            continue
        holes = [(f"{_HOLE}{k}{_HOLE}", prec[p]) for k, p in enumerate(ps)]
        text, prec[i] = expression_text(ops[i], holes)
        pieces = text.split(_HOLE)
        template[i] = [piece if k % 2 == 0 else ps[int(piece)] for k, piece in enumerate(pieces) if piece]
        if inline:
            continue
        small = len(ps) <= 2 and all(p in atom for p in ps)
        if i in names or (uses[i] > 1 and not small):
            name = names.get(i)
            while name is None or (i not in names and name in taken):
                counter += 1
                name = f"t{counter}"
            taken.add(name)
            atom[i], prec[i] = name, ATOM
            assigned.append(i)

    result = [(atom[i], _expand(i, atom, template)) for i in assigned]
    for name, node in outputs:
        if node in atom:
            if name != atom[node]:
                result.append((name, atom[node]))
        else:
            result.append((name, _expand(node, atom, template)))
    return result


def _expand(node, atom, template):
    """A node's text from its template, each parent's text filled in (a parent that is an atom:
    a leaf or a statement's name, by that name), with an explicit stack: no recursion."""
    out = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
        elif item in atom and item != node:
            out.append(atom[item])
        else:
            stack.extend(reversed(template[item]))
    return "".join(out)


def to_program(graph, outputs, names=None, reserved=(), inline=False):
    """The program text of `statements(...)`: one statement a line."""
    return program_text(statements(graph, outputs, names, reserved, inline))


def program_text(found):
    """Statements [(name, text)] as a program, one a line."""
    return "".join(f"{text}\n" if name is None else f"{name} = {text}\n" for name, text in found)


def node_count(graph, roots):
    """Distinct nodes the roots are computed from, themselves included: a program's size."""
    return sum(graph.ancestors(*roots))
