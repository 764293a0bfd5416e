"""How many test cases each suite has, per marker, as collected: tests/collected.json holds the counts
the suite is expected to have, so that a test lost (a parametrisation that yields nothing, a file no
longer collected, a marker that hides too much) is seen. `python -m tests.collection` rewrites it after
tests were added or removed on purpose.

Only collection runs (`pytest --collect-only`, in a subprocess so that every file is collected whatever
the running session selected): a few seconds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "tests" / "collected.json"
# Collected by this plugin, in the subprocess: each case's file and the markers of ours it carries.
PLUGIN = "tests.collection"
_OUTPUT = "COALITION_KG_COLLECTED"


def markers_of_ours() -> list[str]:
    """The markers pyproject.toml registers: the ones that put a test out of the default run."""
    options = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]
    return sorted(line.split(":", 1)[0] for line in options["markers"])


def pytest_collection_finish(session) -> None:  # the plugin's hook, in the subprocess
    ours = set(markers_of_ours())
    counts: dict[str, dict[str, int]] = {}
    for item in session.items:
        path = Path(str(item.path)).relative_to(ROOT).as_posix()
        kind = "+".join(sorted({mark.name for mark in item.iter_markers()} & ours)) or "default"
        counts.setdefault(path, {}).setdefault(kind, 0)
        counts[path][kind] += 1
    Path(os.environ[_OUTPUT]).write_text(json.dumps(counts, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def collected(out: Path) -> dict[str, dict[str, int]]:
    """file -> {marker (or "default", or markers joined by +) -> number of cases}, every marker selected."""
    # -m '' replaces pyproject's -m: no case is deselected (as in .ci/run)
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", PLUGIN, "-p",
                           "no:cacheprovider", "-m", "", "tests"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env={**os.environ, _OUTPUT: str(out)})
    if done.returncode != 0:
        raise AssertionError(f"collection failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return json.loads(out.read_text(encoding="utf-8"))


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        counts = collected(Path(scratch) / "collected.json")
    TABLE.write_text(json.dumps(counts, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    total = sum(n for kinds in counts.values() for n in kinds.values())
    default = sum(kinds.get("default", 0) for kinds in counts.values())
    print(f"{TABLE.relative_to(ROOT)}: {total} cases in {len(counts)} files, {default} in the default run")


if __name__ == "__main__":
    main()
