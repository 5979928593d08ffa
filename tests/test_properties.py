"""Property tests: random valid programs (tests/gen.py) against SymPy at 50 digits.

For each generated program and point:

- gradcli's value and every partial equal SymPy's (the expression and `sympy.diff`, evaluated
  with `evalf` at 50 digits) to a relative 1e-9. Where float64 cannot reach 1e-9 (the tape's
  first-order error bound exceeds 1e-10 of the exact value: cancellation, sin(pi), x - x), the
  component is instead checked against 100 times that bound: ill-conditioned points are
  treated apart, the 1e-9 tolerance is never loosened. An exact 0 with a zero bound (a partial
  with respect to an input the output does not depend on) must be exactly 0.
- SymPy agrees with the generator's own 50-digit chain rule (two independent oracles).
- the gradient agrees with central differences of gradcli's own values, wherever the exact
  function is smooth across the step and the step's truncation and rounding errors are small.
- `--strategy store|recompute|checkpoint` give the same value and gradient bit for bit.
- printing a parsed program (gradcli.core.printing.to_program) and parsing it again gives the same DAG.

Profiles (tests/conftest.py): the quick one runs in CI; GRADCLI_THOROUGH=1 runs tens of thousands.
"""

import json
import math
import warnings

import mpmath
import pytest
import sympy
from hypothesis import event, given, note, settings

import gradcli

from conftest import run_cli
from gen import DPS, M, U, programs

REL = 1e-9  # the tolerance, relative
WELL = 1e-10  # a component is well-conditioned when its error bound is below WELL × |exact|
BOUND_FACTOR = 100  # ill-conditioned components: |error| <= BOUND_FACTOR × first-order bound
ABS_FLOOR = 1e-300  # below float64's normal range (2.2e-308 and a few roundings) nothing is compared
ORACLES = mpmath.mpf("1e-35")  # SymPy and the tape's chain rule agree to this, relative


def sympy_number(expr, subs):
    """A SymPy expression's value at `subs` (floats of DPS + 20 digits holding the point's
    float64 values exactly: w + x at w = 0.01, x = -0.01 is exactly 0), as an mpf. (Exact
    rationals would make x^12^12 a number of thousands of digits.)"""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        v = expr.xreplace(subs).evalf(DPS)
    re, im = v.as_real_imag()
    re, im = sympy.Float(re, DPS), sympy.Float(im, DPS)
    value = M.mpf(re._mpf_)
    assert abs(M.mpf(im._mpf_)) <= ORACLES * max(abs(value), 1), f"SymPy gives a complex value {v}"
    return value


def reference(ex):
    """SymPy's value and gradient: the program's expression and sympy.diff of it."""
    subs = {ex.symbols[name]: sympy.Float(v, DPS + 20) for name, v in ex.point.items() if name in ex.symbols}
    expr = ex.expression
    value = sympy_number(expr, subs)
    gradient = {name: sympy_number(sympy.diff(expr, ex.symbols[name]), subs) for name in ex.inputs}
    return value, gradient


def agree(a, b, magnitude):
    """Do two 50-digit results agree? `magnitude` is the size of the terms that cancel in them
    (a first-order error bound / U), so a result that is a cancellation is compared to that."""
    return abs(a - b) <= ORACLES * max(abs(a), abs(b), magnitude)


def check(got, exact, bound, what):
    """`got` (float64) against the exact value: to REL where float64 can get there, else to the bound."""
    error = abs(M.mpf(got) - exact)
    if error <= ABS_FLOOR:
        return True
    if bound <= WELL * abs(exact):
        assert error <= REL * abs(exact), (
            f"{what}: gradcli {got!r}, exact {exact}, relative error {error / abs(exact) if exact else error}"
        )
        return True
    assert error <= BOUND_FACTOR * bound, (
        f"{what}: gradcli {got!r}, exact {exact}, error {error} > {BOUND_FACTOR} × bound {bound} (ill-conditioned)"
    )
    return False


@given(programs())
def test_value_and_gradient_equal_sympy_and_central_differences(ex):
    program = gradcli.compile_program(ex.text)
    assert program.input_names == ex.inputs
    r = gradcli.evaluate(program, ex.point)
    with mpmath.workdps(DPS):
        value, gradient = reference(ex)
        tape = ex.tape
        adj, adj_err = tape.analyse(ex.output)
        assert agree(value, tape.value[ex.output], tape.err[ex.output] / U), (
            f"oracles disagree on the value: SymPy {value}, tape {tape.value[ex.output]}"
        )
        well = check(r.value, value, tape.err[ex.output], "value")
        event(f"value {'well' if well else 'ill'}-conditioned")
        assert list(r.gradient) == ex.inputs
        for name in ex.inputs:
            i = tape.inputs[name]
            a = adj[i] if i < len(adj) else M.mpf(0)
            bound = adj_err[i] if i < len(adj) else M.mpf(0)
            assert agree(gradient[name], a, bound / U), (
                f"oracles disagree on d/d{name}: SymPy {gradient[name]}, tape {a}"
            )
            well = check(r.gradient[name], gradient[name], bound, f"d/d{name}")
            event(f"partial {'well' if well else 'ill'}-conditioned")
            central_difference(ex, program, r, name, a)


def central_difference(ex, program, r, name, exact):
    """gradcli's partial against (f(x+h) - f(x-h)) / 2h of gradcli's own values. The tolerance is
    twice the exact function's truncation error at that h (computed at 50 digits) plus the
    rounding noise the value's error bound allows; uninformative steps are skipped."""
    x = ex.point[name]
    h = 2.0**-17 * max(1.0, abs(x))
    xp, xm = x + h, x - h
    span = xp - xm
    up, down = dict(ex.point, **{name: xp}), dict(ex.point, **{name: xm})
    fp, fm = ex.tape.evaluate_at(up, ex.output), ex.tape.evaluate_at(down, ex.output)
    if fp is None or fm is None:
        event("central differences: a kink or domain edge within the step (skipped)")
        return
    truncation = abs((fp - fm) / (M.mpf(xp) - M.mpf(xm)) - exact)
    noise = 4 * ex.tape.err[ex.output] / span
    tolerance = 2 * truncation + 2 * noise + REL * abs(exact)
    if exact != 0 and tolerance > 1e-4 * abs(exact):
        event("central differences: step too coarse or too noisy here (skipped)")
        return
    fd = (gradcli.evaluate(program, up).value - gradcli.evaluate(program, down).value) / span
    note(f"central difference d/d{name}: {fd!r}, tolerance {tolerance}")
    assert abs(M.mpf(fd) - M.mpf(r.gradient[name])) <= tolerance, (
        f"d/d{name} {r.gradient[name]!r} but central differences give {fd!r}"
    )
    event("central differences: checked")


# -- store, recompute, checkpoint ------------------------------------------------------------


STRATEGIES = ("store", "recompute", "checkpoint")


@given(programs())
def test_strategies_agree_bit_for_bit(ex):
    at = [f"--at={name}={ex.point[name]!r}" for name in ex.inputs]
    results = {}
    for strategy in STRATEGIES:
        code, out, err = run_cli("eval", "-o", "json", "--strategy", strategy, *at, "--", ex.text)
        assert code == 0, err
        record = json.loads(out)
        results[strategy] = (record["value"], record["gradient"])
    assert results["recompute"] == results["store"]
    assert results["checkpoint"] == results["store"]


def to_program(program):
    """The program printed back as text by gradcli.core.printing (the printer `gradcli diff` uses)."""
    from gradcli.core.printing import to_program as printer

    return printer(program.graph, [(program.output_name or "out", program.output)], reserved=program.input_names)


def canonical(program, table):
    """Each node as a number that only depends on its structure (op, data, parents' numbers),
    shared across programs through `table`: equal numbers are equal subgraphs."""
    g = program.graph
    ids = []
    for op, ps, data in zip(g.op, g.parents, g.data, strict=True):
        leaf = data.hex() if op == "const" else data
        ids.append(table.setdefault((op, leaf, tuple(ids[p] for p in ps)), len(table)))
    return ids


@given(programs())
def test_printing_then_parsing_gives_the_same_dag(ex):
    program = gradcli.compile_program(ex.text)
    text = to_program(program)
    note(f"printed: {text!r}")
    again = gradcli.compile_program(text)
    table = {}
    first, second = canonical(program, table), canonical(again, table)
    assert second[again.output] == first[program.output]
    # the printed program computes the output: exactly the output's part of the DAG (inputs
    # used only by statements the output does not depend on are not printed)
    relevant = program.graph.ancestors(program.output)
    assert sorted(set(second)) == sorted({first[i] for i in range(len(first)) if relevant[i]})
    assert len(again.graph) == sum(relevant)
    assert set(again.input_names) == {
        n for n, i in zip(program.input_names, program.input_ids, strict=True) if relevant[i]
    }
    r, r2 = gradcli.evaluate(program, ex.point), gradcli.evaluate(again, ex.point)
    assert repr(r2.value) == repr(r.value)
    # The same nodes, but the printed text may create them in another order (its assignments
    # come first), and the reverse sweep adds an adjoint's terms in creation order: the same
    # terms summed in another order, so within a first-order bound of their rounding.
    scale = math.fsum(abs(c) for c in r.contributions if c is not None and math.isfinite(c))
    bound = 8 * len(r.contributions) * 2.0**-53 * scale
    for n, g in r.gradient.items():
        if n in r2.gradient:
            assert repr(r2.gradient[n]) == repr(g) or abs(r2.gradient[n] - g) <= bound, (n, g, r2.gradient[n], bound)


# -- the generator covers the language ---------------------------------------------------------


def test_generator_covers_the_whole_language():
    """Over the examples of one quick run, every callable function, user functions, assignments,
    shared nodes, unary minus, every power spelling and power chains all occur."""
    seen = set()

    @settings(max_examples=250, derandomize=True, database=None)
    @given(programs())
    def collect(ex):
        program = gradcli.compile_program(ex.text)
        g = program.graph
        seen.update(g.op)
        text = ex.text
        seen.update(
            k
            for k, present in [
                ("user function", ex.functions and "f0(" in text.split("=", 1)[-1]),
                ("assignment", ex.assignments > 0),
                ("shared node", any(n > 1 for n in _fan_out(g))),
                ("^", "^" in text),
                ("**", "**" in text),
                ("pow(", "pow(" in text),
                (
                    "power chain",
                    any(
                        g.op[p] == "pow" for op, ps in zip(g.op, g.parents, strict=True) if op == "pow" for p in ps[1:]
                    ),
                ),
                (
                    "unary minus of a power",
                    any(g.op[ps[0]] == "pow" for op, ps in zip(g.op, g.parents, strict=True) if op == "neg"),
                ),
                ("pi", "pi" in text),
                ("e", any(d == math.e for d in g.data)),
                ("CRLF", "\r\n" in text),
                ("comment", "#" in text),
                ("empty statement", ";;" in text),
            ]
            if present
        )

    collect()
    from gradcli.core.ops import CALLABLE

    wanted = set(CALLABLE) | {"add", "sub", "mul", "div", "neg", "user function", "assignment", "shared node", "^",
                              "**", "pow(", "power chain", "unary minus of a power", "pi", "e", "CRLF", "comment",
                              "empty statement"}
    assert wanted <= seen, f"never generated: {sorted(wanted - seen)}"


def _fan_out(graph):
    count = [0] * len(graph)
    for ps in graph.parents:
        for p in ps:
            count[p] += 1
    return count


# -- every local partial, across the float range ------------------------------------------------

GRID = sorted({s * 10.0**k * m for k in range(-300, 301, 7) for m in (1, 3.7) for s in (1, -1)}
              | {s * x for x in (0.5, 0.9, 0.99, 0.999999, 1 - 2**-40, 1.5, 5, 10, 20, 30, 40, 100, 700, 710, 1000)
                 for s in (1, -1)})
ULPS = 8  # the worst partial in float64 units of the result (cbrt's 1/(3·cbrt(x)²) is about 7)
# d/dx x^p = p·x^(p-1) rounds p - 1 (exactly only for p in [0.5, 2]), and x^(p-1) magnifies that
# by |ln x| <= 745: up to ~750 units, 2e-13 relative; p·x^p/x would underflow with x^p.
ULPS_POW_BASE = 1000


def _representable(*xs):
    return all(isinstance(x, mpmath.mpf) and (x == 0 or 1e-300 <= abs(x) <= 1e300) for x in xs)


def test_every_local_partial_is_accurate_across_the_float_range():
    """d op(x)/dx (and each partial of the binary ops) within ULPS units of the exact value,
    wherever value and partial are normal floats, from 1e-300 to 1e300: the formulas may not
    cancel (1 - tanh² is 0 beyond 19, 1 - x·x loses digits near 1) or overflow on the way (x²)."""
    from oracles import ORACLES

    from gen import ARITY, partials

    bad = []
    with mpmath.workdps(DPS):
        for op, arity in sorted(ARITY.items()):
            if arity not in (1, 2) or op in ("neg", "sign", "step", "add", "sub"):
                continue
            infix = {"mul": "x * y", "div": "x / y"}
            program = gradcli.compile_program(infix.get(op) or (f"{op}(x)" if arity == 1 else f"{op}(x, y)"))
            points = [(x,) for x in GRID] if arity == 1 else [(x, y) for x in GRID[::11] for y in GRID[::11]]
            for xs in points:
                exact_xs = [M.mpf(x) for x in xs]
                try:
                    value = ORACLES[op].mpmath(*exact_xs)
                    if not _representable(value):
                        continue
                    exact = partials(op, exact_xs)[0]
                except (ValueError, ZeroDivisionError, OverflowError):  # mpmath's own limits (erfc(1e300))
                    continue
                got = gradcli.evaluate(program, dict(zip("xy", xs, strict=False))).gradient
                for name, d in zip("xy", exact, strict=False):
                    ulps = ULPS_POW_BASE if (op, name) == ("pow", "x") else ULPS
                    if d != 0 and _representable(d) and not abs(M.mpf(got[name]) - d) <= ulps * U * abs(d):
                        bad.append(f"d{op}/d{name} at {xs}: {got[name]!r}, exact {mpmath.nstr(d, 17)}")
    assert not bad, f"{len(bad)} inaccurate partials, e.g. {bad[:5]}"


@pytest.mark.parametrize("program, point, exact", [
    # found by the property tests: each formula gave 0 or lost digits where the exact partial is a normal float
    ("tanh(x)", {"x": 20.0}, lambda x: 1 / mpmath.cosh(x) ** 2),
    ("tanh(x)", {"x": -40.0}, lambda x: 1 / mpmath.cosh(x) ** 2),
    ("sigmoid(x)", {"x": 30.0}, lambda x: mpmath.exp(-x) / (1 + mpmath.exp(-x)) ** 2),
    ("expm1(x)", {"x": -40.0}, mpmath.exp),
    ("asinh(x)", {"x": 1e200}, lambda x: 1 / mpmath.sqrt(1 + x * x)),
    ("atan2(x, 1e-170)", {"x": 1e-170}, lambda x: mpmath.mpf("1e-170") / (x * x + mpmath.mpf("1e-170") ** 2)),
    ("atanh(x)", {"x": 1 - 2**-40}, lambda x: 1 / (1 - x * x)),
    ("asin(x)", {"x": -(1 - 2**-40)}, lambda x: 1 / mpmath.sqrt(1 - x * x)),
])
def test_partials_found_wrong_by_the_property_tests(program, point, exact):
    with mpmath.workdps(DPS):
        want = exact(M.mpf(point["x"]))
        got = gradcli.evaluate(program, point).gradient["x"]
        assert abs(M.mpf(got) - want) <= REL * abs(want), (got, want)
