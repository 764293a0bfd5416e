"""The pre-commit hook (.pre-commit-hooks.yaml), run for real: pre-commit from PyPI installs this
repository's working tree (committed to a throwaway clone) into a virtualenv of its own, and runs
`coalition-kg validate` in a scratch repository with our layout and no source texts beside it.

The install happens once, in the module's fixture; it takes most of this module's time."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.precommit  # installs the hooks into a scratch repository

ROOT = Path(__file__).resolve().parents[1]
HOOK_ID = "coalition-kg-validate"
DOCUMENT = "data/sources/003_73e3b687882f6e77.ttl"
MEETING = "id:2023-03-01-afg-plenary-niamey a ckg:PlenaryMeeting"


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", "-c", "user.name=test", "-c", "user.email=test@example.org", "-c",
                           "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout


def working_tree_files() -> list[str]:
    """The files of the working tree as git sees it (tracked, or untracked and not ignored), read
    without touching the repository's index."""
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    return sorted({name for name in listed.split("\0") if name and (ROOT / name).is_file()})


@dataclass
class Scratch:
    repo: Path
    env: dict
    install_seconds: float

    def run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "pre_commit", "run", *args], cwd=self.repo, env=self.env,
                              capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Scratch:
    base = tmp_path_factory.mktemp("precommit")
    # The hook repository: this working tree, uncommitted changes included, in a commit of its own.
    hooks = base / "hook-repo"
    for name in working_tree_files():
        (hooks / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, hooks / name)
    git(hooks, "init", "-q")
    git(hooks, "add", "-A")
    git(hooks, "commit", "-q", "-m", "working tree")
    rev = git(hooks, "rev-parse", "HEAD").strip()
    # A repository of another project with our layout, its texts not beside it.
    repo = base / "other" / "repo"
    for name in ("ontology", "data", "shapes", "queries"):
        shutil.copytree(ROOT / name, repo / name)
    config = {"repos": [{"repo": str(hooks), "rev": rev, "hooks": [{"id": HOOK_ID}]}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    (repo / "README.md").write_text("not a graph file\n", encoding="utf-8")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "graph")
    assert not (repo / ".." / "shared" / "seeds").exists()  # validate skips the quote check
    env = {key: value for key, value in os.environ.items() if not key.startswith(("GIT_", "PRE_COMMIT"))}
    env["PRE_COMMIT_HOME"] = str(base / "pre-commit-home")
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "pre_commit", "install-hooks"], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    seconds = time.monotonic() - started
    print(f"\npre-commit install-hooks (a virtualenv with coalition-kg and its dependencies): {seconds:.1f} s")
    return Scratch(repo, env, seconds)


def output(done: subprocess.CompletedProcess) -> str:
    return done.stdout + done.stderr


def test_hook_passes_on_a_conforming_repository_without_source_texts(scratch):
    done = scratch.run("--all-files")
    assert done.returncode == 0, output(done)
    assert re.search(r"coalition-kg validate\.+Passed", output(done)), output(done)


def test_hook_is_skipped_when_no_graph_file_changes(scratch):
    done = scratch.run("--files", "README.md")
    assert done.returncode == 0, output(done)
    assert re.search(r"coalition-kg validate\.+\(no files to check\)Skipped", output(done)), output(done)


def run_broken(scratch, old: str, new: str):
    """Replace ``old`` (once) in the document, run the hook on every file, put the text back; return
    the run and the line ``old`` was on."""
    path = scratch.repo / DOCUMENT
    original = path.read_text(encoding="utf-8")
    assert original.count(old) == 1
    path.write_text(original.replace(old, new), encoding="utf-8")
    try:
        return scratch.run("--all-files"), original[: original.index(old)].count("\n") + 1
    finally:
        path.write_text(original, encoding="utf-8")


def test_hook_fails_on_a_missing_required_property_naming_file_and_line(scratch):
    text = (scratch.repo / DOCUMENT).read_text(encoding="utf-8")
    meeting_line = text[: text.index(MEETING)].count("\n") + 1
    done, _ = run_broken(scratch, '    ckg:date "2023-03-01"^^xsd:date ;\n', "")
    assert done.returncode == 1, output(done)
    assert re.search(r"coalition-kg validate\.+Failed", output(done)), output(done)
    assert f"{DOCUMENT}:{meeting_line}: error: a meeting needs exactly one ckg:date" in output(done), output(done)


def test_hook_fails_on_a_syntax_error_naming_file_and_line(scratch):
    done, line = run_broken(scratch, "    ckg:location id:niamey ;\n", "    ckg:location id:niamey\n")
    assert done.returncode == 1, output(done)
    assert re.search(rf"coalition-kg: error: {re.escape(DOCUMENT)}:{line + 1}:\d+: ", output(done)), output(done)
