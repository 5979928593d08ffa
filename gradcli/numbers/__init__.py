"""The number types. `number_type` picks one by digits, so that float64 runs never import mpmath."""


def number_type(digits=None, program=None):
    """float64 (`digits` None), or mpmath at `digits` significant digits with guard digits for
    `program`'s size (numbers/mp.py)."""
    from .float64 import FloatMath

    if digits is None:
        return FloatMath
    from .mp import precision_math

    return precision_math(digits, program)
