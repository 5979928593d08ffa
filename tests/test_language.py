"""The language of the contract: numbers, precedence, statements, user functions, inputs,
hash-consing, adjoints summed over paths, every "errors, not guesses" case, and deep programs."""

import json
import math

import pytest

import gradcli
from gradcli import ProgramError, compile_program, evaluate
from gradcli.core.graph import Graph

from conftest import run_cli


def ops(text):
    return compile_program(text).graph.op


def value(text, **point):
    return evaluate(text, point).value


def compile_error(text):
    with pytest.raises(ProgramError) as info:
        compile_program(text)
    return info.value


# -- numbers and constants ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,want",
    [("2", 2.0), ("2.5", 2.5), (".5", 0.5), ("5.", 5.0), ("1e-3", 1e-3), ("6.02E+23", 6.02e23),
     ("1E3", 1000.0), ("007", 7.0), ("1.5e+2", 150.0), ("0.1", 0.1), ("1e999", math.inf)],
)
def test_numbers(text, want):
    program = compile_program(text)
    assert program.graph.op == ["const"]
    assert evaluate(program).value == want


@pytest.mark.parametrize("text,column", [("1_000", 2), ("2e", 2), ("1.2.3", 4), ("1e+", 2), ("2 3", 3)])
def test_malformed_numbers_are_errors(text, column):
    e = compile_error(text)
    assert e.exit_code == 2
    assert e.render().startswith(f"line 1, column {column}: unexpected")


def test_constants():
    assert value("pi") == math.pi
    assert value("e") == math.e
    r = evaluate("e^x", x=2.0)
    assert r.value == math.e**2 and math.isclose(r.gradient["x"], math.e**2, rel_tol=1e-15)
    assert compile_program("2*pi*r").input_names == ["r"]


# -- operators and precedence -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text,point,want",
    [
        ("-x^2", {"x": 3.0}, -9.0),
        ("-x**2", {"x": 3.0}, -9.0),
        ("(-x)^2", {"x": 3.0}, 9.0),
        ("-2^2", {}, -4.0),
        ("(-2)^2", {}, 4.0),
        ("2^3^2", {}, 512.0),
        ("2**3**2", {}, 512.0),
        ("(2^3)^2", {}, 64.0),
        ("2^-2", {}, 0.25),
        ("-2^-2", {}, -0.25),
        ("2**-1", {}, 0.5),
        ("2^+2", {}, 4.0),
        ("e^-x", {"x": 1.0}, math.exp(-1.0)),
        ("x^-y^2", {"x": 2.0, "y": 1.0}, 0.5),
        ("2*3^2", {}, 18.0),
        ("(2*3)^2", {}, 36.0),
        ("2*3+4*5", {}, 26.0),
        ("2*(3+4)*5", {}, 70.0),
        ("8/2/2", {}, 2.0),
        ("8-2-2", {}, 4.0),
        ("a/b*c", {"a": 8.0, "b": 2.0, "c": 4.0}, 16.0),
        ("a-b+c", {"a": 8.0, "b": 2.0, "c": 4.0}, 10.0),
        ("--x", {"x": 3.0}, 3.0),
        ("- -x", {"x": 3.0}, 3.0),
        ("+-x", {"x": 3.0}, -3.0),
        ("-+-x", {"x": 3.0}, 3.0),
        ("2*-x", {"x": 3.0}, -6.0),
        ("2--x", {"x": 3.0}, 5.0),
    ],
)
def test_precedence_and_associativity(text, point, want):
    assert value(text, **point) == want


def test_unary_minus_is_looser_than_power():
    assert ops("-x^2") == ["input", "const", "pow", "neg"]
    assert ops("2^-x") == ["const", "input", "neg", "pow"]


def test_power_spellings_are_one_op():
    for text in ["x^y", "x**y", "pow(x, y)", "pow (x,y)"]:
        assert ops(text) == ["input", "input", "pow"], text


def test_unary_plus_and_parentheses_make_no_node():
    assert ops("+x") == ["input"]
    assert ops("+(+x)") == ["input"]
    assert ops("((x))") == ["input"]
    assert ops("x + +y") == ["input", "input", "add"]
    assert ops("+-x") == ["input", "neg"]


@pytest.mark.parametrize(
    "text,op",
    [("a + b", "add"), ("a - b", "sub"), ("a * b", "mul"), ("a / b", "div"), ("-a", "neg"), ("a ^ b", "pow"),
     ("a ** b", "pow"), ("sin(a)", "sin"), ("max(a, b)", "max")],
)
def test_op_names(text, op):
    assert ops(text)[-1] == op


# -- statements -------------------------------------------------------------------------------


def test_statements_separated_by_semicolons_newlines_and_crlf_are_the_same_program():
    forms = ["x = sin(w); y = x*w", "x = sin(w)\ny = x*w", "x = sin(w)\r\ny = x*w\r\n", "\ufeffx = sin(w)\ny = x*w"]
    programs = [compile_program(text) for text in forms]
    for p in programs:
        assert p.graph.op == programs[0].graph.op and p.graph.parents == programs[0].graph.parents
        assert p.output_name == "y" and p.input_names == ["w"]
        assert evaluate(p, w=1.0).value == math.sin(1.0)


@pytest.mark.parametrize(
    "text",
    [";;w;", "w;;;", "; ; ;w", "\n\n w \n\n", "w\n;\n", "# title\nw # a comment; not a statement",
     "# only a comment\n\n# another\nw", "w # trailing comment without newline", "\tw\f", "w;\r\n;\r\n"],
)
def test_empty_statements_comments_and_blank_lines(text):
    program = compile_program(text)
    assert program.graph.op == ["input"] and program.input_names == ["w"]


def test_a_comment_ends_at_the_end_of_its_line():
    program = compile_program("a = w # then b = 2; c = 3\nb = a*2")
    assert program.output_name == "b"
    assert evaluate(program, w=4.0).value == 8.0


@pytest.mark.parametrize("text", ["sin (w)", "sin\t(w)", "sin  (  w  )", "max (w, w)"])
def test_space_before_the_parenthesis_of_a_call(text):
    assert ops(text)[-1] in ("sin", "max")
    assert compile_program(text).input_names == ["w"]


def test_assignment_output_is_the_assigned_name():
    program = compile_program("x = sin(w); y = x*x")
    assert program.output_name == "y"
    r = evaluate(program, w=0.5)
    assert r.value == math.sin(0.5) ** 2
    assert math.isclose(r.gradient["w"], 2 * math.sin(0.5) * math.cos(0.5), rel_tol=1e-15)
    assert program.graph.labels()[program.output] == "y"


def test_the_last_statement_is_the_output_even_if_it_ignores_the_others():
    r = evaluate("a = sin(w); b = 2*x", w=1.0, x=3.0)
    assert r.value == 6.0
    assert r.gradient == {"w": 0.0, "x": 2.0}


# -- user functions ------------------------------------------------------------------------------


def test_the_book_example():
    program = compile_program("f(t) = sin(t); x = f(w); y = f(x); z = f(y)")
    assert program.input_names == ["w"]
    assert program.graph.op == ["input", "sin", "sin", "sin"]
    assert program.graph.labels() == ["w", "x", "y", "z"]
    r = evaluate(program, w=1.0)
    assert r.value == 0.6784304773607402
    assert r.gradient == {"w": 0.26450827039595814}
    x = math.sin(1.0)
    y = math.sin(x)
    assert math.isclose(r.gradient["w"], math.cos(y) * math.cos(x) * math.cos(1.0), rel_tol=1e-15)
    assert r.adjoints == [0.26450827039595814, 0.4895560643054356, 0.7346646087760579, 1.0]


def test_functions_are_inlined_and_the_copies_shared():
    assert ops("f(a) = a*a; y = f(x) + f(x)") == ["input", "mul", "add"]
    assert ops("f(a) = sin(a); y = f(x) * f(z)") == ["input", "sin", "input", "sin", "mul"]
    assert ops("f(a) = a + 1; y = f(x) + 1") == ["input", "const", "add", "add"]
    assert value("f(a) = a*2; y = f(f(f(x)))", x=1.5) == 12.0


def test_functions_calling_earlier_functions():
    r = evaluate("g(a) = 2*a; f(b) = g(b) + 1; y = f(x)", x=3.0)
    assert (r.value, r.gradient) == (7.0, {"x": 2.0})


def test_arguments_bind_in_order():
    r = evaluate("f(a, b) = a - b; y = f(z, x)", x=1.0, z=5.0)
    assert r.value == 4.0
    assert r.gradient == {"z": 1.0, "x": -1.0}


def test_a_body_sees_params_constants_earlier_functions_and_earlier_assignments():
    program = compile_program("c = w^2; g(t) = t + 1; f(a) = g(a) * c * pi; y = f(x)")
    assert program.input_names == ["w", "x"]
    r = evaluate(program, w=2.0, x=3.0)
    assert r.value == (3.0 + 1) * 4.0 * math.pi
    assert math.isclose(r.gradient["w"], (3.0 + 1) * 2 * 2.0 * math.pi, rel_tol=1e-15)
    assert math.isclose(r.gradient["x"], 4.0 * math.pi, rel_tol=1e-15)


def test_other_names_in_a_body_are_inputs():
    program = compile_program("f(a) = a*k; y = f(x)")
    assert program.input_names == ["k", "x"]
    assert evaluate(program, k=2.0, x=5.0).gradient == {"k": 5.0, "x": 2.0}


def test_parameters_are_local():
    program = compile_program("f(x) = x^2; y = f(3) + x")
    assert program.input_names == ["x"]
    assert evaluate(program, x=1.0).value == 10.0
    r = evaluate("a = 5; f(a) = 2*a; y = f(w) + a", w=1.0)
    assert (r.value, r.gradient) == (7.0, {"w": 2.0})


def test_a_function_without_parameters():
    assert evaluate("f() = 3; y = f()*x", x=2.0).gradient == {"x": 3.0}


# -- inputs --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,inputs",
    [
        ("y*x + z", ["y", "x", "z"]),
        ("u = q; out = p*2", ["q", "p"]),
        ("f(a) = a*k; y = x", ["k", "x"]),
        ("a = sin(b) + c; d = c*b", ["b", "c"]),
        ("A*a", ["A", "a"]),
    ],
)
def test_inputs_in_order_of_first_appearance(text, inputs):
    program = compile_program(text)
    assert program.input_names == inputs
    r = evaluate(program, {name: 1.0 for name in inputs})
    assert list(r.gradient) == inputs


def test_an_input_only_in_an_unused_statement_has_partial_zero():
    r = evaluate("u = q; out = p*2", q=7.0, p=1.0)
    assert r.gradient == {"q": 0.0, "p": 2.0}


# -- hash-consing -----------------------------------------------------------------------------


def test_identical_subexpressions_are_one_node():
    assert ops("sin(w)*sin(w)") == ["input", "sin", "mul"]
    assert ops("a = sin(w); b = sin(w) + a") == ["input", "sin", "add"]
    assert ops("exp(x*y) + exp(x*y)*x*y") == ["input", "input", "mul", "exp", "mul", "mul", "add"]


def test_sharing_is_syntactic_not_algebraic():
    assert ops("x*y + y*x").count("mul") == 2


def test_equal_constants_are_one_node_whatever_their_spelling():
    program = compile_program("x*1 + x*1.0 + x*1e0 + x*10e-1 + x*.1e1")
    assert program.graph.op.count("const") == 1
    assert program.graph.op.count("mul") == 1
    assert compile_program("0.1 + 0.10 + 1e-1").graph.op == ["const", "add", "add"]
    # pi is not the decimal 3.141592653589793 (at 50 digits they differ): two constants
    assert compile_program("pi + 3.141592653589793").graph.op == ["const", "const", "add"]


def test_constant_keys_distinguish_what_dict_keys_would_merge():
    g = Graph()
    one = g.const(1.0)
    assert g.const(1) == one and g.const(True) == one
    zero, negative_zero = g.const(0.0), g.const(-0.0)
    assert zero != negative_zero
    assert math.copysign(1.0, g.data[negative_zero]) == -1.0
    assert g.labels() == ["1", "0", "-0"]
    assert g.input("x") != g.const(0.0)


# -- adjoints over several paths ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text,x,want",
    [
        ("x*x", 3.0, 6.0),
        ("sin(x) + sin(x)", 0.5, 2 * math.cos(0.5)),
        ("a = 3*x; b = a + a", 1.0, 6.0),
        ("a = sin(x); b = a*a + exp(a)", 0.5, (2 * math.sin(0.5) + math.exp(math.sin(0.5))) * math.cos(0.5)),
        ("x*x*x", 2.0, 12.0),
        ("max(x, x)", 2.0, 1.0),
        ("x - x", 2.0, 0.0),
        ("x/x", 2.0, 0.0),
    ],
)
def test_adjoints_sum_over_every_path(text, x, want):
    assert math.isclose(evaluate(text, x=x).gradient["x"], want, rel_tol=1e-15, abs_tol=0)


def test_fan_out_edges_each_carry_a_contribution():
    r = evaluate("x*x", x=3.0)
    assert list(r.program.graph.edges()) == [(0, 1, 0), (0, 1, 1)]
    assert r.partials == [3.0, 3.0] and r.contributions == [3.0, 3.0]
    r = evaluate("sin(x) + sin(x)", x=0.0)
    assert r.adjoints == [2.0, 2.0, 1.0]


def test_exponentially_many_paths_cost_one_node_each():
    """x1 = x + x, x2 = x1 + x1, ...: 2^50 paths from x to x50, 51 nodes, 100 edges."""
    text = "x1 = x + x\n" + "".join(f"x{k} = x{k - 1} + x{k - 1}\n" for k in range(2, 51))
    r = evaluate(text, x=1.0)
    assert len(r.program.graph) == 51 and r.program.graph.edge_count() == 100
    assert r.value == 2.0**50 and r.gradient == {"x": 2.0**50}


# -- errors, not guesses -------------------------------------------------------------------------

ERRORS = [
    # program, words the message must contain, (line, column) it must point at (None: no position)
    ("y = x + 1; x = 2", "x is used before its assignment (first use at line 1, column 5)", (1, 12)),
    ("f(a) = a*c; c = 2; y = f(x)", "c is used before its assignment", (1, 13)),
    ("x = 1; x = 2", "x is assigned twice", (1, 8)),
    ("x = x + 1", "x is used before its assignment (first use at line 1, column 5)", (1, 1)),
    ("pi = 3", "cannot assign to the constant pi", (1, 1)),
    ("x = 1; e = 3", "cannot assign to the constant e", (1, 8)),
    ("sin = 3", "cannot assign to sin: it is a function", (1, 1)),
    ("f(a) = a; f = 2", "cannot assign to f: it is a function", (1, 11)),
    ("f(a, a) = a; y = f(1, 2)", "duplicate parameter a", (1, 1)),
    ("f(a, b, a) = a", "duplicate parameter a", (1, 1)),
    ("x = 1; f(a) = a", "the last statement defines f", (1, 8)),
    ("f(a) = a", "the last statement defines f", (1, 1)),
    ("x + 1; y = 2", "this expression is not the last statement", (1, 1)),
    ("a = x + 1; x + 1; b = 2", "this expression is not the last statement", (1, 12)),
    ("y = x*2\n  (x); z = 3", "this expression is not the last statement", (2, 3)),
    ("y = f(x); f(a) = a", "f is called before its definition", (1, 5)),
    ("f(a) = f(a) + 1; y = f(x)", "f calls itself", (1, 8)),
    ("Sin(x)", "unknown function Sin: did you mean sin?", (1, 1)),
    ("x = 1\ny = 2\nz = Exp(x)", "unknown function Exp: did you mean exp?", (3, 5)),
    ("sinn(x)", "unknown function sinn: did you mean sin?", (1, 1)),
    ("foo(x)", "unknown function foo", (1, 1)),
    ("f(a) = a; y = f", "f is a function: call it as f(...)", (1, 15)),
    ("y = sin + 1", "sin is a function", (1, 5)),
    ("x = 2; y = x(3)", "x is a variable, not a function", (1, 12)),
    ("max()", "max takes one or more arguments, got none", (1, 1)),
    ("min()", "min takes one or more arguments, got none", (1, 1)),
    ("hypot(x)", "hypot takes 2 arguments, got 1", (1, 1)),
    ("hypot(x, y, z)", "hypot takes 2 arguments, got 3", (1, 1)),
    ("atan2(x)", "atan2 takes 2 arguments, got 1", (1, 1)),
    ("pow(x, y, z)", "pow takes 2 arguments, got 3", (1, 1)),
    ("sin()", "sin takes 1 argument, got 0", (1, 1)),
    ("y = sin(x, z)", "sin takes 1 argument, got 2", (1, 5)),
    ("f(a) = a; y = f(x, z)", "f takes 1 argument (a), got 2", (1, 15)),
    ("f(a, b) = a; y = f(x)", "f takes 2 arguments (a, b), got 1", (1, 18)),
    ("f(sin) = sin", "parameter sin of f would hide the function sin", (1, 1)),
    ("f(a) = a; f(b) = b; y = f(1)", "function f is defined twice", (1, 11)),
    ("x = 1; x(a) = a", "cannot define x: it is already used as a variable", (1, 8)),
    ("exp(a) = a", "cannot redefine the built-in function exp", (1, 1)),
    ("sin(w", "unexpected end of the program: expected an operator (+ - * / ^), ',' or ')'", (1, 6)),
    ("x = 1\ny = sin(x\nz = y", "unexpected end of the line: expected an operator (+ - * / ^), ',' or ')'", (2, 10)),
    ("x +", "expected a number, a name, '(' or a sign (+ -)", (1, 4)),
    ("* x", "unexpected '*'", (1, 1)),
    ("x y", "unexpected 'y'", (1, 3)),
    ("x)", "unexpected ')'", (1, 2)),
    ("x y = 2", "unexpected 'y ='", (1, 3)),
    ("x = y = 2", "unexpected '='", (1, 7)),
    ("x @ 2", "unexpected character '@'", (1, 3)),
    ("w\n\ny = é", "unexpected character 'é' (names are ASCII letters, digits and _)", (3, 5)),
    ("", "the program is empty", None),
    ("  ;; # nothing\n", "the program is empty", None),
]


@pytest.mark.parametrize("text,words,where", ERRORS, ids=[e[0] or "empty" for e in ERRORS])
def test_errors_name_the_statement(text, words, where):
    e = compile_error(text)
    assert e.exit_code == 2
    assert words in e.message
    rendered = e.render()
    if where is None:
        assert rendered == e.message
        return
    line, column = where
    first, shown, caret = rendered.split("\n")
    prefix = f"line {line}, column {column}: "
    assert first.startswith(prefix), first
    assert shown == "  " + text.split("\n")[line - 1]
    assert caret == " " * (column + 1) + "^"


def test_an_expression_statement_error_points_at_its_own_statement_not_at_an_earlier_copy():
    e = compile_error("y = x*2; x; z = 3")
    assert e.render().startswith("line 1, column 10:")


# -- deep and long programs (no recursion anywhere) ---------------------------------------------


def _nested_sin(n, w):
    """Value and derivative of sin applied n times, computed the same way the sweeps do."""
    values = [w]
    for _ in range(n):
        values.append(math.sin(values[-1]))
    grad = 1.0
    for v in reversed(values[:-1]):
        grad *= math.cos(v)
    return values[-1], grad


def _eval_file(tmp_path, text, *args):
    path = tmp_path / "program.txt"
    path.write_text(text)
    proc = run_cli("eval", "--file", str(path), "-o", "jsonl", *args, timeout=600)
    assert "Traceback" not in proc.stderr and "RecursionError" not in proc.stderr, proc.stderr[-2000:]
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


@pytest.mark.slow
def test_100000_deep_nesting_through_the_cli(tmp_path):
    n = 100_000
    record = _eval_file(tmp_path, "sin(" * n + "w" + ")" * n, "--at", "w=1")
    want_value, want_grad = _nested_sin(n, 1.0)
    assert record["value"] == want_value
    assert math.isclose(record["gradient"]["w"], want_grad, rel_tol=1e-9)


@pytest.mark.slow
def test_200000_statement_chain_through_the_cli(tmp_path):
    n = 200_000
    text = "x1 = sin(w)\n" + "".join(f"x{k} = sin(x{k - 1})\n" for k in range(2, n + 1))
    record = _eval_file(tmp_path, text, "--at", "w=1")
    want_value, want_grad = _nested_sin(n, 1.0)
    assert record["value"] == want_value
    assert math.isclose(record["gradient"]["w"], want_grad, rel_tol=1e-9)


@pytest.mark.slow
def test_100000_deep_parentheses_through_the_cli(tmp_path):
    n = 100_000
    record = _eval_file(tmp_path, "(" * n + "w*w" + ")" * n + " + " + "(" * n + "w" + ")" * n, "--at", "w=3")
    assert record == {"value": 12.0, "gradient": {"w": 7.0}}


@pytest.mark.slow
def test_100000_term_sum_through_the_cli(tmp_path):
    n = 100_000
    record = _eval_file(tmp_path, " + ".join(f"{k}*w" for k in range(1, n + 1)), "--at", "w=1")
    assert record == {"value": n * (n + 1) / 2, "gradient": {"w": n * (n + 1) / 2}}


@pytest.mark.slow
def test_deep_unary_minus_power_and_inlining():
    n = 100_000
    assert evaluate("-" * n + "w", w=2.0).gradient == {"w": 1.0}
    assert evaluate("-" * (n + 1) + "w", w=2.0).value == -2.0
    w, v, dv = 1.2, 1.0, 0.0
    for _ in range(n):  # the tower w^w^...^1 and its derivative, in forward mode
        v, dv = math.pow(w, v), math.pow(w, v) * (math.log(w) * dv + v / w)
    r = evaluate("w^" * n + "1", w=w)
    assert r.value == v
    assert math.isclose(r.gradient["w"], dv, rel_tol=1e-9)
    body = "sin(" * n + "a" + ")" * n
    r = evaluate(f"f(a) = {body}; y = f(w)", w=1.0)
    assert len(r.program.graph) == n + 1
    assert r.value == _nested_sin(n, 1.0)[0]


def test_the_library_is_importable_as_documented():
    r = gradcli.evaluate("f(t) = sin(t); x = f(w); y = f(x); z = f(y)", w=1.0)
    assert r.value == 0.6784304773607402
    p = gradcli.compile_program("x*y + sin(x)")
    assert gradcli.evaluate(p, {"x": 1.0, "y": 2.0}).gradient == {"x": 2.0 + math.cos(1.0), "y": 1.0}


def test_a_literal_beyond_decimals_exponents_is_one_exact_constant():
    """Found by the thorough fuzz: `1e999999999999999999999` (an exponent Decimal cannot hold)
    crashed the constant's key. Equal spellings are one node, other values another; float64
    reads it as inf, --precision as the finite number it is."""
    import gradcli

    g = gradcli.compile_program("10e999999999999999999998 + 1e999999999999999999999 + 2e999999999999999999999").graph
    assert [op for op in g.op].count("const") == 2
    r = run_cli("eval", "1e999999999999999999999 * 1e-999999999999999999999 + 1", "--precision", "30", "-o", "plain")
    assert r.returncode == 0 and r.stdout == "value 2\n", r
