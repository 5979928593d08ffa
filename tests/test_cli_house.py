"""The CLI as a table: click's CliRunner sees the exit codes and stderr a shell sees; every
command's formats have a renderer in the one registry; the rules that used to live in the CLI
(--wrt, --points refusals, the batch csv header) are the library's, tested where they live."""

import io

import click
import pytest
from click.testing import CliRunner

import gradcli
from gradcli.cli import cli
from gradcli.core.errors import UsageError
from gradcli.engine.evaluate import check_wrt, named_numbers
from gradcli.io.batch import Batch
from gradcli.io.points import check_options, check_sources
from gradcli.io.records import Header, Record
from gradcli.render import RICH, render


def invoke(*args, input=None):
    return CliRunner().invoke(cli, list(args), input=input)


# -- in process, as in a shell -----------------------------------------------------------


def test_cli_runner_gets_exit_codes_and_messages_in_process():
    ok = invoke("eval", "x*y", "--at", "x=2,y=3", "-o", "plain")
    assert (ok.exit_code, ok.stdout, ok.stderr) == (0, "value 6\nd/dx 3\nd/dy 2\n", "")
    missing = invoke("eval", "x*y", "--at", "x=2")
    assert (missing.exit_code, missing.stderr) == (2, "gradcli: no value for input y: add --at y=...\n")
    strict = invoke("eval", "1/x", "--at", "x=0", "--strict", "-o", "plain")
    assert (strict.exit_code, strict.stdout) == (1, "value inf\nd/dx -inf\n")
    assert strict.stderr.startswith("warning: 1 / x (line 1, column 1) is inf")
    assert strict.stderr.endswith("gradcli: --strict: not finite: value, d/dx\n")
    batch = invoke("batch", "-o", "plain", input="x @ x=1\nsin(\n")
    assert batch.exit_code == 1 and batch.stderr.endswith("gradcli: 1 of 2 lines failed\n")
    bad = invoke("eval", "sin(w", "--at", "w=1")
    assert bad.exit_code == 2 and bad.stderr.startswith("gradcli: line 1, column 6: unexpected end of the program")


def test_an_unknown_option_says_where_a_program_with_a_minus_goes_in_process():
    for args in (["eval", "-x^2"], ["-x"]):
        result = invoke(*args)
        assert result.exit_code == 2 and "goes after '--'" in result.stderr


def test_without_a_terminal_the_format_is_plain_and_tables_have_no_colour():
    assert invoke("eval", "x", "--at", "x=1").stdout == "value 1\nd/dx 1\n"
    table = invoke("hessian", "x^2", "--at", "x=1", "-o", "table").stdout
    assert "Hessian" in table and "\x1b[" not in table
    assert "\x1b[" in invoke("hessian", "x^2", "--at", "x=1", "-o", "table", "--color").stdout


# -- one registry ------------------------------------------------------------------------

RECORD_TYPES = {  # the type each command shows
    "eval": "Result", "diff": "Derivatives", "hessian": "SecondOrder", "check": "CheckReport",
    "graph": "Drawing", "batch": "Record", "jacobian": "FirstOrder", "jvp": "FirstOrder", "vjp": "FirstOrder",
    "taylor": "Taylor",
}


@pytest.mark.parametrize("command", sorted(RECORD_TYPES))
def test_every_format_a_command_offers_has_a_renderer(command):
    from gradcli.render import _RENDERERS, _load

    _load()
    option = next(p for p in cli.commands[command].params if p.name == "fmt")
    assert isinstance(option.type, click.Choice)
    missing = [f for f in option.type.choices if (RECORD_TYPES[command], f) not in _RENDERERS]
    assert not missing


def test_every_registered_type_name_is_one_class():
    """The registry knows a type by its name alone: two classes of one name would share renderers."""
    import importlib
    import pkgutil

    from gradcli.render import _RENDERERS, _load

    _load()
    classes = {}
    for info in pkgutil.walk_packages(gradcli.__path__, "gradcli."):
        if not info.name.endswith("__main__"):
            module = importlib.import_module(info.name)
            for v in vars(module).values():
                if isinstance(v, type) and v.__module__ == module.__name__:
                    classes.setdefault(v.__name__, set()).add(module.__name__)
    assert {kind: classes.get(kind) for kind, _ in _RENDERERS if len(classes.get(kind, ())) != 1} == {}


def test_the_drivers_stats_render_through_the_registry():
    from gradcli.derived.sparse import sparse_hessian, sparse_jacobian

    s = sparse_hessian(gradcli.compile_program("sin(a*b)"), {"a": 1.0, "b": 2.0})
    assert render(s, "plain", stats=True).endswith("nonzeros 4\nsweeps 2\ndense_sweeps 2\ndense true\n")
    assert "sparsity" not in render(s, "json")
    j = sparse_jacobian(gradcli.compile_program("a*b, sin(a)"), {"a": 1.0, "b": 2.0})
    assert '"sparsity": {' in render(j, "json", stats=True)
    assert str(render(j, "table", stats=True)[-1]).startswith("sparsity: 3 structural nonzeros; 2 sweeps")


def test_render_gives_each_renderer_the_options_it_takes():
    result = gradcli.evaluate("x*y", x=2.0, y=3.0)
    assert render(result, "plain", digits=2, wrt=["y"], quiet=True, max_rows=5, inline=True) == "2\n"
    assert render(result, "csv", wrt=["y"], quiet=True) == "value,d/dy\n6,2\n"
    tables = render(result, "table", digits=3)
    assert "table" in RICH and isinstance(tables, list) and tables
    assert render(Header(["x", "y"]), "csv", digits=3) == "line,value,error,d/dx,d/dy\n"
    assert render(Record(line=4, error="bad"), "jsonl") == '{"line": 4, "error": "bad"}\n'


def test_one_labelling_of_a_results_numbers():
    assert named_numbers(1.5, [("x", 2.0), ("y", 0.0)]) == [("value", 1.5), ("d/dx", 2.0), ("d/dy", 0.0)]


# -- rules that live in the library now --------------------------------------------------


def test_wrt_names_inputs_once_each_in_order():
    assert check_wrt(["y", "x", "y"], ["x", "y"]) == ["y", "x"]
    with pytest.raises(UsageError, match=r"--wrt z, w: not an input of the program \(inputs: x\)"):
        check_wrt(["z", "w"], ["x"])


def test_points_refusals():
    check_sources("prog.txt", "-")
    check_options("csv")
    with pytest.raises(UsageError, match="both read stdin"):
        check_sources("-", "-")
    for kwargs, words in [({"nodes": ("1",)}, "--nodes"), ({"stats": True}, "--stats"),
                          ({"strategy": "recompute"}, "--strategy"), ({}, "a record per point")]:
        with pytest.raises(UsageError, match=words):
            check_options("json" if not kwargs else "plain", **kwargs)


def test_batch_csv_header_comes_first_naming_the_first_results_inputs():
    stream = io.BytesIO(b"sin(\nx*y @ x=2, y=3\ny @ y=1\n")
    items = list(Batch(csv=True).records(stream))
    assert isinstance(items[0], Header) and items[0].names == ["x", "y"]
    assert [rec["line"] for rec in items[1:]] == [1, 2, 3]
    empty = list(Batch(csv=True).records(io.BytesIO(b"")))
    assert len(empty) == 1 and empty[0].names == []
    assert not any(isinstance(rec, Header) for rec in Batch().records(io.BytesIO(b"x @ x=1\n")))
