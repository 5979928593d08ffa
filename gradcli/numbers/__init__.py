"""The number types. `number_type` picks one by digits, so that float64 runs never import mpmath."""


def number_type(digits=None, program=None):
    """float64 (`digits` None), or mpmath at `digits` significant digits with guard digits for
    `program`'s size (numbers/mp.py)."""
    from .float64 import FloatMath

    if digits is None:
        return FloatMath
    from .mp import precision_math

    return precision_math(digits, program)


def per_type(build):
    """`build(m)` made once per number type `m` and kept on `m` itself, so it lives exactly as
    long as `m`: a --precision type is made per run (per batch line, per API call), and a
    module-level cache would keep every one."""
    key = f"_{build.__module__}.{build.__name__}"

    def get(m):
        made = vars(m).get(key)
        if made is None:
            made = build(m)
            setattr(m, key, made)
        return made

    def forget(m):
        """Build it again on next use (after the op table changed: a test's planted rule)."""
        if key in vars(m):
            delattr(m, key)

    get.__doc__, get.__name__, get.forget = build.__doc__, build.__name__, forget
    return get


class Recorded:
    """A number its number type `m` records rather than computes (a graph node, a line of
    staged code): `+` and `*`, the two operations the sweeps write inline (contribution =
    adjoint × partial; adjoint += contribution), are m's add and mul."""

    __slots__ = ()

    def __add__(self, other):
        return self.m.add(self, other)

    def __radd__(self, other):
        return self.m.add(other, self)

    def __mul__(self, other):
        return self.m.mul(self, other)

    def __rmul__(self, other):
        return self.m.mul(other, self)
