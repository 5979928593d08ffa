"""Symbol-to-symbol derivatives: every partial of one order as nodes of one graph, printable as a
program in gradcli's own language (core/printing.py), evaluable, or differentiable again."""

import copy
import re

from ..core.compiler import compile_program
from ..core.errors import UsageError
from ..core.ops import CALLABLE, CONSTANTS
from ..core.printing import node_count, program_text, statements
from ..core.program import Program
from ..engine.reverse import reverse
from ..engine.stats import unshared_cost
from ..numbers.float64 import FloatMath
from ..numbers.symbolic import SymbolicMath
from ..numbers.text import count_text

# -- derivative graphs -----------------------------------------------------------------


def gradient_nodes(graph, output, wrt, s=FloatMath):
    """Append the reverse sweep of `output` to `graph` as nodes; the node of d output / d w
    for each node w in `wrt`. One sweep, linear in the output's part of the graph. Constants
    fold in the number type `s` (under --precision, at that precision)."""
    m = SymbolicMath(graph, s)
    values = [m.value(i) for i in range(len(graph))]
    adjoints = reverse(Program(graph, output, ""), values, m)[0]
    return [m.node(adjoints[w]) for w in wrt]


def compiled(program):
    """A Program from program text (or the Program itself): the API takes either."""
    return compile_program(program) if isinstance(program, str) else program


def _input_ids(program, names):
    return [program.input_ids[program.input_names.index(name)] for name in names]


def require_inputs(program):
    if not program.input_ids:
        raise UsageError("the program has no inputs, so there is nothing to differentiate")


class Derivatives:
    """Every partial derivative of one order of a program, as nodes of one graph: the
    program's graph, copied, with the reverse sweeps appended. With several outputs, the
    partials of each output in turn (`of` says whose each partial is), in one graph, so that
    what the outputs' derivatives share is computed once."""

    INLINE_MIN = 1000  # --inline always allows an expression this large
    INLINE_FACTOR = 10  # ... or this many times the size of the shared program

    def __init__(self, program, wrt=None, order=1):
        program = compiled(program)
        require_inputs(program)
        self.program = program
        self.order = order
        self.wrt = list(wrt or program.input_names)
        self.graph = graph = copy.deepcopy(program.graph)
        ids = _input_ids(program, self.wrt)
        self.partials, self.of = [], []
        for name, node in zip(program.output_names, program.outputs):
            layer = self._layers(node, ids)
            self.partials += layer
            self.of += [name] * len(layer)
        graph.validate()
        self.reserved = reserved_names(program)
        self.output_names = program.output_names
        self.output = program.output_name or "f"  # f: the output is an expression, unnamed
        taken = set(self.reserved)
        stems = dict(zip(self.output_names, _stems(program)))
        self.names = [_fresh(partial_name(stems[of], wrt), taken) for of, (wrt, _) in zip(self.of, self.partials)]

    def _layers(self, node, ids):
        """(wrt, node) of every partial of `node` of this order. Each sweep differentiates one
        partial of order k-1 by every input at once; only the multisets (x, y but not y, x)
        are kept, since mixed partials commute."""
        layer = [((), node)]
        for _ in range(self.order):
            following = []
            for done, at in layer:
                row = gradient_nodes(self.graph, at, ids)
                start = self.wrt.index(done[-1]) if done else 0
                following += [(done + (self.wrt[k],), row[k]) for k in range(start, len(ids))]
            layer = following
        return layer

    @property
    def program_nodes(self):
        """The size of the program differentiated: its outputs' nodes."""
        return node_count(self.program.graph, self.program.outputs)

    def outputs(self):
        """(name, node) of every partial, in order."""
        return [(name, node) for name, (_, node) in zip(self.names, self.partials)]

    def statements(self, inline=False, outputs=None):
        """(name, text) statements of a program computing `outputs` (default: all partials)."""
        outputs = outputs or self.outputs()
        if inline:
            for name, node in outputs:
                self._check_inline(name, node)
        return statements(self.graph, outputs, reserved=self.reserved, inline=inline)

    def text(self, inline=False):
        """The program computing every partial, sharing subexpressions through assignments;
        with several outputs, a comment line before each output's partials says whose they are."""
        found = self.statements(inline)
        if len(self.output_names) == 1:
            return program_text(found)
        first = {}  # the first partial of each output -> the comment before it
        for name, of in zip(self.names, self.of):
            first.setdefault(of, name)
        heads = {name: f"# the partials of {of}\n" for of, name in first.items()}
        return "".join(heads.get(name, "") + program_text([(name, text)]) for name, text in found)

    def nodes(self, outputs=None):
        """Distinct nodes of the program computing `outputs` (default: all partials)."""
        return node_count(self.graph, [node for _, node in outputs or self.outputs()])

    def _check_inline(self, name, node):
        size = unshared_cost(Program(self.graph, node, ""))[1]
        shared = node_count(self.graph, [node])
        if size > max(self.INLINE_MIN, self.INLINE_FACTOR * shared):
            raise UsageError(
                f"--inline: {name} as one expression would have {count_text(size)} nodes, "
                f"against {shared} with shared subexpressions assigned: drop --inline"
            )


def partial_name(output, wrt):
    """dz_dw, d2z_dx_dy, ...: the partial of `output` by the inputs in `wrt`."""
    k = len(wrt)
    return f"d{k if k > 1 else ''}{output}_" + "_".join(f"d{w}" for w in wrt)


def _stems(program):
    """The output's name in each partial's name (dz_dw): its assigned name, or `f` for an
    expression; with several outputs, an item that is not a name is f1, f2, ... by position."""
    names = program.output_names
    if len(names) == 1:
        return [program.output_name or "f"]
    return [name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) else f"f{k + 1}" for k, name in enumerate(names)]


def reserved_names(program):
    """Every name the program's text uses, and the language's own: invented names avoid them."""
    return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", program.source)) | set(CALLABLE) | set(CONSTANTS)


def _fresh(base, taken):
    name, k = base, 1
    while name in taken:
        k += 1
        name = f"{base}_{k}"
    taken.add(name)
    return name
