"""What `diff` compares: a checkout (a folder) or a git revision of the repository, materialised
as a folder of its graph files."""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from contextlib import ExitStack
from pathlib import Path

from coalition_kg.errors import UsageProblem

FOLDERS = ("ontology", "data", "shapes", "queries")


def check_out(spec: str, repository: Path, stack: ExitStack) -> tuple[Path, str]:
    """(folder, how it was named): ``spec`` itself if it is a folder, else the git revision ``spec``
    of ``repository`` unpacked into a temporary folder that ``stack`` removes."""
    folder = Path(spec)
    if folder.is_dir():
        return folder, str(folder)
    try:
        commit = subprocess.run(["git", "-C", str(repository), "rev-parse", "--verify", "--quiet",  # noqa: S607 (git on PATH)
                                 f"{spec}^{{commit}}"], capture_output=True, text=True, check=False)
    except OSError as error:
        raise UsageProblem(f"{spec}: not a folder, and git cannot be run to read it as a revision ({error})") from None
    if commit.returncode != 0:
        raise UsageProblem(f"{spec}: neither a folder nor a git revision of {repository}")
    sha = commit.stdout.strip()
    present = subprocess.run(["git", "-C", str(repository), "ls-tree", "--name-only", sha],  # noqa: S607 (git on PATH)
                             capture_output=True, text=True, check=True).stdout.split()
    folders = [name for name in FOLDERS if name in present]
    if "data" not in folders or "ontology" not in folders:
        raise UsageProblem(f"{spec} ({sha[:10]}): has no ontology/ and data/ at the top of the repository")
    archive = subprocess.run(["git", "-C", str(repository), "archive", "--format=tar", sha, *folders],  # noqa: S607 (git on PATH)
                             capture_output=True, check=False)
    if archive.returncode != 0:
        raise UsageProblem(f"{spec}: git archive failed: {archive.stderr.decode(errors='replace').strip()}")
    target = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="coalition-kg-diff-")))
    try:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(target, filter="data")  # no links out of the folder, no device files
    except tarfile.FilterError as error:  # a link that leaves the checkout, an absolute path…
        member = getattr(error, "tarinfo", None)
        where = f"{member.name}: " if member is not None else ""
        raise UsageProblem(f"{spec} ({sha[:10]}): {where}cannot be checked out safely: {error}") from None
    except (tarfile.TarError, OSError) as error:
        raise UsageProblem(f"{spec} ({sha[:10]}): cannot unpack the revision: {error}") from None
    for name in FOLDERS:  # a revision before queries/ or shapes/ existed is still a repository
        (target / name).mkdir(exist_ok=True)
    return target, f"{spec} ({sha[:10]})"
