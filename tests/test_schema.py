"""docs/schema/*.json describe every JSON record gradcli writes: real output validates, and a
record that is wrong in any of the ways a reader relies on (a missing key, an extra key, a
wrong type, an unknown op or status) does not, so the schemas are not vacuous."""

import copy
import json
from pathlib import Path

import jsonschema
import pytest
from referencing import Registry, Resource

from gradcli.core.ops import OPS

from conftest import run_cli

SCHEMAS = Path(__file__).resolve().parent.parent / "docs" / "schema"
LOADED = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in sorted(SCHEMAS.glob("*.json"))}
REGISTRY = Registry().with_resources((s["$id"], Resource.from_contents(s)) for s in LOADED.values())


def validator(name):
    schema = LOADED[name]
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, registry=REGISTRY)


def output(*args, input=None, codes=(0,)):
    proc = run_cli(*args, input=input)
    assert proc.returncode in codes, proc.stderr
    return proc.stdout


def records(text):
    return [json.loads(line) for line in text.splitlines()]


SEVERAL = "x = sin(w)*v; y = x*w; x, y, x + y"

# (schema, how the record is made, the records)
CASES = {
    "eval": ("eval.json", lambda: [json.loads(output("eval", "u = 2*w + sin(w); q = u*0 + abs(w)", "--at", "w=0", "--json"))]),
    "eval-nonfinite": ("eval.json", lambda: [json.loads(output("eval", "log(x) + y", "--at", "x=-1,y=2", "--json"))]),
    "eval-stats": ("eval.json", lambda: [json.loads(output("eval", "x*y + sin(x)", "--at", "x=1,y=2", "--json", "--stats",
                                                          "--strategy", s)) for s in ("store", "recompute", "checkpoint")]),
    "stats": ("stats.json", lambda: [json.loads(output("eval", "x*y", "--at", "x=1,y=2", "--json", "--stats", "--strategy", s))["stats"]
                                     for s in ("store", "checkpoint")]),
    "eval-jsonl": ("record.json", lambda: records(output("eval", "x^2*y", "--at", "x=3,y=2", "-o", "jsonl"))
                   + records(output("eval", "abs(x)", "--at", "x=0", "-o", "jsonl", "--stats"))),
    "batch-jsonl": ("record.json", lambda: records(output(
        "batch", "-o", "jsonl", "--at", "y=1", input="x*y @ x=2\nlog(x @ x=1\nlog(x) @ x=-1\nmax(x, y) @ x=1\n", codes=(1,)))),
    "batch-strict": ("record.json", lambda: records(output(
        "batch", "-o", "jsonl", "--strict", input="1/x @ x=0\nx @ x=1\n", codes=(1,)))),
    "points-jsonl": ("record.json", lambda: records(output(
        "eval", "x^2*y", "--points", "-", "-o", "jsonl", input="x,y\n1,2\n3,oops\n", codes=(1,)))),
    "eval-uncertainty": ("eval.json", lambda: [json.loads(output("eval", "sin(x)*y", "--at", "x=1±0.1,y=2±0.2", "--json", *more))
                                               for more in ([], ["--correlation", "x:y=0.5"], ["--uncertainty", "second-order"],
                                                            ["--uncertainty", "mc:100"])]),
    "batch-uncertainty": ("record.json", lambda: records(output(
        "batch", "-o", "jsonl", "--uncertainty", "mc:100", input="x*y @ x=2±0.1,y=1±0.2\nx @ x=1\n"))),
    "explain": ("explain.json", lambda: [json.loads(output("explain", "u = 2*w + q*0; z = abs(w) + w*w", "--at", "w=0,q=1", "--json"))]),
    "explain-several": ("explain.json", lambda: [json.loads(output("explain", "u = 2*w + q*0; z = abs(w) + w*w; u, z, u*z",
                                                                   "--at", "w=0,q=1", "--json"))]),
    "hessian": ("hessian.json", lambda: [json.loads(output("hessian", "x*y^2", "--at", "x=1,y=2", "--json")),
                                         json.loads(output("hessian", "sqrt(x)", "--at", "x=0", "--json"))]),
    "hessian-hvp": ("hessian.json", lambda: [json.loads(output("hessian", "x*y^2", "--at", "x=1,y=2", "--json", "--hvp", "1,0"))]),
    "check": ("check.json", lambda: [json.loads(output("check", "relu(x)*y", "--at", "x=0,y=2", "--json", "--hessian")),
                                     json.loads(output("check", "log(x)", "--at", "x=-1", "--json")),
                                     json.loads(output("check", "sin(x)*y", "--at", "x=1,y=2", "--json", "--reference", "precision"))]),
    "check-drivers": ("check.json", lambda: [json.loads(output("check", "x = sin(w)*v; x, x*w", "--at", "w=1,v=2", "--json")),
                                             json.loads(output("check", "x = sin(w)*v; x, x*w", "--at", "w=1,v=2", "--json", "--dir", "w=1")),
                                             json.loads(output("check", "relu(w)*v", "--at", "w=0,v=2", "--json", "--dir", "w=1,v=1"))]),
    "first-order": ("first_order.json", lambda: [json.loads(output(*command, "--json")) for command in (
        ["jacobian", SEVERAL, "--at", "w=1,v=2"],
        ["jacobian", SEVERAL, "--at", "w=1±0.1,v=2±0.2", "--correlation", "w:v=0.5"],
        ["jacobian", SEVERAL, "--at", "w=1,v=2", "--sparse", "--stats", "--precision", "30"],
        ["jvp", SEVERAL, "--at", "w=1,v=2", "--dir", "w=1"],
        ["vjp", SEVERAL, "--at", "w=1,v=2", "--seed", "y=1"],
        ["vjp", "log(w)", "--at", "w=-1"])]),
    "first-order-points": ("first_order.json", lambda: records(output(
        "jvp", SEVERAL, "--dir", "w=1", "--points", "-", input="w,v\n1,2\n3,4\n"))),
    "taylor": ("taylor.json", lambda: [json.loads(output("taylor", "exp(w)*v", "--at", "w=1,v=2", "--dir", "w=1,v=1", "--order", "4",
                                                         "--json", *more)) for more in ([], ["--precision", "30"])]),
    "hessian-sparse": ("hessian.json", lambda: [json.loads(output("hessian", "x*y^2 + z", "--at", "x=1,y=2,z=0", "--json",
                                                                  "--sparse", "--stats"))]),
    "diff": ("diff.json", lambda: [json.loads(output("diff", "x*y^2", "--json")),
                                   json.loads(output("diff", "x*y^2", "--json", "--order", "2", "--wrt", "y"))]),
    "diff-several": ("diff.json", lambda: [json.loads(output("diff", "u = x*y^2; u, u + x", "--json", "--order", "2"))]),
}


@pytest.mark.parametrize("case", CASES)
def test_real_output_validates(case):
    name, make = CASES[case]
    check = validator(name)
    for rec in make():
        check.validate(rec)


def test_every_schema_is_valid_draft_2020_12():
    for name in LOADED:
        validator(name)
        assert LOADED[name]["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_the_op_enum_is_the_op_table():
    ops = LOADED["eval.json"]["properties"]["nodes"]["items"]["properties"]["op"]["enum"]
    assert sorted(ops) == sorted(["input", "const", *OPS])


def broken(rec, change):
    rec = copy.deepcopy(rec)
    change(rec)
    return rec


def test_wrong_records_fail():
    """Each schema rejects a record with a key missing, a key added, a wrong type or value."""
    good_eval = json.loads(output("eval", "2*w", "--at", "w=3", "--json"))
    good_hessian = json.loads(output("hessian", "x*y", "--at", "x=1,y=2", "--json"))
    good_check = json.loads(output("check", "x*y", "--at", "x=1,y=2", "--json"))
    good_stats = json.loads(output("eval", "x", "--at", "x=1", "--json", "--stats"))["stats"]
    wrong = [
        ("eval.json", broken(good_eval, lambda r: r.pop("edges"))),
        ("eval.json", broken(good_eval, lambda r: r.update(extra=1))),
        ("eval.json", broken(good_eval, lambda r: r.update(value=float("nan")) or r.update(value="NaN"))),
        ("eval.json", broken(good_eval, lambda r: r["nodes"][0].update(op="times"))),
        ("eval.json", broken(good_eval, lambda r: r["edges"][0].update(partial=None))),
        ("eval.json", broken(good_eval, lambda r: r["nodes"][0].update(role="structural zero"))),
        ("record.json", {"line": 1}),
        ("record.json", {"value": 1.0, "gradient": {"x": "one"}}),
        ("record.json", {"line": 2, "error": "x", "value": 1.0}),
        ("record.json", {"line": 0, "error": "x"}),
        ("stats.json", broken(good_stats, lambda r: r.pop("paths"))),
        ("stats.json", broken(good_stats, lambda r: r.update(segments=3))),
        ("stats.json", broken(good_stats, lambda r: r.update(paths="1.3e477"))),
        ("hessian.json", broken(good_hessian, lambda r: r.update(hvp={"x": 1.0}))),
        ("hessian.json", broken(good_hessian, lambda r: r.update(hessian=[[1.0, "big"]]))),
        ("check.json", broken(good_check, lambda r: r.update(verdict="fine"))),
        ("check.json", broken(good_check, lambda r: r["checks"][0].pop("status"))),
        ("diff.json", broken(json.loads(output("diff", "x*y", "--json")), lambda r: r.update(order=0))),
        ("diff.json", broken(json.loads(output("diff", "x*y", "--json")), lambda r: r.update(outputs=["f", "g"]))),
        ("explain.json", broken(json.loads(output("explain", "x*y", "--at", "x=1,y=2", "--json")),
                                lambda r: r["steps"][0]["terms"].append({"child": 1}))),
        ("explain.json", broken(json.loads(output("explain", "x = w*y; x, x*y", "--at", "w=1,y=2", "--json")),
                                lambda r: r["forward"][0].pop("adjoints"))),
    ]
    jac = json.loads(output("jacobian", SEVERAL, "--at", "w=1,v=2", "--json"))
    wrong += [
        ("first_order.json", broken(jac, lambda r: r.pop("jacobian"))),
        ("first_order.json", broken(jac, lambda r: r.update(mode="sideways"))),
        ("first_order.json", broken(jac, lambda r: r.update(uncertainty={"x": 0.1}))),  # no covariance
        ("first_order.json", broken(jac, lambda r: r.update(jvp={"x": 1.0}))),
        ("taylor.json", broken(json.loads(output("taylor", "sin(w)", "--at", "w=1", "--dir", "w=1", "--json")),
                               lambda r: r.update(derivatives=[]))),
        ("check.json", broken(good_check, lambda r: r["checks"][0].update(precision_50=1.0))),  # two references
    ]
    for name, rec in wrong:
        assert not validator(name).is_valid(rec), (name, rec)
