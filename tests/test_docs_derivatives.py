"""Every console example in docs/derivatives.md runs and prints what the page says."""

import re
import shlex
from pathlib import Path

import pytest

from gen import run_main

DOC = Path(__file__).resolve().parent.parent / "docs" / "derivatives.md"


def examples():
    """(command, expected stdout) for each `$ gradcli ...` line of the console blocks, in
    process; a line that needs the shell (awk, a pipe, `$(...)`) runs in test_docs.py's bash."""
    found = []
    for block in re.findall(r"```console\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL):
        for chunk in re.split(r"(?m)^\$ ", block)[1:]:
            command, _, output = chunk.partition("\n")
            if command.startswith("gradcli ") and not re.search(r"[|>]|\$\(", command):
                found.append((command, output))
    return found


@pytest.mark.parametrize("command,output", examples(), ids=[c for c, _ in examples()])
def test_doc_example(command, output):
    args = shlex.split(command)
    assert args[0] == "gradcli"
    code, out, _ = run_main(args[1:])
    assert code == 0 and out == output
