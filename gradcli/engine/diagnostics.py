"""Warnings in the user's words: where a sweep first went non-finite, named as the user wrote it."""

from ..core.errors import Located, where
from ..numbers.float64 import FloatMath
from ..numbers.text import format_number
from .reverse import edge_offsets

# -- warnings in the user's words --------------------------------------------------------


def nonfinite_warnings(program, values, partials, adjoints, m=FloatMath):
    """Name the node where the forward sweep first went non-finite, and the edge where the
    reverse sweep did, in the user's own terms (the subexpression and its position); finite
    by the number type `m`'s own test (mpmath's numbers go past float64's range)."""
    isfinite = m.isfinite
    found = []
    graph = program.graph
    if not isfinite(sum(values)):
        for i, ps in enumerate(graph.parents):
            if not isfinite(values[i]) and all(isfinite(values[p]) for p in ps):
                if graph.op[i] == "input":
                    found.append(f"the input {graph.data[i]} is {_word(values[i])} in the forward sweep")
                else:
                    what = f"{describe(program, i)} is {_word(values[i])} in the forward sweep"
                    found.append(_located(program, i, what))
                break
    # a non-finite contribution leaves its parent's adjoint non-finite, so finite adjoints
    # mean there is nothing to report
    if not isfinite(sum(adjoints)):
        offsets = edge_offsets(graph)
        for i in range(program.output, -1, -1):
            ps = graph.parents[i]
            if not ps or not isfinite(adjoints[i]):
                continue
            for k in range(len(ps)):
                d = partials[offsets[i] + k]
                if d is None or isfinite(c := adjoints[i] * d):
                    continue
                if not (isfinite(values[i]) and all(isfinite(values[q]) for q in ps)):
                    continue  # already reported by the forward sweep
                a = adjoints[i]
                if a == 0 and not isfinite(d):
                    why = f"0 × {_word(d)} (adjoint 0 times local partial {_word(d)})"
                elif not isfinite(d):
                    why = f"its local partial is {_word(d)}"
                else:
                    why = f"the product {format_number(a)} × {format_number(d)} overflows"
                found.append(_located(
                    program, i,
                    f"the reverse sweep went {_word(c)} on the edge into {describe(program, i)} "
                    f"from argument {k + 1}: {why}",
                ))
                return found
    return found


def _located(program, node, message):
    """The message, knowing where `node` first occurs (for the caret the CLI draws under it)."""
    return Located(message, program.source, program.position(node))


def _word(x):
    return "nan" if x != x else ("inf" if x > 0 else "-inf")


def describe(program, node, pairs=None):
    """`sin(w) (line 1, column 5)`, or `z = log(y - 2) (line 2, column 5)` for a named node: a
    node as the user wrote it, with where it first occurs. `pairs` is graph.label_pairs(), when
    the caller describes many nodes."""
    from ..core.graph import expression_text

    graph = program.graph
    pairs = pairs or graph.label_pairs()
    text = pairs[node][0]
    if node in graph.names and graph.parents[node]:
        text = f"{text} = {expression_text(graph.op[node], [pairs[p] for p in graph.parents[node]])[0]}"
    pos = program.position(node)
    if pos is None:
        return text
    return f"{text} ({where(program.source, pos)})"
