"""The reverse sweep step by step in words (plain text, a styled terminal text) and as JSON.

`lines()` words derived/explain.py's steps; `plain()` and `rich_text()` only style the words
(rich is imported only for the terminal).
"""

from collections import Counter

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
        "at": {name: json_number(v) for name, v in ex.point.items() if name in r.program.input_names},
        "forward": [{"id": i, "node": ex.definition(i), "value": json_number(r.values[i])} for i in ex.forward],
        "steps": [
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
        ],
        "gradient": {name: json_number(g) for name, g in gradient_items(r)},
        "warnings": list(r.warnings),
        "notes": list(r.notes),
    }


# -- words -------------------------------------------------------------------------------
# A line is a list of (text, style) pieces; style is one of None, "head", "sym", "num", "note".


def lines(ex, digits=4, max_steps=20, max_terms=6):
    """The explanation as styled lines; past `max_steps` steps (or `max_terms` terms in one
    sum) the middle is elided with a line that says how much (None shows everything)."""
    r = ex.result
    program = r.program
    z = ex.symbol(program.output)
    num = lambda x: (format_number(x, digits), "num")
    at = ", ".join(f"{name} = {format_number(v)}" for name, v in ex.point.items() if name in program.input_names)

    where = f", at {at}" if at else ""
    out = [[("Forward sweep (Algorithm 6.1)", "head"), (f", every node from its parents{where}:", None)]]
    out += _elided(
        ex.forward, max_steps, "nodes",
        lambda i: [[("  ", None), (ex.definition(i), "sym"), (" = ", None), num(r.values[i])]],
    )
    out.append([])
    out.append([
        ("Reverse sweep (Algorithm 6.2)", "head"),
        (", from the output down: a node's adjoint is the sum over its children of "
         "adjoint(child) × local partial ∂child/∂node:", None),
    ])
    out += _elided(ex.steps, max_steps, "steps", lambda step: _step_lines(ex, step, z, num, max_terms))
    out.append([])
    out.append([("Gradient", "head")])
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
    return "".join("".join(text for text, _ in line) + "\n" for line in lines(ex, **kw))


STYLES = {"head": "bold", "sym": "cyan", "num": "green", "note": "dim"}


def rich_text(ex, **kw):
    """The same lines as one rich Text, styled for a terminal."""
    from rich.text import Text

    text = Text()
    for line in lines(ex, **kw):
        for piece, style in line:
            text.append(piece, STYLES.get(style))
        text.append("\n")
    return text


def _limits(digits, show_all):
    """lines()'s limits: the first and last steps and terms, or with `show_all` every one."""
    return {"digits": digits, "max_steps": None, "max_terms": None} if show_all else {"digits": digits}


@renders("Explanation", "plain")
def plain_steps(ex, digits=4, show_all=False):
    return plain(ex, **_limits(digits, show_all))


@renders("Explanation", "table")
def styled_steps(ex, digits=4, show_all=False):
    return [rich_text(ex, **_limits(digits, show_all))]
