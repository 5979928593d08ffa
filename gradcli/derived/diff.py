"""Symbol-to-symbol derivatives: every partial of one order as nodes of one graph, printable as a
program in gradcli's own language (core/printing.py), evaluable, or differentiable again."""

import copy
import re

from ..core.compiler import compile_program
from ..core.errors import UsageError
from ..core.ops import CALLABLE, CONSTANTS
from ..core.printing import node_count, program_text, statements
from ..core.program import Program
from ..engine.evaluate import single_output
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
    program's graph, copied, with the reverse sweeps appended."""

    INLINE_MIN = 1000  # --inline always allows an expression this large
    INLINE_FACTOR = 10  # ... or this many times the size of the shared program

    def __init__(self, program, wrt=None, order=1):
        program = compiled(program)
        single_output(program, "diff", "differentiate one output at a time (make it the last statement), or use gradcli jacobian at a point")
        require_inputs(program)
        self.program = program
        self.order = order
        self.wrt = list(wrt or program.input_names)
        self.graph = graph = copy.deepcopy(program.graph)
        ids = _input_ids(program, self.wrt)
        # Each sweep differentiates one partial of order k-1 by every input at once; only
        # the multisets (x, y but not y, x) are kept, since mixed partials commute.
        layer = [((), program.output)]
        for _ in range(order):
            following = []
            for done, node in layer:
                row = gradient_nodes(graph, node, ids)
                start = self.wrt.index(done[-1]) if done else 0
                following += [(done + (self.wrt[k],), row[k]) for k in range(start, len(ids))]
            layer = following
        graph.validate()
        self.partials = layer
        self.reserved = reserved_names(program)
        self.output = program.output_name or "f"  # f: the output is an expression, unnamed
        taken = set(self.reserved)
        self.names = [_fresh(partial_name(self.output, wrt), taken) for wrt, _ in layer]

    @property
    def program_nodes(self):
        """The size of the program differentiated: its output's nodes."""
        return node_count(self.program.graph, [self.program.output])

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
        """The program computing every partial, sharing subexpressions through assignments."""
        return program_text(self.statements(inline))

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
