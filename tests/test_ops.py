"""The op table: every derivative rule against central differences, the contract's conventions at
non-differentiable points, and IEEE results (never an exception) outside the domains.

Adding a function to gradcli/core/ops.py means adding one row to tests/oracles.py: among its
meanings a reference implementation written independently of gradcli (math, plain Python) and
a few points inside its domain.
"""

import itertools
import math

import pytest

import gradcli
from gradcli.core.ops import OPS
from gradcli.numbers.float64 import FloatMath
from oracles import ORACLES, sigmoid

inf, nan = math.inf, math.nan

# The text of each operator, applied to the inputs a, b, c, ...; every other op is a call.
OPERATOR_TEXT = {
    "add": "a + b",
    "sub": "a - b",
    "mul": "a * b",
    "div": "a / b",
    "neg": "-a",
    "pow": "a ^ b",
}
ARG_NAMES = "abcdefgh"



CASES = [(name, point) for name, oracle in ORACLES.items() for point in oracle.points]
CASE_IDS = [f"{name}{point}" for name, point in CASES]


def program_text(name, arity):
    """The program applying op `name` to the inputs a, b, ...: `a + b`, `-a`, `sin(a)`."""
    if name in OPERATOR_TEXT:
        return OPERATOR_TEXT[name]
    return f"{name}({', '.join(ARG_NAMES[:arity])})"


def central_difference(f, point, k):
    """d f / d x_k at `point` by the five-point stencil (error O(h^4))."""
    x = point[k]
    h = 1e-4 * (abs(x) if x else 1.0)

    def at(dx):
        shifted = list(point)
        shifted[k] = x + dx
        return f(*shifted)

    return (-at(2 * h) + 8 * at(h) - 8 * at(-h) + at(-2 * h)) / (12 * h)


def close(got, want):
    return math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-9)


def test_every_op_has_a_test_row():
    assert sorted(ORACLES) == sorted(OPS)


@pytest.mark.parametrize("name,point", CASES, ids=CASE_IDS)
def test_rule_matches_central_differences(name, point):
    """The op table's rule, called directly, against central differences of the reference."""
    reference = ORACLES[name].value
    op = OPS[name]
    kernel = getattr(FloatMath, op.value)
    y = kernel(*point)
    assert close(y, reference(*point)), (y, reference(*point))
    local = op.partials(FloatMath, y, *point)
    assert len(local) == len(point)
    for k in range(len(point)):
        want = central_difference(reference, point, k)
        assert close(local[k], want), f"d{name}/dx{k + 1} at {point}: rule {local[k]!r}, central difference {want!r}"
    if op.kink is not None:
        assert op.kink(y, *point) is None, "a regular point must not be reported as a convention"


@pytest.mark.parametrize("name,point", CASES, ids=CASE_IDS)
def test_program_gradient_matches_central_differences(name, point):
    """The same through the whole pipeline: compile, forward sweep, reverse sweep."""
    reference = ORACLES[name].value
    text = program_text(name, len(point))
    names = ARG_NAMES[: len(point)]
    result = gradcli.evaluate(text, dict(zip(names, point, strict=True)))
    assert close(result.value, reference(*point))
    assert list(result.gradient) == list(names)
    for k, input_name in enumerate(names):
        want = central_difference(reference, point, k)
        assert close(result.gradient[input_name], want), (text, point, input_name, result.gradient, want)
    assert result.notes == []
    assert result.warnings == []


def test_pow_as_a_function_is_the_operator():
    r = gradcli.evaluate("pow(a, b)", a=2.0, b=3.0)
    assert r.program.graph.op[-1] == "pow"
    assert (r.value, r.gradient["a"], r.gradient["b"]) == (8.0, 12.0, 8.0 * math.log(2.0))


@pytest.mark.parametrize("x,p", [(-2.0, 3.0), (-3.0, 2.0), (-1.5, -1.0)])
def test_pow_of_a_negative_base_with_an_integer_exponent(x, p):
    """d/dx follows p·x^(p-1) (finite and right); d/dp follows x^p·log(x), which is nan there."""
    r = gradcli.evaluate("x^p", x=x, p=p)
    assert r.value == x**p
    assert close(r.gradient["x"], central_difference(lambda t: t**p, (x,), 0))
    assert math.isnan(r.gradient["p"])


# -- conventions at non-differentiable points ---------------------------------------------

KINKS = [
    # program, point, expected gradient, words the note must contain
    ("abs(x)", {"x": 0.0}, {"x": 0.0}, "abs at 0"),
    ("abs(x)", {"x": -0.0}, {"x": 0.0}, "abs at 0"),
    ("relu(x)", {"x": 0.0}, {"x": 0.0}, "relu at 0"),
    ("max(a, b)", {"a": 1.0, "b": 1.0}, {"a": 0.5, "b": 0.5}, "2-way tie"),
    ("max(a, b, c)", {"a": 2.0, "b": 2.0, "c": 2.0}, {"a": 1 / 3, "b": 1 / 3, "c": 1 / 3}, "3-way tie"),
    ("max(a, b, c)", {"a": 2.0, "b": 2.0, "c": 1.0}, {"a": 0.5, "b": 0.5, "c": 0.0}, "2-way tie"),
    ("max(a, b, c)", {"a": 1.0, "b": 2.0, "c": 2.0}, {"a": 0.0, "b": 0.5, "c": 0.5}, "2-way tie"),
    (
        "min(a, b, c, d)",
        {"a": 1.0, "b": 1.0, "c": 1.0, "d": 5.0},
        {"a": 1 / 3, "b": 1 / 3, "c": 1 / 3, "d": 0.0},
        "3-way tie",
    ),
    ("min(a, b, c, d)", {"a": -1.0, "b": -1.0, "c": -1.0, "d": -1.0}, {k: 0.25 for k in "abcd"}, "4-way tie"),
    ("max(a, b)", {"a": 0.0, "b": -0.0}, {"a": 0.5, "b": 0.5}, "2-way tie"),
    ("sqrt(x)", {"x": 0.0}, {"x": inf}, "sqrt at 0"),
    ("x^y", {"x": 0.0, "y": 0.0}, {"x": 0.0, "y": 0.0}, "exponent 0"),
    ("x^y", {"x": 0.0, "y": 2.0}, {"x": 0.0, "y": 0.0}, "base 0"),
    ("x^y", {"x": 0.0, "y": 0.5}, {"x": inf, "y": 0.0}, "base 0"),
    ("x^0", {"x": 0.0}, {"x": 0.0}, "exponent 0"),
    ("0^y", {"y": 1.5}, {"y": 0.0}, "base 0"),
    ("0^y", {"y": 0.0}, {"y": 0.0}, "base 0"),
    ("hypot(x, y)", {"x": 0.0, "y": 0.0}, {"x": 0.0, "y": 0.0}, "hypot at (0, 0)"),
    ("cbrt(x)", {"x": 0.0}, {"x": inf}, "cbrt at 0"),
    ("sign(x)", {"x": 0.0}, {"x": 0.0}, "sign at 0"),
    ("step(x)", {"x": -0.0}, {"x": 0.0}, "step at 0"),
    ("select(c, a, b)", {"c": 0.0, "a": 1.0, "b": 2.0}, {"c": 0.0, "a": 0.0, "b": 1.0}, "select at c = 0"),
    ("floor(x)", {"x": -3.0}, {"x": 0.0}, "floor at an integer"),
    ("ceil(x)", {"x": 2.0}, {"x": 0.0}, "ceil at an integer"),
]


@pytest.mark.parametrize("text,point,gradient,words", KINKS, ids=[f"{k[0]}@{k[1]}" for k in KINKS])
def test_convention_at_a_non_differentiable_point_is_applied_and_reported(text, point, gradient, words):
    r = gradcli.evaluate(text, point)
    assert r.gradient == pytest.approx(gradient, rel=1e-15, abs=0)
    assert len(r.notes) == 1, r.notes
    assert words in r.notes[0]
    assert r.notes[0].startswith(r.program.graph.labels()[r.program.output])


def test_pow_at_zero_zero_reports_both_conventions():
    """At x = 0, y = 0 both of x^y's conventions apply; the note must name both."""
    note = gradcli.evaluate("x^y", x=0.0, y=0.0).notes[0]
    assert "exponent 0" in note and "base 0" in note


def test_cbrt_at_zero_follows_its_formula():
    r = gradcli.evaluate("cbrt(x)", x=0.0)
    assert r.value == 0.0 and r.gradient["x"] == inf


@pytest.mark.parametrize(
    "text,point",
    [("abs(x)", {"x": 1e-300}), ("relu(x)", {"x": -1e-300}), ("max(a, b)", {"a": 1.0, "b": 1.0 + 2**-52}),
     ("sqrt(x)", {"x": 5e-324}), ("x^y", {"x": 1e-300, "y": 1e-300}), ("hypot(x, y)", {"x": 0.0, "y": 1e-300}),
     # exponent 0 away from base 0: p·x^(p-1) = 0 by the formula, no convention
     ("x^y", {"x": 3.0, "y": 0.0}), ("x^0", {"x": 3.0}),
     ("cbrt(x)", {"x": 1e-300}), ("sign(x)", {"x": 1e-300}), ("step(x)", {"x": -1e-300})],
)
def test_no_note_next_to_a_non_differentiable_point(text, point):
    assert gradcli.evaluate(text, point).notes == []


def test_tie_shares_sum_to_one_through_a_shared_argument():
    """max(x, x) is one input feeding both slots: 1/2 + 1/2 = 1, the derivative of x."""
    r = gradcli.evaluate("max(x, x, 2*x)", x=3.0)
    assert r.gradient == {"x": 2.0}
    r = gradcli.evaluate("max(x, x)", x=3.0)
    assert r.gradient == {"x": 1.0}


@pytest.mark.parametrize(
    "text,x,value,slope",
    [
        ("sigmoid(x)", 1000.0, 1.0, 0.0),
        ("sigmoid(x)", -1000.0, 0.0, 0.0),
        ("softplus(x)", 1000.0, 1000.0, 1.0),
        ("softplus(x)", -1000.0, 0.0, 0.0),
        ("sigmoid(x)", -40.0, sigmoid(-40.0), sigmoid(40.0) * sigmoid(-40.0)),
        ("softplus(x)", -40.0, math.log1p(math.exp(-40.0)), sigmoid(-40.0)),
        ("softplus(x)", 40.0, 40.0, 1.0),
    ],
)
def test_stable_activations_are_finite_far_out(text, x, value, slope):
    r = gradcli.evaluate(text, x=x)
    assert math.isclose(r.value, value, rel_tol=1e-12, abs_tol=0)
    assert math.isclose(r.gradient["x"], slope, rel_tol=1e-9, abs_tol=1e-300)
    assert r.warnings == []


# -- numerics never raise -----------------------------------------------------------------

IEEE = [
    ("log(-1)", nan),
    ("log(0)", -inf),
    ("log1p(-1)", -inf),
    ("log1p(-2)", nan),
    ("log2(0)", -inf),
    ("log10(-5)", nan),
    ("exp(1000)", inf),
    ("exp(-1000)", 0.0),
    ("expm1(1000)", inf),
    ("expm1(-1000)", -1.0),
    ("1/0", inf),
    ("-1/0", -inf),
    ("1/(-0)", -inf),
    ("0/0", nan),
    ("(-8)^(1/3)", nan),
    ("(-8)^3", -512.0),
    ("(-2)^0.5", nan),
    ("10^400", inf),
    ("(-10)^401", -inf),
    ("9^9^9^9", inf),
    ("2^2^2^2^2", inf),
    ("0^-1", inf),
    ("(-0)^-1", -inf),
    ("(-0)^-2", inf),
    ("0^-0.5", inf),
    ("0^0", 1.0),
    ("sinh(1000)", inf),
    ("sinh(-1000)", -inf),
    ("cosh(-1000)", inf),
    ("acosh(0)", nan),
    ("atanh(1)", inf),
    ("atanh(-1)", -inf),
    ("atanh(2)", nan),
    ("asin(2)", nan),
    ("acos(-2)", nan),
    ("sqrt(-1)", nan),
    ("sin(1e999)", nan),
    ("tan(1e999)", nan),
    ("atan(1e999)", math.pi / 2),
    ("1e999 - 1e999", nan),
    ("1e308 * 10", inf),
    ("-1e308 * 10", -inf),
    ("hypot(1e308, 1e308)", math.sqrt(2) * 1e308),
    ("hypot(1.7e308, 1.7e308)", inf),
    ("erf(1e999)", 1.0),
    ("sigmoid(1e999)", 1.0),
    ("sigmoid(-1e999)", 0.0),
    ("softplus(1e999)", inf),
    ("softplus(-1e999)", 0.0),
    ("relu(-1e999)", 0.0),
    ("max(1, 0/0)", nan),
    ("min(0/0, 1)", nan),
    ("sign(0/0)", nan),
    ("cbrt(-1e999)", -inf),
]


def _same(got, want):
    return math.isnan(got) if math.isnan(want) else got == want


@pytest.mark.parametrize("text,want", IEEE, ids=[t for t, _ in IEEE])
def test_ieee_results_instead_of_exceptions(text, want):
    r = gradcli.evaluate(text)
    assert _same(r.value, want), r.value
    if not math.isfinite(want):
        assert len(r.warnings) == 1 and "forward sweep" in r.warnings[0]


GRADIENTS = [
    # program, x, value, d/dx: local partials follow their formulas outside the domain too
    ("log(x)", -1.0, nan, -1.0),
    ("sqrt(x)", -4.0, nan, nan),
    ("1/x", 0.0, inf, -inf),
    ("exp(x)", 1000.0, inf, inf),
    ("sinh(x)", -1000.0, -inf, inf),
    ("x^(1/3)", -8.0, nan, nan),
    ("atanh(x)", 1.0, inf, inf),
    ("acosh(x)", 0.0, nan, nan),
    ("log(x)", 0.0, -inf, inf),
    ("atan2(x, x)", 0.0, 0.0, nan),
    ("x^x^x^x", 9.0, inf, inf),
]


@pytest.mark.parametrize("text,x,value,slope", GRADIENTS, ids=[f"{g[0]}@{g[1]}" for g in GRADIENTS])
def test_gradients_outside_the_domain_follow_the_formulas(text, x, value, slope):
    r = gradcli.evaluate(text, x=x)
    assert _same(r.value, value), r.value
    assert _same(r.gradient["x"], slope), r.gradient


SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, 2.0, -2.0, 3.0, inf, -inf, nan, 1e308, -1e308, 5e-324, 710.0, -710.0]


@pytest.mark.parametrize("name", sorted(OPS))
def test_kernels_rules_and_conventions_never_raise(name):
    """Every value kernel, partial rule and convention check, at every combination of awkward
    float64 values, returns real floats (nan and inf are fine) and never raises."""
    op = OPS[name]
    kernel = getattr(FloatMath, op.value)
    arities = [op.arity] if op.arity is not None else [1, 2, 3]
    for arity in arities:
        for xs in itertools.product(SPECIAL, repeat=arity):
            y = kernel(*xs)
            local = op.partials(FloatMath, y, *xs)
            assert type(y) is float, (name, xs, y)
            assert len(local) == arity and all(type(d) is float for d in local), (name, xs, local)
            if op.kink is not None:
                said = op.kink(y, *xs)
                assert said is None or isinstance(said, str)


# -- select: dead branches contribute nothing; elsewhere IEEE arithmetic stands -----------

DEAD = [
    # program, point, gradient
    ("select(x, sqrt(x), 0)", {"x": -1.0}, {"x": 0.0}),  # sqrt's partial is nan, in a dead branch
    ("select(x, sqrt(x), 0)", {"x": 4.0}, {"x": 0.25}),
    ("select(x, 0, log(x))", {"x": 1.0}, {"x": 0.0}),
    ("select(-x, 0, 1/x) * y", {"x": 1.0, "y": 2.0}, {"x": -2.0, "y": 1.0}),
    ("select(log(x), 1, 2)", {"x": 0.0}, {"x": 0.0}),  # the condition's path carries no derivative
    ("select(x, sqrt(x), 0) + sqrt(x)", {"x": -1.0}, {"x": nan}),  # a live path through sqrt too
    ("0 * log(x)", {"x": 0.0}, {"x": nan}),  # 0 × inf: no select, IEEE stands
    ("select(x - 1, select(x, 1/x, 0), 2*x)", {"x": 0.0}, {"x": 2.0}),  # nested dead branches
]


@pytest.mark.parametrize("text,point,gradient", DEAD, ids=[f"{t}@{p}" for t, p, _ in DEAD])
def test_a_dead_branch_contributes_nothing(text, point, gradient):
    r = gradcli.evaluate(text, point)
    for name, want in gradient.items():
        assert _same(r.gradient[name], want), (name, r.gradient)
    assert all(c is None or not math.isnan(c) or math.isnan(gradient.get("x", 0.0)) for c in r.contributions)


def test_dead_branch_edges_show_their_partial_and_a_zero_contribution():
    r = gradcli.evaluate("select(x, sqrt(x), 0)", x=-1.0)
    edges = r.program.graph.edges()
    into_sqrt = [e for e, (p, child, _) in enumerate(edges) if r.program.graph.op[child] == "sqrt"][0]
    assert math.isnan(r.partials[into_sqrt]) and r.contributions[into_sqrt] == 0.0
    assert r.warnings == [sw for sw in r.warnings if "reverse" not in sw]


def test_no_select_note_when_both_branches_are_equal():
    assert gradcli.evaluate("select(c, a, b)", c=0.0, a=1.0, b=1.0).notes == []
    assert gradcli.evaluate("select(c, a, b)", c=0.5, a=1.0, b=2.0).notes == []


def test_dead_branches_through_the_cli_and_points(tmp_path):
    from conftest import run_cli

    r = run_cli("eval", "select(x, sqrt(x), 0)", "--at", "x=-1")
    assert r.returncode == 0 and r.stdout == "value 0\nd/dx 0\n", (r.stdout, r.stderr)
    points = tmp_path / "p.csv"
    points.write_text("x\n-1\n4\n0\n")
    r = run_cli("eval", "select(x, sqrt(x), 0)", "--points", str(points), "-o", "csv")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[1:] == ["2,0,,0", "3,2,,0.25", "4,0,,0"]  # line,value,error,d/dx
