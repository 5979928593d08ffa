"""Records: one per batch line or point, the data every output format is written from.

A Record is a dict: {"line", "value", "gradient": {name: partial}} (floats), with "warnings"
and "notes" when there are any, "budget" (a derived.uncertainty.Budget) for a line with `±`
values, and "failed" when --strict counts it as failed, or
{"line", "error"}. A Chunk is consecutive points' results as columns; a Header is the csv
header's partial columns, streamed before the first record. render/ writes them as jsonl, csv,
plain text or tables (its registry knows them by their type).
"""

import heapq

from ..engine.evaluate import gradient_items


class Record(dict):
    """One batch line's or one point's record (see the module docstring)."""


def result_record(line, result, wrt=None):
    """The record of a batch line that evaluated."""
    rec = Record(line=line, value=result.value, gradient=dict(gradient_items(result, wrt)))
    if result.warnings:
        rec["warnings"] = list(result.warnings)
    if result.notes:
        rec["notes"] = list(result.notes)
    return rec


def error_record(line, message):
    return Record(line=line, error=message)


class Header:
    """The csv header of batch and points output: its partial columns, `names`, and the
    uncertainty budget's columns (labels of derived.uncertainty.Budget.columns) if any."""

    def __init__(self, names, uncertainty=()):
        self.names = list(names)
        self.uncertainty = list(uncertainty)


class Chunk:
    """Consecutive points' results: the good rows as columns of floats (a value and a partial
    per name of `names`), the bad rows as (line, message) pairs; both in line order."""

    def __init__(self, names, lines, value, partials, errors):
        self.names = names
        self.lines = lines
        self.value = value
        self.partials = partials
        self.errors = errors

    def records(self):
        """The chunk as Records, the bad rows' error records in their places."""
        good = (
            (line, Record(line=line, value=v, gradient=dict(zip(self.names, g, strict=True))))
            for line, v, *g in zip(self.lines, self.value, *self.partials, strict=True)
        )
        return in_line_order(good, self.error_records())

    def error_records(self):
        """(line, error Record) of the bad rows, in line order."""
        return ((line, error_record(line, message)) for line, message in self.errors)


def in_line_order(good, bad):
    """The items of two runs of (line, item) pairs, each in line order, merged in line order."""
    return (item for _, item in heapq.merge(good, bad, key=lambda pair: pair[0]))
