"""Records: one per batch line or point, the data every output format is written from.

A record is a dict: {"line", "value", "gradient": {name: partial}} (floats), with "warnings"
and "notes" when there are any and "failed" when --strict counts it as failed, or
{"line", "error"}. render/ writes them as jsonl, csv, plain text or tables.
"""

from ..engine.evaluate import gradient_items


def result_record(line, result, wrt=None):
    """The record of a batch line that evaluated."""
    rec = {"line": line, "value": result.value, "gradient": dict(gradient_items(result, wrt))}
    if result.warnings:
        rec["warnings"] = list(result.warnings)
    if result.notes:
        rec["notes"] = list(result.notes)
    return rec


def error_record(line, message):
    return {"line": line, "error": message}
