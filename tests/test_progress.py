"""Progress is shown on standard error when it is a terminal, and never with --quiet or in a pipe;
standard output is the same either way."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow  # the command line in a child process, with a terminal


def run_with_terminal_stderr(*args: str) -> tuple[int, bytes, bytes]:
    """Run the command with standard error on a pseudo-terminal and standard output on a pipe."""
    master, slave = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "coalition_kg.cli", *args], stdout=subprocess.PIPE,
                               stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the command closed its end
            break
        if not chunk:
            break
        shown += chunk
    out = process.stdout.read()
    process.wait(timeout=120)
    os.close(master)
    return process.returncode, out, shown


def test_a_terminal_sees_each_step(synthetic):
    code, out, shown = run_with_terminal_stderr("--root", str(synthetic), "validate", "--texts",
                                                str(synthetic / "texts"))
    assert code == 0, shown
    text = shown.decode()
    for step in ("loading", "deriving shortcuts", "data shapes (turbo)", "quotes",
                 "OWL-RL inference (in-store) and consistency"):
        assert step in text, f"no progress for {step!r} in {text!r}"
    assert out.decode().splitlines()[-1].startswith("conforms")  # after each source's coverage


def test_quiet_silences_it(synthetic):
    code, out, shown = run_with_terminal_stderr("--root", str(synthetic), "--quiet", "validate", "--texts",
                                                str(synthetic / "texts"))
    assert code == 0 and shown.strip() == b""
    assert out.decode().splitlines()[-1].startswith("conforms")  # after each source's coverage


def test_a_pipe_gets_no_progress(synthetic):
    result = subprocess.run([sys.executable, "-m", "coalition_kg.cli", "--root", str(synthetic), "export",
                             "--inferred", "--format", "nt"], capture_output=True, timeout=120)
    assert result.returncode == 0 and result.stderr == b""
    assert b"<https://w3id.org/coalition-kg/graph/inferred>" not in result.stdout  # N-Triples: no graph names
    assert result.stdout.count(b"\n") > 1000
