"""Drawing the forward graph G and the backprop graph B: Graphviz DOT, Mermaid, a rich tree.

G has a node per distinct subexpression and an edge parent -> child per argument slot, so a
shared node is drawn once with all its edges (`x*x` gives two edges x -> x*x). B (the book's
figure 6.10) has one edge child -> parent for every edge of G, labelled with its local partial;
its nodes carry adjoints, one per output when there are several (every output is marked). Constants are in B too (in `2*w`, ∂(2*w)/∂2 = w); a node or edge the
gradient does not need is marked so in words (and dashed in DOT). Given a point, values, adjoints and partials are
numbers; without one, B is drawn in symbols. Everything is in node-id order, so the same
program always draws the same text, and nothing recurses: 10^5-node programs draw in a breath.
"""

from ..derived.explain import definition, output_symbol, symbol
from ..engine.reverse import edge_offsets, edge_roles, node_roles
from ..numbers.text import format_number
from . import renders
from .text import ROLE_WORDS


class Drawing:
    """The nodes and edges of G or B, each with its lines of text. `results` holds one full
    Result per output (derived.explain.output_results), or None to draw in symbols; with
    several outputs every output is marked, and in B each node has an adjoint per output."""

    def __init__(self, program, results=None, backward=False, digits=4):
        self.program, self.results, self.backward, self.digits = program, results, backward, digits
        graph = self.graph = program.graph
        self.pairs = graph.label_pairs()
        several = len(program.outputs) > 1
        self.zs = [output_symbol(self.pairs, program, k) if several else symbol(self.pairs, o)
                   for k, o in enumerate(program.outputs)]
        self.shown = bytearray(b"\x01") * len(graph)
        singles = [program.single(k) for k in range(len(program.outputs))]
        self.roles = [r.roles for r in results] if results else [node_roles(p) for p in singles]
        self.edge_roles = ([r.edge_roles for r in results] if results else
                           [edge_roles(p, roles) for p, roles in zip(singles, self.roles)])

    def number(self, x):
        return format_number(x, self.digits)

    def node_lines(self, i):
        """`x = sin(w)`, then its value in G, or its adjoint ∂z/∂x in B (one line per output,
        each with its role in words when the output's gradient does not need the node)."""
        lines = [definition(self.graph, self.pairs, i)]
        rs = self.results
        if self.backward:
            for k, z in enumerate(self.zs):
                adjoint = f"∂{z}/∂{symbol(self.pairs, i)}" + (f" = {self.number(rs[k].adjoints[i])}" if rs else "")
                words = ROLE_WORDS.get(self.roles[k][i])
                if len(self.zs) == 1:
                    lines += [adjoint] + ([f"({words})"] if words else [])
                else:
                    lines.append(adjoint + (f" ({words})" if words else ""))
        elif rs:
            lines.append(f"= {self.number(rs[0].values[i])}")
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
            return text + (f" = {self.number(self.results[0].partials[e])}" if self.results else "")
        return f"arg {slot + 1}" if len(parents) > 1 else ""

    def nodes(self):
        """(id, lines) for every node drawn, in id order."""
        return [(i, self.node_lines(i)) for i in range(len(self.graph)) if self.shown[i]]

    def edges(self):
        """(from, to, label, needed) in Graph.edges() order; B's point from child to parent;
        `needed` is False for an edge of B that no output's gradient needs."""
        out = []
        for e, (parent, child, slot) in enumerate(self.graph.edges()):
            if self.shown[parent] and self.shown[child]:
                label = self.edge_label(parent, child, slot, e)
                needed = not self.backward or any(roles[e] not in ROLE_WORDS for roles in self.edge_roles)
                out.append((child, parent, label, needed) if self.backward else (parent, child, label, needed))
        return out

    def needed(self, i):
        """Does some output's gradient need node i (always, in G: the mark is B's)?"""
        return not self.backward or any(roles[i] not in ROLE_WORDS for roles in self.roles)

    def outputs(self):
        """The output nodes, each once, in output order."""
        return list(dict.fromkeys(self.program.outputs))


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
    outputs = set(drawing.outputs())
    for i, lines in drawing.nodes():
        extra = ", peripheries=2" if i in outputs else ""
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
    out.append(f"  class {','.join(f'n{i}' for i in drawing.outputs())} output")
    return "\n".join(out) + "\n"


def tree(drawing, max_depth=12):
    """A rich Tree from the output down to the inputs (several outputs: one branch each under
    a root naming them); a shared node is expanded where it is first shown and later appears
    as a reference. Built with an explicit stack, and cut at `max_depth` levels (None: no
    limit), since each level indents the lines below it."""
    from rich.text import Text
    from rich.tree import Tree

    graph = drawing.graph
    parents, shown = graph.parents, drawing.shown
    offset = edge_offsets(graph)
    names, outputs = drawing.program.output_names, drawing.program.outputs
    if len(outputs) == 1:
        root = Tree(Text(drawing.text(outputs[0])))
        stack = [(outputs[0], root, 0)]
    else:
        root = Tree(Text(f"{len(outputs)} outputs ({', '.join(names)})"))
        stack = [(o, root.add(Text(f"[output {name}] {drawing.text(o)}")), 0) for name, o in zip(names, outputs)][::-1]
    seen = set()
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
