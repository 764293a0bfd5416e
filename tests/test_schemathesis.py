"""Show 5: schemathesis (v4, PyPI) against `serve`'s /openapi.json with every check, bounded in
examples and time: 0 failures. It sends what the schemas admit and expects it served, sends what they
refuse and expects a 4xx, and checks every answer against the documented statuses, types, headers and
schemas, and that undocumented methods get 405 with a matching Allow."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.servers

CONFIG = Path(__file__).parent / "fixtures" / "schemathesis.toml"
EXAMPLES = 15  # per operation and phase
SECONDS = 120  # schemathesis's own budget; the subprocess is killed at twice that


def test_schemathesis_finds_no_failure_with_every_check(serve_endpoint, tmp_path):
    schemathesis = Path(sys.executable).parent / "schemathesis"
    if not schemathesis.exists():
        pytest.fail(f"schemathesis is in the test extra; not found at {schemathesis}")
    openapi = serve_endpoint.sparql.removesuffix("/sparql") + "/openapi.json"
    done = subprocess.run(
        [str(schemathesis), "--config-file", str(CONFIG), "run", openapi, "--checks", "all",
         "--max-examples", str(EXAMPLES), "--max-time", str(SECONDS), "--seed", "13", "--request-timeout", "20",
         "--workers", "1", "--no-color"],
        capture_output=True, text=True, timeout=2 * SECONDS + 60, cwd=tmp_path)
    report = done.stdout + done.stderr
    assert done.returncode == 0, report[-6000:]
    assert "failure" not in report.split("SUMMARY")[-1].lower(), report[-3000:]
    with urllib.request.urlopen(openapi, timeout=20) as answer:
        operations = sum(len(item) for item in json.load(answer)["paths"].values())
    assert f"Tested: {operations}" in report, report[-3000:]  # every operation, none skipped
