"""Taylor mode on the page: the k-th derivatives along the direction."""

from ..numbers.text import format_number, json_number
from .fitted import Fitted as _Fitted
from .fitted import new_table as _table
from .json import rounded
from .text import csv_text


def plain(t, digits=None):
    """`d0 V`, `d1 ...`: the k-th derivative along the direction, one a line."""
    return "".join(f"d{k} {format_number(x, digits)}\n" for k, x in enumerate(t.derivatives))


def record(t, digits=None):
    return {
        "value": json_number(rounded(t.value, digits)),
        "derivatives": [json_number(rounded(x, digits)) for x in t.derivatives],
        "direction": {n: json_number(x) for n, x in t.direction.items()},
        "warnings": list(t.warnings),
        "notes": list(t.notes),
    }


def csv(t, digits=None):
    return csv_text([["k", "derivative"], *([k, format_number(x, digits)] for k, x in enumerate(t.derivatives))])


def tables(t, digits=None):
    from rich.text import Text

    table = _table(("k", "right"), ("d^k/dt^k f(x + t·v)", "right"), whole_numbers=True)
    for k, x in enumerate(t.derivatives):
        table.add_row(Text(str(k)), Text(format_number(x, digits)))
    v = ", ".join(f"{n}={format_number(x)}" for n, x in t.direction.items())
    return [Text(f"Taylor mode along v = ({v})", style="italic"), _Fitted(lambda width: table),
            *(Text(f"note: {note}") for note in t.notes)]
