"""The Hessian and H·v on the page, by the names the derivative commands' writer calls."""

from .json import second_order_record as record  # noqa: F401
from .tables import second_order_tables as tables  # noqa: F401
from .text import second_order_csv as csv  # noqa: F401
from .text import second_order_plain as plain  # noqa: F401
