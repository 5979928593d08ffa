"""How many random examples a property runs: CI's quick profile, or the thorough one.

`GRADCLI_THOROUGH=1` runs 20,000 per property, `GRADCLI_THOROUGH=N` runs N. The hypothesis
properties read it through conftest's profiles; the seeded random-program tests (symgen.py's
programs) through `seeds()`, so both scale together.
"""

import os

_THOROUGH = os.environ.get("GRADCLI_THOROUGH", "")
THOROUGH = _THOROUGH not in ("", "0")
EXAMPLES = int(_THOROUGH) if _THOROUGH.isdigit() and int(_THOROUGH) > 1 else 20_000


def seeds(quick):
    """The seeds of a random-program test: `quick` of them in CI, EXAMPLES when thorough."""
    return range(EXAMPLES if THOROUGH else quick)
