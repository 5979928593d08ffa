"""Shared test helpers: run the real CLI in process (run_cli) or as a shell would (run_binary),
and require() a real component the tests use."""

import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from typing import NamedTuple

import pytest
from hypothesis import HealthCheck, settings

# Every gradcli the tests run (in process or in a subprocess, which inherits the environment)
# keeps its compiled-program cache in a fresh folder, never in the user's ~/.cache.
os.environ["GRADCLI_CACHE_DIR"] = tempfile.mkdtemp(prefix="gradcli-test-cache-")

_CLI_LOCK = threading.Lock()  # sys.std* and os.environ are process-wide: one in-process run at a time


class Run(NamedTuple):
    """One in-process run: unpacks as (code, out, err), and reads like a CompletedProcess."""

    returncode: int
    stdout: str
    stderr: str


def run_cli(*args, input=None, env=None, timeout=None):
    """`gradcli ARGS` in this process, through main() itself (so exit codes and messages are
    main()'s), with stdin `input` (str or bytes), `env` overrides for the call, and stdout and
    stderr captured as the interpreter sets them up (UTF-8; strict on stdout, backslashreplace on
    stderr). Any exception other than SystemExit propagates: it is the traceback a user would
    have seen. `timeout` is accepted so that run_cli and run_binary are interchangeable."""
    from gradcli.cli import main

    data = input.encode() if isinstance(input, str) else input or b""
    out_bytes, err_bytes = io.BytesIO(), io.BytesIO()
    streams = (
        io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"),
        io.TextIOWrapper(out_bytes, encoding="utf-8", errors="strict", newline="\n"),
        io.TextIOWrapper(err_bytes, encoding="utf-8", errors="backslashreplace", newline="\n"),
    )
    with _CLI_LOCK, _environment(env):
        saved = sys.stdin, sys.stdout, sys.stderr
        handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}  # main() sets its own
        sys.stdin, sys.stdout, sys.stderr = streams
        try:
            main(list(args))
            code = None  # main() must always exit
        except SystemExit as e:
            code = e.code
        finally:
            for s in streams[1:]:
                s.flush()
            sys.stdin, sys.stdout, sys.stderr = saved
            for sig, handler in handlers.items():
                signal.signal(sig, handler)
    return Run(code, out_bytes.getvalue().decode("utf-8"), err_bytes.getvalue().decode("utf-8"))


class _environment:
    """os.environ with NO_COLOR removed and `env` applied, for one call; restored afterwards."""

    def __init__(self, env):
        self.env = env or {}

    def __enter__(self):
        self.saved = dict(os.environ)
        os.environ.pop("NO_COLOR", None)
        os.environ.update(self.env)

    def __exit__(self, *exc):
        os.environ.clear()
        os.environ.update(self.saved)


def run_binary(*args, input=None, env=None, timeout=120):
    """Run `python -m gradcli ARGS` in a subprocess, for tests where the process matters (pipes,
    signals, terminals, installs). `python -m` runs the installed package, as the console script does."""
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


def require(command):
    """Skip unless `command` is on PATH; with GRADCLI_REQUIRE_COMPONENTS=1 (.ci/run) fail instead,
    so that a missing component can never pass as a skipped test."""
    if shutil.which(command) is None:
        message = f"{command!r} is not installed"
        if os.environ.get("GRADCLI_REQUIRE_COMPONENTS") == "1":
            pytest.fail(f"{message} (GRADCLI_REQUIRE_COMPONENTS=1)")
        pytest.skip(message)


# Hypothesis profiles: "quick" (CI: deterministic, a few hundred examples in all) and "thorough"
# (GRADCLI_THOROUGH=1: tens of thousands; GRADCLI_THOROUGH=N for N examples per property).
_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile("quick", max_examples=100, derandomize=True, database=None, deadline=None,
                          suppress_health_check=_SLOW_OK, print_blob=True)
_thorough = os.environ.get("GRADCLI_THOROUGH", "")
settings.register_profile(
    "thorough",
    max_examples=int(_thorough) if _thorough.isdigit() and int(_thorough) > 1 else 20_000,
    deadline=None,
    suppress_health_check=_SLOW_OK,
    print_blob=True,
)
settings.load_profile("thorough" if _thorough not in ("", "0") else "quick")


def seeds(quick_n):
    """Seeds for a random-program property test: range(quick_n) in the quick profile, the
    thorough profile's count (GRADCLI_THOROUGH=N, or 20,000) otherwise."""
    if _thorough in ("", "0"):
        return range(quick_n)
    return range(int(_thorough) if _thorough.isdigit() and int(_thorough) > 1 else 20_000)
