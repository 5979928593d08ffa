"""The reverse sweep step by step in words (plain text, a styled terminal text) and as JSON.

`lines()` words derived/explain.py's steps; `plain()` and `rich_text()` only style the words
(rich is imported only for the terminal).
"""

from collections import Counter

from ..derived.explain import Explanations
from ..engine.evaluate import gradient_items
from ..engine.reverse import UNUSED
from ..numbers.text import format_number, json_number
from . import renders
from .json import documents
from .text import ROLE_WORDS


@documents("Explanation")
def record(ex):
    """The explanation as JSON-ready data (full precision)."""
    r = ex.result
    return {
        "output": ex.pairs[r.program.output][0],
        "at": _at(ex),
        "forward": [{"id": i, "node": ex.definition(i), "value": json_number(r.values[i])} for i in ex.forward],
        "steps": _steps(ex),
        "gradient": _gradient(ex),
        "warnings": list(r.warnings),
        "notes": list(r.notes),
    }


@documents("Explanations")
def several_record(exs):
    """Several outputs as JSON: the forward sweep once, each node with its `adjoints` keyed by
    output, then one reverse sweep per output with its steps and gradient."""
    first = exs.parts[0]
    adjoints = lambda i: {name: json_number(ex.result.adjoints[i]) for name, ex in zip(exs.names, exs.parts)}
    return {
        "outputs": exs.names,
        "at": _at(first),
        "values": [json_number(ex.result.value) for ex in exs.parts],
        "forward": [{"id": i, "node": first.definition(i), "value": json_number(first.result.values[i]),
                     "adjoints": adjoints(i)} for i in first.forward],
        "sweeps": [{"output": name, "steps": _steps(ex), "gradient": _gradient(ex)}
                   for name, ex in zip(exs.names, exs.parts)],
        "warnings": list(exs.warnings),
        "notes": list(exs.notes),
    }


def _at(ex):
    return {name: json_number(v) for name, v in ex.point.items() if name in ex.result.program.input_names}


def _gradient(ex):
    return {name: json_number(g) for name, g in gradient_items(ex.result)}


def _steps(ex):
    """One reverse sweep's steps as JSON-ready data."""
    r = ex.result
    return [
        {
            "id": s.node,
            "node": ex.pairs[s.node][0],
            "adjoint": json_number(r.adjoints[s.node]),
            "role": r.roles[s.node],
            "terms": [
                {
                    "child": t.child,
                    "slot": t.slot,
                    "child_adjoint": json_number(r.adjoints[t.child]),
                    "partial": json_number(t.partial),
                    "contribution": json_number(t.contribution),
                }
                for t in s.terms
            ],
        }
        for s in ex.steps
    ]


# -- words -------------------------------------------------------------------------------
# A line is a list of (text, style) pieces; style is one of None, "head", "sym", "num", "note".


REVERSE_WORDS = (", from the output down: a node's adjoint is the sum over its children of "
                 "adjoint(child) × local partial ∂child/∂node:")


def lines(ex, digits=4, max_steps=20, max_terms=6):
    """The explanation as styled lines; past `max_steps` steps (or `max_terms` terms in one
    sum) the middle is elided with a line that says how much (None shows everything)."""
    num = lambda x: (format_number(x, digits), "num")
    return [*_forward_lines(ex, num, max_steps), [], *_reverse_lines(ex, num, max_steps, max_terms)]


def several_lines(exs, digits=4, max_steps=20, max_terms=6):
    """Several outputs: the forward sweep once, then each output's reverse sweep and gradient."""
    num = lambda x: (format_number(x, digits), "num")
    names = exs.names
    out = _forward_lines(exs.parts[0], num, max_steps)
    out += [[], [(f"{len(names)} outputs ({', '.join(names)})", "head"),
                 (": one reverse sweep each over these values, each giving that output's adjoints and "
                  "its gradient (a row of the Jacobian).", None)]]
    for k, (name, ex) in enumerate(zip(names, exs.parts)):
        words = REVERSE_WORDS if k == 0 else ", from the output down, the same sums for this output:"
        out += [[], *_reverse_lines(ex, num, max_steps, max_terms, name, words)]
    return out


def _forward_lines(ex, num, max_steps):
    r = ex.result
    at = ", ".join(f"{name} = {format_number(v)}" for name, v in ex.point.items() if name in r.program.input_names)
    where = f", at {at}" if at else ""
    out = [[("Forward sweep (Algorithm 6.1)", "head"), (f", every node from its parents{where}:", None)]]
    return out + _elided(
        ex.forward, max_steps, "nodes",
        lambda i: [[("  ", None), (ex.definition(i), "sym"), (" = ", None), num(r.values[i])]],
    )


def _reverse_lines(ex, num, max_steps, max_terms, of=None, words=REVERSE_WORDS):
    """One output's reverse sweep, step by step, then its gradient (`of`: the output's name,
    when the program has several)."""
    r = ex.result
    z = ex.z
    out = [[(f"Reverse sweep{f' for {of}' if of else ''} (Algorithm 6.2)", "head"), (words, None)]]
    out += _elided(ex.steps, max_steps, "steps", lambda step: _step_lines(ex, step, z, num, max_terms))
    out.append([])
    out.append([(f"Gradient{f' of {of}' if of else ''}", "head")])
    for name, g in gradient_items(r):
        out.append([("  ", None), (f"∂{z}/∂{name}", "sym"), (" = ", None), (format_number(g), "num")])
    for name in ex.unreached:
        out.append([("  ", None), (f"{z} does not depend on {name}: no path leads from it to the output", "note")])
    return out


def _elided(items, limit, what, render):
    """render(item) for every item, or for the first and last limit/2 with a line between
    that says how many were skipped."""
    if limit is None or len(items) <= limit:
        return [line for item in items for line in render(item)]
    half = max(1, limit // 2)
    skip = [("  … ", "note"), (f"{len(items) - 2 * half} {what} skipped (--all shows every one)", "note")]
    return [line for item in items[:half] for line in render(item)] + [skip] + [
        line for item in items[-half:] for line in render(item)
    ]


def _step_lines(ex, step, z, num, max_terms):
    """`∂z/∂x = ∂z/∂y · ∂y/∂x = 0.7347 × 0.6664 = 0.4896`, and a note when x has several edges."""
    r = ex.result
    i, terms = step.node, step.terms
    line = [("  ", None), (f"∂{z}/∂{ex.symbol(i)}", "sym"), (" = ", None)]
    role = r.roles[i]
    if role == UNUSED:
        return [line + [num(r.adjoints[i]), (f"  ({ROLE_WORDS[role]})", "note")]]
    if not terms:
        return [line + [("1", "num"), ("  (the output)", "note")]]
    shown = terms if max_terms is None else terms[:max_terms]
    more = [(f" + … ({len(terms) - len(shown)} more terms)", "note")] if len(shown) < len(terms) else []
    uses = Counter(t.child for t in terms)
    for k, t in enumerate(shown):
        c = ex.symbol(t.child)
        slot = f" (argument {t.slot + 1})" if uses[t.child] > 1 else ""
        line += [(" + " if k else "", None), (f"∂{z}/∂{c} · ∂{c}/∂{ex.symbol(i)}{slot}", "sym")]
    line += more + [(" = ", None)]
    for k, t in enumerate(shown):
        line += [(" + " if k else "", None), _factor(num, r.adjoints[t.child]), (" × ", None), _factor(num, t.partial)]
    line += more + [(" = ", None), num(r.adjoints[i])]
    if role in ROLE_WORDS:
        line.append((f"  ({ROLE_WORDS[role]})", "note"))
    if len(terms) == 1:
        return [line]
    if len(uses) == 1:
        child = ex.symbol(terms[0].child)
        why = f"{ex.symbol(i)} is used {len(terms)} times by {child}: each use is an edge of its own"
    else:
        why = f"{ex.symbol(i)} has {len(terms)} edges to its children"
    return [line, [("      ", None), (f"{why}, and each edge adds its own contribution to the adjoint", "note")]]


def _factor(num, x):
    """A number as a factor: `0.5 × (-0.3)`, not `0.5 × -0.3`."""
    text, style = num(x)
    return (f"({text})" if text.startswith("-") else text, style)


def plain(ex, **kw):
    return "".join("".join(text for text, _ in line) + "\n" for line in _words(ex)(ex, **kw))


STYLES = {"head": "bold", "sym": "cyan", "num": "green", "note": "dim"}


def rich_text(ex, **kw):
    """The same lines as one rich Text, styled for a terminal."""
    from rich.text import Text

    text = Text()
    for line in _words(ex)(ex, **kw):
        for piece, style in line:
            text.append(piece, STYLES.get(style))
        text.append("\n")
    return text


def _words(ex):
    """lines() for one output's Explanation, several_lines() for Explanations."""
    return several_lines if isinstance(ex, Explanations) else lines


def _limits(digits, show_all):
    """lines()'s limits: the first and last steps and terms, or with `show_all` every one."""
    return {"digits": digits, "max_steps": None, "max_terms": None} if show_all else {"digits": digits}


@renders("Explanation", "plain")
@renders("Explanations", "plain")
def plain_steps(ex, digits=4, show_all=False):
    return plain(ex, **_limits(digits, show_all))


@renders("Explanation", "table")
@renders("Explanations", "table")
def styled_steps(ex, digits=4, show_all=False):
    return [rich_text(ex, **_limits(digits, show_all))]
