"""Numbers as text: repr round-trip precision for floats, strict JSON, and exact counts.

Every renderer, and every message that quotes a number, writes it through here, so `1.0`
prints as `1`, nan as `nan`, and a count of 3**1000 paths never as a 4300-digit cut.
"""

import math
import re

from ..core.errors import finite

INF = math.inf


def format_number(x, digits=None):
    """repr round-trip precision by default; `digits` significant digits when asked. An
    arbitrary-precision number (numbers/mp.py) prints its type's digits, or fewer."""
    if x != x:
        return "nan"
    if x in (INF, -INF):
        return "inf" if x > 0 else "-inf"
    shown = getattr(x, "shown_digits", None)
    if shown is not None:
        return mp_text(x, min(digits or shown, shown))
    text = repr(float(x)) if digits is None else f"{x:.{digits}g}"
    return text.removesuffix(".0")


def mp_text(x, digits):
    """An mpmath number with `digits` significant digits, written as Python writes floats."""
    text = x.context.nstr(x, digits, min_fixed=-4, max_fixed=min(digits, 16))
    return text.replace(".0e", "e").removesuffix(".0")


RAW = "\ue000"  # brackets a number's digits that to_json writes as a bare JSON number


def json_number(x):
    """A float for RFC 8259 JSON: non-finite numbers become the strings "nan", "inf", "-inf";
    an arbitrary-precision number carries every digit (a raw number: see raw_numbers)."""
    if x is None or finite(x):
        if getattr(x, "shown_digits", None) is not None:
            return f"{RAW}{format_number(x)}{RAW}"
        return x
    return format_number(x)


_RAW_NUMBER = re.compile(f'"{RAW}(-?[0-9][0-9.e+-]*){RAW}"')


def raw_numbers(text):
    """JSON text with each bracketed string of digits (json_number) as the number it spells."""
    return _RAW_NUMBER.sub(r"\1", text) if RAW in text else text


def count_text(n):
    """An exact count in full up to 15 digits, else abbreviated: 3**1000 is `1.32e477`."""
    from decimal import Decimal

    if n < 10**15:
        return str(n)
    return f"{Decimal(n):.2e}".replace("e+", "e")


def count_digits(n):
    """All the digits of a count, however long (str() of an int stops at 4300 digits)."""
    from decimal import Decimal

    return str(Decimal(n))


def json_count(n):
    """An exact count for JSON: a number, or a string of its digits past the length Python's
    own json.loads reads by default (4300 digits)."""
    import sys

    text = count_digits(n)
    limit = sys.get_int_max_str_digits()
    return text if limit and len(text) > limit else n
