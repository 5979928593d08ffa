"""A compiled program: its DAG, its outputs, its inputs in order of first appearance."""

from .errors import UsageError


class Program:
    """A compiled program: its DAG, its output nodes with their names, and the input names in
    order. `output` is the first output: what every single-output sweep uses (a program with
    several outputs is refused there: engine.evaluate.single_output)."""

    def __init__(self, graph, output, source, output_name=None, outputs=None, output_names=None, assigned=None):
        self.graph = graph
        self.output = output
        self.source = source
        self.output_name = output_name
        self.outputs = list(outputs) if outputs else [output]
        self.output_names = list(output_names) if output_names else [output_name or "output"]
        self.assigned = dict(assigned or {})  # name -> node, every name the program assigns
        self.input_ids = graph.inputs()
        self.input_names = [graph.data[i] for i in self.input_ids]

    def with_outputs(self, names):
        """The same DAG with the assigned `names` as its outputs (`--of`)."""
        unknown = [n for n in names if n not in self.assigned]
        if unknown:
            valid = ", ".join(self.assigned) or "none"
            raise UsageError(f"--of {', '.join(unknown)}: never assigned in the program (assigned names: {valid})")
        if len(set(names)) != len(names):
            raise UsageError(f"--of {', '.join(names)}: a name is given twice")
        nodes = [self.assigned[n] for n in names]
        return Program(self.graph, nodes[0], self.source, names[0], nodes, names, self.assigned)

    def single(self, k):
        """Output k alone, as a single-output program over the same DAG (one reverse sweep)."""
        return Program(self.graph, self.outputs[k], self.source, self.output_names[k], assigned=self.assigned)

    def position(self, node):
        """The source offset where `node` first occurs, or None for a node with no text."""
        pos = self.graph.pos[node]
        return None if pos < 0 else pos
