"""Shared test helpers: run the real `gradcli` in a subprocess, the way a shell would."""

import os
import subprocess
import sys


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
