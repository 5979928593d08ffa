"""`--precision DIGITS`: the option, shared by eval, batch and explain, and the number type it picks.

mpmath is imported only when the option is given (numbers/mp.py), so a float64 run never pays
for it.
"""

import click

from ..numbers.float64 import FloatMath

MIN_DIGITS, MAX_DIGITS = 1, 10_000  # numbers/mp.py's range, repeated so float64 runs skip mpmath


def precision_options(f):
    """The --precision option, for a command that evaluates at a point."""
    return click.option(
        "--precision", type=click.IntRange(MIN_DIGITS, MAX_DIGITS), metavar="DIGITS",
        help=f"Compute with DIGITS significant digits ({MIN_DIGITS}..{MAX_DIGITS}; mpmath, with guard "
        "digits) instead of float64; literals and --at values are read as decimals.",
    )(f)


def number_type(digits, program):
    """The number type for `program`: float64, or mpmath at `digits` digits."""
    if digits is None:
        return FloatMath
    from ..numbers.mp import precision_math

    return precision_math(digits, program)


def batch_number_type(digits):
    """Per batch line: a function of its program, or None for float64."""
    if digits is None:
        return None
    return lambda program: number_type(digits, program)
