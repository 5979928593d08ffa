"""Symbol-to-symbol derivatives (`gradcli diff`, `gradcli hessian`): printed formulas, their
values against SymPy and against `gradcli eval`, their size, and the CLI around them."""

import json
import math

import pytest
import sympy

from gradcli import Derivatives, UsageError, compile_program, evaluate, hessian, hessian_vector_product
from gradcli.core.ops import CALLABLE
from gradcli.core.printing import program_text, to_program
from profiles import seeds

from conftest import run_cli
from symgen import SYMBOLS, example

BOOK = "f(t) = sin(t); x = f(w); y = f(x); z = f(y)"
ROSENBROCK = "(1-x)^2 + 100*(y-x^2)^2"
SEEDS = seeds(120)


def tanh_chain(n):
    """x0 = w; x_k = tanh(x_{k-1}² + x_{k-1}): each x_k is used three times, so the fully
    expanded formula has about 3^n terms."""
    return "x0 = w\n" + "\n".join(f"x{k} = tanh(x{k - 1}*x{k - 1} + x{k - 1})" for k in range(1, n + 1))


def partial_programs(d):
    """(wrt, standalone program text) for every partial of a Derivatives."""
    return [
        (wrt, program_text(d.statements(outputs=[(name, node)])))
        for name, (wrt, node) in zip(d.names, d.partials, strict=True)
    ]


def value_of(text, point):
    """A printed program evaluated through gradcli's own compiler."""
    return evaluate(compile_program(text), point).value


# -- the formulas ------------------------------------------------------------------------


def test_book_chain_shares_and_inlines():
    d = Derivatives(BOOK)
    assert d.text() == "x = sin(w)\ny = sin(x)\ndz_dw = cos(y) * cos(x) * cos(w)\n"
    assert d.text(inline=True) == "dz_dw = cos(sin(sin(w))) * cos(sin(w)) * cos(w)\n"


@pytest.mark.parametrize(
    "program, expected",
    [
        ("3*x", "df_dx = 3"),  # constant folding: 1 × 3
        ("x - x", "df_dx = 0"),  # 1 + -1 folds to a structural zero
        ("-(-x)", "df_dx = 1"),  # --x
        ("x*0 + y", "df_dx = 0\ndf_dy = 1"),  # x × 0
        ("x^2", "df_dx = 2 * x"),  # p·x^(p-1) folded for a literal p; x^1 = x
        ("x^-2", "df_dx = -(2 * x^-3)"),
        ("x^1", "df_dx = 1"),
        ("e^x", "df_dx = e^x"),  # x^p·log(x) with log(e) = 1 folded
        ("sin(x)*2", "df_dx = 2 * cos(x)"),
        ("x*y", "df_dx = y\ndf_dy = x"),
        ("abs(x)", "df_dx = sign(x)"),
        ("relu(x)", "df_dx = step(x)"),
        # the conventions: the op table's m.where as select over exact predicates
        ("x^y", "df_dx = select(1 - abs(sign(y)), 0, y * x^(y - 1))\n"
                "df_dy = select(select(1 - abs(sign(x)), 1 + sign(y), 0), 0, x^y * log(x))"),
        ("hypot(x, y)", "t1 = 1 - abs(sign(hypot(x, y)))\n"
                        "df_dx = select(t1, 0, x / hypot(x, y))\ndf_dy = select(t1, 0, y / hypot(x, y))"),
        ("max(x, y)", "t1 = abs(max(x, y))\n"
                      "t2 = select(select(x - max(x, y), 0, select(max(x, y) - x, 0, abs(x) + t1 + 1)), 1, 0)\n"
                      "t3 = select(select(y - max(x, y), 0, select(max(x, y) - y, 0, abs(y) + t1 + 1)), 1, 0)\n"
                      "df_dx = t2 / (t2 + t3)\ndf_dy = t3 / (t2 + t3)"),
        ("sign(x) * y", "df_dx = y * 0\ndf_dy = sign(x)"),  # y × 0 stays: nan for y = inf
        # the dead branch's mask: select(x, ., 0), not 0 × nan where x <= 0
        ("select(x, sqrt(x), 0)", "df_dx = select(x, 0.5 / sqrt(x), 0)"),
        ("2*pi*x", "df_dx = 2 * pi"),  # the forward node 2*pi reused, not a new number
    ],
)
def test_simplified_while_built(program, expected):
    assert Derivatives(program).text() == expected + "\n"


def test_forward_nodes_are_reused():
    """cos(w) of the program is the node the derivative uses: one cos node in all."""
    d = Derivatives("sin(w) * cos(w)")
    cos_nodes = [i for i, op in enumerate(d.graph.op) if op == "cos"]
    assert len(cos_nodes) == 1
    assert d.text() == "df_dw = cos(w) * cos(w) - sin(w) * sin(w)\n"


def test_invented_names_avoid_the_users():
    program = "t1 = sin(w); dz_dw = t1 * cos(t1); t2 = dz_dw * w; z = t2 * t2 + t1"
    d = Derivatives(program)
    text = d.text()
    assert d.names == ["dz_dw_2"]
    assert value_of(text, {"w": 0.7}) == evaluate(program, w=0.7).gradient["w"]


def test_an_expression_output_is_f():
    assert Derivatives("w * w").text() == "df_dw = w + w\n"


def test_higher_orders_name_each_multiset():
    d = Derivatives(ROSENBROCK, order=2)
    assert d.names == ["d2f_dx_dx", "d2f_dx_dy", "d2f_dy_dy"]
    assert [value_of(text, {"x": 1, "y": 1}) for _, text in partial_programs(d)] == [802, -400, 200]
    assert Derivatives("sin(w)*w", order=3).names == ["d3f_dw_dw_dw"]


@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_higher_orders_match_sympy(order):
    w = sympy.Symbol("w")
    expr = sympy.sin(w) * sympy.exp(w) / (1 + w**2)
    (_, text), = partial_programs(Derivatives("sin(w) * exp(w) / (1 + w^2)", order=order))
    expected = float(sympy.diff(expr, w, order).subs(w, sympy.Rational(0.3)).evalf(30))
    assert value_of(text, {"w": 0.3}) == pytest.approx(expected, rel=1e-12)


def test_no_inputs_is_a_usage_error():
    with pytest.raises(UsageError, match="no inputs"):
        Derivatives("2 * pi")


# -- against SymPy and against the numeric reverse sweep ---------------------------------


def test_the_generator_covers_the_language():
    texts = " ".join(example(seed, ops=10, inputs=3 if seed % 3 == 0 else 2).text for seed in SEEDS)
    assert {name for name in CALLABLE if f"{name}(" not in texts} == {"pow"}  # pow is written ^
    assert all(f" {op} " in texts for op in "+-*/^")


@pytest.mark.parametrize("seed", SEEDS)
def test_random_program_matches_sympy_and_eval(seed):
    """Each printed partial, read back and evaluated, equals sympy.diff (rel 1e-9) and
    `gradcli eval`'s gradient (to the bit here; the contract says within 1 ulp)."""
    ex = example(seed, ops=10, inputs=3 if seed % 3 == 0 else 2)
    program = compile_program(ex.text)
    gradient = evaluate(program, ex.point).gradient
    for (name,), text in partial_programs(Derivatives(program)):
        got = value_of(text, ex.point)
        assert got == gradient[name] or abs(got - gradient[name]) <= math.ulp(gradient[name]), (ex.text, name)
        truth = ex.sympy_at(sympy.diff(ex.expr, SYMBOLS[name]))
        assert abs(got - truth) <= 1e-9 * abs(truth) + 1e-12, (ex.text, name, got, truth)


@pytest.mark.parametrize("seed", SEEDS[:40])
def test_printed_program_reads_back_to_the_same_nodes(seed):
    """Read back, the shared program has exactly the derivative graph's nodes: sharing is
    kept (no node twice) and nothing the language cannot write (a negative constant) is in it."""
    d = Derivatives(example(seed, ops=10, inputs=2).text)
    assert len(compile_program(d.text()).graph) == d.nodes()
    for name, node in d.outputs():
        text = program_text(d.statements(outputs=[(name, node)]))
        reread = compile_program(text)
        assert len(reread.graph) == d.nodes([(name, node)])
        assert to_program(reread.graph, [(reread.output_name, reread.output)]) == text


@pytest.mark.parametrize("seed", SEEDS[:40])
def test_hessian_matches_sympy_and_is_symmetric(seed):
    ex = example(seed, ops=8, inputs=3 if seed % 2 else 2)
    s = hessian(ex.text, ex.point)
    h = s.hessian
    symbols = [SYMBOLS[n] for n in s.input_names]
    scale = max(abs(x) for row in h for x in row)
    for i, a in enumerate(symbols):
        for j, b in enumerate(symbols):
            truth = ex.sympy_at(sympy.diff(ex.expr, a, b))
            assert abs(h[i][j] - truth) <= 1e-9 * abs(truth) + 1e-12, (ex.text, i, j)
            assert abs(h[i][j] - h[j][i]) <= 1e-13 * scale, (ex.text, i, j)  # symmetric to rounding


@pytest.mark.parametrize("seed", SEEDS[:20])
def test_hvp_is_hessian_times_v(seed):
    ex = example(seed, ops=8, inputs=3)
    h = hessian(ex.text, ex.point).hessian
    v = [1.5, -2.0, 0.25][: len(h)]
    hv = hessian_vector_product(ex.text, ex.point, v).hvp
    for row, got in zip(h, hv, strict=True):
        expected = sum(a * b for a, b in zip(row, v, strict=True))
        assert got == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_rosenbrock_hessian_at_the_minimum():
    s = hessian(ROSENBROCK, {"x": 1, "y": 1})
    assert (s.result.value, list(s.result.gradient.values())) == (0, [0, 0])
    assert s.hessian == [[802, -400], [-400, 200]]


@pytest.mark.parametrize("program, point, name, want", [
    ("x^y", {"x": 0, "y": 0}, "x", 0.0),  # the convention, not 0·0^-1
    ("x^y", {"x": 0, "y": 2}, "y", 0.0),  # not 0^2·log(0) = 0·-inf
    ("hypot(x, y)", {"x": 0, "y": 0}, "x", 0.0),  # not 0/0
    ("max(x, 1)", {"x": math.inf}, "x", 1.0),  # an infinite tie is a tie
    ("max(x)", {"x": math.nan}, "x", math.nan),  # no argument equals nan: 0/0
    ("sign(x) * exp(1000*x)", {"x": 1}, "x", math.nan),  # inf × 0: no term is dropped
    ("0 * log(x)", {"x": 0}, "x", math.nan),  # 0 × inf outside a dead branch
    ("select(x, sqrt(x), 0)", {"x": -1}, "x", 0.0),  # sqrt's nan partial in a dead branch
    ("select(x - 1, log(x), 2*x)", {"x": 0}, "x", 2.0),
])
def test_derivative_programs_agree_with_the_reverse_sweep(program, point, name, want):
    """Conventions and dead branches are written once (the op table's m.where, the sweep's
    masks), so the derivative program evaluates to `gradcli eval`'s number at these points."""
    got = evaluate(program, point).gradient[name]
    texts = dict(partial_programs(Derivatives(program)))
    formula = value_of(texts[(name,)], point)
    for v in (got, formula):
        assert math.isnan(v) if math.isnan(want) else v == want, (got, formula)


# -- size: linear, where the expanded chain rule is exponential --------------------------


def test_size_is_linear_on_the_tanh_chain():
    """Every step adds the same few nodes and statements: counts are a·n + b exactly."""
    counts = {}
    for n in (250, 500, 1000):
        d = Derivatives(tanh_chain(n))
        counts[n] = (d.program_nodes, d.nodes(), len(d.text().splitlines()))
    for k in range(3):
        step = (counts[1000][k] - counts[500][k]) // 500
        assert [counts[n][k] - step * n for n in (250, 500, 1000)] == [counts[250][k] - step * 250] * 3
    assert counts[1000][1] <= 4 * counts[1000][0]  # the derivative program: a few times the program


def test_sympy_expansion_explodes_on_the_tanh_chain():
    """SymPy writes the derivative as a tree: its size (18, 67, 195, 511, 1263, ...) grows
    by a factor of about 2.5 per step, and its time faster still (80 s at 5 steps)."""
    w = sympy.Symbol("w")
    sizes = []
    x = w
    for _ in range(3):
        x = sympy.tanh(x * x + x)
        sizes.append(sum(1 for _ in sympy.preorder_traversal(sympy.diff(x, w))))
    assert sizes == [18, 67, 195]
    assert Derivatives(tanh_chain(3)).nodes() < 100


def test_inline_refused_when_exponential():
    with pytest.raises(UsageError, match=r"dx30_dw as one expression would have [0-9.e]+ nodes, against [0-9]+ with"):
        Derivatives(tanh_chain(30)).text(inline=True)
    assert Derivatives(tanh_chain(2)).text(inline=True).count("\n") == 1


def test_deep_programs_need_no_recursion():
    """20,000 nested calls: differentiated, printed and read back with no RecursionError."""
    n = 20_000
    d = Derivatives("sin(" * n + "w" + ")" * n)
    text = d.text()
    assert len(compile_program(text).graph) == d.nodes()
    assert hessian("sin(" * 2000 + "w" + ")" * 2000, {"w": 0.5}).hessian[0][0] == pytest.approx(
        value_of(Derivatives("sin(" * 2000 + "w" + ")" * 2000, order=2).text(), {"w": 0.5}), rel=1e-12)


# -- the CLI ---------------------------------------------------------------------------


def test_cli_diff_book_chain():
    proc = run_cli("diff", BOOK)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout == "x = sin(w)\ny = sin(x)\ndz_dw = cos(y) * cos(x) * cos(w)\n"


def test_cli_diff_json_round_trips_through_eval():
    """Each program of `diff --json`, run by `gradcli eval`, prints eval's own partial."""
    program = "u = hypot(x, y) * atan2(y, x); z = u * log1p(x*x) + max(x, y, 0.5)^2"
    at = "x=0.7,y=-1.3"
    expected = json.loads(run_cli("eval", program, "--at", at, "--json").stdout)["gradient"]
    record = json.loads(run_cli("diff", program, "--json").stdout)
    assert record["output"] == "z" and record["wrt"] == ["x", "y"] and record["order"] == 1
    for partial in record["partials"]:
        got = json.loads(run_cli("eval", "--file", "-", "--at", at, "--json", input=partial["program"]).stdout)["value"]
        assert got == expected[partial["wrt"][0]]


def test_cli_diff_formats_and_options():
    table = run_cli("diff", ROSENBROCK, "-o", "table")
    assert table.returncode == 0 and "df_dx" in table.stdout and "nodes" in table.stdout
    second = run_cli("diff", ROSENBROCK, "--order", "2", "--wrt", "y")
    assert (second.returncode, second.stdout) == (0, "d2f_dy_dy = 200\n")
    long = run_cli("diff", "--file", "-", input=tanh_chain(1000))
    assert long.returncode == 0 and long.stdout == Derivatives(tanh_chain(1000)).text()


@pytest.mark.parametrize(
    "args, message",
    [
        (("diff", tanh_chain(30), "--inline"), "drop --inline"),
        (("diff", "sin(w", ), "expected an operator (+ - * / ^), ',' or ')'"),
        (("diff", "x*y", "--wrt", "q"), "not an input"),
        (("diff", "2"), "no inputs"),
        (("hessian", "x*y", "--at", "x=1,y=2", "--hvp", "1"), "--hvp has 1 component"),
        (("hessian", "x*y", "--at", "x=1,y=2", "--hvp", "a,b"), "expected numbers"),
        (("hessian", "x*y", "--at", "x=1"), "no value for input y"),
    ],
)
def test_cli_usage_errors(args, message):
    proc = run_cli(*args)
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr and proc.stdout == ""


def test_cli_hessian_formats():
    at = ("--at", "x=1,y=1")
    plain = run_cli("hessian", ROSENBROCK, *at)
    assert plain.returncode == 0
    assert plain.stdout == "value 0\nd/dx 0\nd/dy 0\nd2/dx/dx 802\nd2/dx/dy -400\nd2/dy/dx -400\nd2/dy/dy 200\n"
    record = json.loads(run_cli("hessian", ROSENBROCK, *at, "--json").stdout)
    assert record["hessian"] == [[802, -400], [-400, 200]] and record["inputs"] == ["x", "y"]
    assert run_cli("hessian", ROSENBROCK, *at, "-o", "csv").stdout == "input,gradient,x,y\nx,0,802,-400\ny,0,-400,200\n"
    table = run_cli("hessian", ROSENBROCK, *at, "-o", "table")
    assert table.returncode == 0 and "802" in table.stdout and "Hessian" in table.stdout
    hvp = run_cli("hessian", ROSENBROCK, *at, "--hvp", "1,2", "-o", "csv")
    assert hvp.stdout == "input,gradient,v,hvp\nx,0,1,2\ny,0,2,0\n"


# -- several outputs: the partials of each output, labelled --------------------------------

SEVERAL = "x = sin(w)*v; y = x*w; x, y, x + y"


def test_several_outputs_each_partial_is_its_own_outputs_and_one_sweep_each(monkeypatch):
    from gradcli.derived import diff
    from gradcli.engine.jacobian import jacobian

    sweeps = []
    monkeypatch.setattr(diff, "gradient_nodes", lambda *a, _g=diff.gradient_nodes: sweeps.append(1) or _g(*a))
    d = Derivatives(SEVERAL)
    assert len(sweeps) == 3  # order 1: one reverse sweep per output
    assert d.names == ["dx_dw", "dx_dv", "dy_dw", "dy_dv", "df3_dw", "df3_dv"]
    assert d.of == ["x", "x", "y", "y", "x+y", "x+y"] and d.output_names == ["x", "y", "x+y"]
    point = {"w": 0.7, "v": -1.3}
    rows = jacobian(compile_program(SEVERAL), point, "reverse").jacobian
    got = [value_of(text, point) for _, text in partial_programs(d)]
    assert got == pytest.approx([g for row in rows for g in row], rel=1e-15)
    single = Derivatives(compile_program(SEVERAL).with_outputs(["y"]))
    assert single.text() == "x = sin(w) * v\ndy_dw = x + w * v * cos(w)\ndy_dv = w * sin(w)\n"


def test_several_outputs_higher_orders_per_output():
    d = Derivatives("u = x*y^2; u, u + x", order=2)
    assert d.of == ["u"] * 3 + ["u+x"] * 3
    assert d.names == ["d2u_dx_dx", "d2u_dx_dy", "d2u_dy_dy", "d2f2_dx_dx", "d2f2_dx_dy", "d2f2_dy_dy"]
    texts = dict(zip(d.names, (text for _, text in partial_programs(d)), strict=True))
    assert value_of(texts["d2u_dy_dy"], {"x": 3.0, "y": 1.0}) == 6.0  # 2x
    assert value_of(texts["d2f2_dx_dy"], {"x": 3.0, "y": 5.0}) == 10.0  # 2y


def test_cli_diff_several_outputs_plain_is_one_program_labelled_per_output():
    proc = run_cli("diff", SEVERAL)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout == (
        "x = sin(w) * v\n"
        "# the partials of x\ndx_dw = v * cos(w)\ndx_dv = sin(w)\n"
        "# the partials of y\ndy_dw = x + w * v * cos(w)\ndy_dv = w * sin(w)\n"
        "# the partials of x+y\ndf3_dw = x + (1 + w) * v * cos(w)\ndf3_dv = (1 + w) * sin(w)\n"
    )
    reread = compile_program(proc.stdout)  # still gradcli input: the comments are comments
    assert reread.output_name == "df3_dv"
    picked = run_cli("diff", SEVERAL, "--of", "y,x", "--wrt", "v").stdout
    assert picked == "# the partials of y\ndy_dv = w * sin(w)\n# the partials of x\ndx_dv = sin(w)\n"
    assert run_cli("diff", SEVERAL, "--of", "y", "--wrt", "v").stdout == "dy_dv = w * sin(w)\n"


def test_cli_diff_several_outputs_json_and_table():
    record = json.loads(run_cli("diff", SEVERAL, "--json").stdout)
    assert "output" not in record and record["outputs"] == ["x", "y", "x+y"]
    assert [(p["output"], p["name"]) for p in record["partials"]][::2] == [("x", "dx_dw"), ("y", "dy_dw"), ("x+y", "df3_dw")]
    at = "w=0.7,v=-1.3"
    jac = json.loads(run_cli("jacobian", SEVERAL, "--at", at, "--json").stdout)["jacobian"]
    for k, partial in enumerate(record["partials"]):
        got = json.loads(run_cli("eval", "--file", "-", "--at", at, "--json", input=partial["program"]).stdout)["value"]
        assert got == pytest.approx(jac[k // 2][k % 2], rel=1e-15)
    table = run_cli("diff", SEVERAL, "-o", "table", env={"COLUMNS": "120"}).stdout
    assert "┃ name   ┃ of  ┃ expression" in table and "│ df3_dw │ x+y │" in table
    one = run_cli("diff", SEVERAL, "--of", "x", "-o", "table").stdout
    assert " of " not in one and "dx_dw" in one


def test_hessian_and_taylor_still_need_one_output_and_eval_names_jacobian():
    assert "hessian needs one" in run_cli("hessian", SEVERAL, "--at", "w=1,v=2").stderr
    assert run_cli("hessian", SEVERAL, "--at", "w=1,v=2", "--of", "y").returncode == 0
    bad = run_cli("eval", SEVERAL, "--at", "w=1,v=2")
    assert bad.returncode == 2 and "jacobian" in bad.stderr
