"""Numbers as text: repr round-trip precision for floats, strict JSON, and exact counts.

Every renderer, and every message that quotes a number, writes it through here, so `1.0`
prints as `1`, nan as `nan`, and a count of 3**1000 paths never as a 4300-digit cut.
"""

import math

INF = math.inf


def format_number(x, digits=None):
    """repr round-trip precision by default; `digits` significant digits when asked."""
    if x != x:
        return "nan"
    if x in (INF, -INF):
        return "inf" if x > 0 else "-inf"
    text = repr(float(x)) if digits is None else f"{x:.{digits}g}"
    return text.removesuffix(".0")


def json_number(x):
    """A float for RFC 8259 JSON: non-finite numbers become the strings "nan", "inf", "-inf"."""
    if x is None or math.isfinite(x):
        return x
    return format_number(x)


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
