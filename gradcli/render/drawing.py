"""Drawing the forward graph G and the backprop graph B: Graphviz DOT, Mermaid, a rich tree.

G has a node per distinct subexpression and an edge parent -> child per argument slot, so a
shared node is drawn once with all its edges (`x*x` gives two edges x -> x*x). B (the book's
figure 6.10) has one edge child -> parent for every edge of G, labelled with its local partial;
its nodes carry adjoints. Constants are in B too (in `2*w`, ∂(2*w)/∂2 = w); a node or edge the
gradient does not need is marked so in words (and dashed in DOT). Given a point, values, adjoints and partials are
numbers; without one, B is drawn in symbols. Everything is in node-id order, so the same
program always draws the same text, and nothing recurses: 10^5-node programs draw in a breath.
"""

from ..derived.explain import definition, symbol
from ..engine.reverse import edge_offsets, edge_roles, node_roles
from ..numbers.text import format_number
from . import renders
from .text import ROLE_WORDS


class Drawing:
    """The nodes and edges of G or B, each with its lines of text."""

    def __init__(self, program, result=None, backward=False, digits=4):
        self.program, self.result, self.backward, self.digits = program, result, backward, digits
        graph = self.graph = program.graph
        self.pairs = graph.label_pairs()
        self.z = symbol(self.pairs, program.output)
        self.shown = bytearray(b"\x01") * len(graph)
        self.roles = result.roles if result else node_roles(program)
        self.edge_roles = result.edge_roles if result else edge_roles(program, self.roles)

    def number(self, x):
        return format_number(x, self.digits)

    def node_lines(self, i):
        """`x = sin(w)`, then its value in G, or its adjoint ∂z/∂x in B."""
        lines = [definition(self.graph, self.pairs, i)]
        r = self.result
        if self.backward:
            lines.append(f"∂{self.z}/∂{symbol(self.pairs, i)}" + (f" = {self.number(r.adjoints[i])}" if r else ""))
            if self.roles[i] in ROLE_WORDS:
                lines.append(f"({ROLE_WORDS[self.roles[i]]})")
        elif r:
            lines.append(f"= {self.number(r.values[i])}")
        return lines

    def text(self, i):
        """The node's lines on one line (for the tree)."""
        return ("; " if self.backward else " ").join(self.node_lines(i))

    def edge_label(self, parent, child, slot, e):
        """B: the local partial ∂child/∂parent (= its number); G: the argument slot when the
        child has several arguments; else ""."""
        parents = self.graph.parents[child]
        if self.backward:
            text = f"∂{symbol(self.pairs, child)}/∂{symbol(self.pairs, parent)}"
            if parents.count(parent) > 1:  # x*x: two edges, one per argument, each its own partial
                text += f" (arg {slot + 1})"
            return text + (f" = {self.number(self.result.partials[e])}" if self.result else "")
        return f"arg {slot + 1}" if len(parents) > 1 else ""

    def nodes(self):
        """(id, lines) for every node drawn, in id order."""
        return [(i, self.node_lines(i)) for i in range(len(self.graph)) if self.shown[i]]

    def edges(self):
        """(from, to, label, needed) in Graph.edges() order; B's point from child to parent;
        `needed` is False for an edge of B the gradient does not need."""
        out = []
        for e, (parent, child, slot) in enumerate(self.graph.edges()):
            if self.shown[parent] and self.shown[child]:
                label = self.edge_label(parent, child, slot, e)
                needed = not self.backward or self.edge_roles[e] not in ROLE_WORDS
                out.append((child, parent, label, needed) if self.backward else (parent, child, label, needed))
        return out

    def needed(self, i):
        """Does the gradient need node i (always, in G: the mark is B's)?"""
        return not self.backward or self.roles[i] not in ROLE_WORDS


@renders("Drawing", "dot")
def dot(drawing):
    """Graphviz input: `dot -Tsvg`. The output sits at the top of both graphs."""
    def quoted(lines):
        text = "\n".join(lines).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{text}"'

    out = [
        f"digraph {'B' if drawing.backward else 'G'} {{",
        f"  rankdir={'TB' if drawing.backward else 'BT'};",
        '  node [shape=box, style=rounded, fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    output = drawing.program.output
    for i, lines in drawing.nodes():
        extra = ", peripheries=2" if i == output else ""
        extra += "" if drawing.needed(i) else ', style="rounded,dashed"'
        out.append(f"  n{i} [label={quoted(lines)}{extra}];")
    for a, b, label, needed in drawing.edges():
        attrs = ([f"label={quoted([label])}"] if label else []) + ([] if needed else ["style=dashed"])
        out.append(f"  n{a} -> n{b}" + (f" [{', '.join(attrs)}]" if attrs else "") + ";")
    out.append("}")
    return "\n".join(out) + "\n"


@renders("Drawing", "mermaid")
def mermaid(drawing):
    """A Mermaid flowchart: paste it into a ```mermaid block of a Markdown file."""
    def quoted(lines):
        text = "<br/>".join(
            line.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
            for line in lines
        )
        return f'"{text}"'

    out = [f"flowchart {'TB' if drawing.backward else 'BT'}"]
    for i, lines in drawing.nodes():
        out.append(f"  n{i}[{quoted(lines)}]")
    for a, b, label, _ in drawing.edges():
        out.append(f"  n{a} -->" + (f"|{quoted([label])}|" if label else "") + f" n{b}")
    out.append("  classDef output stroke-width:3px")
    out.append(f"  class n{drawing.program.output} output")
    return "\n".join(out) + "\n"


def tree(drawing, max_depth=12):
    """A rich Tree from the output down to the inputs; a shared node is expanded where it is
    first shown and later appears as a reference. Built with an explicit stack, and cut at
    `max_depth` levels (None: no limit), since each level indents the lines below it."""
    from rich.text import Text
    from rich.tree import Tree

    graph = drawing.graph
    parents, shown = graph.parents, drawing.shown
    offset = edge_offsets(graph)
    out = drawing.program.output
    root = Tree(Text(drawing.text(out)))
    seen = set()
    stack = [(out, root, 0)]
    while stack:
        i, branch, depth = stack.pop()
        kids = [(slot, p) for slot, p in enumerate(parents[i]) if shown[p]]
        if i in seen:
            if kids:
                branch.label.append("  ↑ shared: expanded above", "dim")
            continue
        seen.add(i)
        if kids and max_depth is not None and depth >= max_depth:
            branch.add(Text("… deeper levels not shown (--max-depth)", "dim"))
            continue
        pending = []
        for slot, p in kids:
            edge = drawing.edge_label(p, i, slot, offset[i] + slot)
            label = Text((f"[{edge}] " if edge else "") + drawing.text(p))
            pending.append((p, branch.add(label), depth + 1))
        stack.extend(reversed(pending))  # pop in argument order: first shown, first expanded
    return root


@renders("Drawing", "tree")
def tree_parts(drawing, max_depth=12):
    return [tree(drawing, max_depth)]
