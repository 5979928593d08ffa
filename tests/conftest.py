"""Shared test helpers: run the real `gradcli` in a subprocess, the way a shell would."""

import os
import subprocess
import sys
import tempfile

# Every gradcli the tests run (in process or in a subprocess, which inherits the environment)
# keeps its compiled-program cache in a fresh folder, never in the user's ~/.cache.
os.environ["GRADCLI_CACHE_DIR"] = tempfile.mkdtemp(prefix="gradcli-test-cache-")


def run_cli(*args, input=None, env=None, timeout=120):
    """Run `python -m gradcli ARGS` with stdin `input` (str or bytes); returns CompletedProcess
    with text stdout/stderr. `python -m` runs the installed package, as the console script does."""
    full_env = dict(os.environ)
    full_env.pop("NO_COLOR", None)
    if env:
        full_env.update(env)
    data = input.encode() if isinstance(input, str) else input
    proc = subprocess.run(
        [sys.executable, "-m", "gradcli", *args],
        input=data,
        capture_output=True,
        env=full_env,
        timeout=timeout,
    )
    proc.stdout = proc.stdout.decode("utf-8", "replace")
    proc.stderr = proc.stderr.decode("utf-8", "replace")
    return proc


# Hypothesis profiles: "quick" (CI: deterministic, a few hundred examples in all) and "thorough"
# (GRADCLI_THOROUGH=1: tens of thousands; GRADCLI_THOROUGH=N for N examples per property).
from hypothesis import HealthCheck, settings  # noqa: E402

_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile("quick", max_examples=100, derandomize=True, database=None, deadline=None,
                          suppress_health_check=_SLOW_OK, print_blob=True)
_thorough = os.environ.get("GRADCLI_THOROUGH", "")
settings.register_profile("thorough", max_examples=int(_thorough) if _thorough.isdigit() and int(_thorough) > 1 else 20_000,
                          deadline=None, suppress_health_check=_SLOW_OK, print_blob=True)
settings.load_profile("thorough" if _thorough not in ("", "0") else "quick")
