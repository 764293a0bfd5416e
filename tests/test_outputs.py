"""Outputs (issue 12, class 7) and the inputs of class 8 that the hostile corpus cannot hold: modes of
written files, standard output on a full device or a closed pipe, build's time limit and its folder
replaced whole on a full disk, bytes that are not UTF-8 on the command line, a revision with a link."""

from __future__ import annotations

import hashlib
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

CROSS_JOIN = """#+ summary: A cross join that passes validate and never ends.
#+ description: >-
#+   Four unrelated triple patterns: every triple with every triple, four times over.
#+ tags:
#+   - hostile
SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }
"""


def run(args: list, timeout: float = 120, **options) -> subprocess.CompletedProcess:
    """The command line in a child process (bytes arguments pass as the shell passes them)."""
    return subprocess.run([sys.executable, "-m", "coalition_kg.cli", *args], capture_output=True,
                          timeout=timeout, **options)


def one_error_line(done: subprocess.CompletedProcess) -> str:
    err = done.stderr.decode(errors="replace")
    assert "Traceback" not in err + done.stdout.decode(errors="replace"), err
    lines = err.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1 and lines[0].startswith("coalition-kg: error: "), err
    return lines[0]


def tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# --- modes ---------------------------------------------------------------------------------------

@pytest.mark.slow  # the command line in a child process
def test_class7_a_new_output_file_gets_the_umask_mode(tmp_path):
    """mkstemp made every output 0600 whatever the umask."""
    for umask, mode in ((0o022, 0o644), (0o027, 0o640)):
        out = tmp_path / f"export-{umask:o}.ttl"
        done = run(["--root", str(ROOT), "export", "-o", str(out)], preexec_fn=lambda m=umask: os.umask(m))
        assert done.returncode == 0, done.stderr
        assert stat.S_IMODE(out.stat().st_mode) == mode


@pytest.mark.slow  # the command line in a child process
def test_class7_a_replaced_output_file_keeps_its_mode(tmp_path):
    out = tmp_path / "void.ttl"
    out.write_text("old\n", encoding="utf-8")
    out.chmod(0o604)
    done = run(["--root", str(ROOT), "describe", "-o", str(out)], preexec_fn=lambda: os.umask(0o077))
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o604 and out.read_text(encoding="utf-8") != "old\n"


@pytest.mark.parametrize("command", [["export"], ["describe"]])
@pytest.mark.slow  # the command line in a child process
def test_class7_an_output_that_is_a_link_is_written_through_it(tmp_path, command):
    """-o /dev/stdout, a link, was replaced by a regular file (as root, in /dev): the file the link
    points to is what gets replaced, and the link stays."""
    target, link = tmp_path / "real.ttl", tmp_path / "link.ttl"
    target.write_text("old\n", encoding="utf-8")
    link.symlink_to(target)
    done = run(["--root", str(ROOT), *command, "-o", str(link)])
    assert done.returncode == 0, done.stderr
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text(encoding="utf-8").startswith("@prefix")


@pytest.mark.slow  # the command line in a child process
def test_class7_an_output_link_to_standard_output_or_to_nothing_is_refused(tmp_path):
    """A link to /proc/self/fd/1 (what /dev/stdout is) on a pipe, and a link to nothing: no file to
    replace, so nothing is written and nothing is replaced."""
    to_stdout, dangling = tmp_path / "stdout", tmp_path / "dangling"
    to_stdout.symlink_to("/proc/self/fd/1")
    dangling.symlink_to(tmp_path / "nowhere")
    for link in (to_stdout, dangling):
        line = one_error_line(run(["--root", str(ROOT), "export", "-o", str(link)]))
        assert str(link) in line and "give no -o" in line
        assert link.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dangling", "stdout"]


@pytest.mark.parametrize("out", ["/dev/null", "file"])
@pytest.mark.slow  # the command line in a child process
def test_class7_synth_into_what_is_not_a_folder_is_refused(tmp_path, out):
    """synth /dev/null gave a traceback (NotADirectoryError)."""
    target = out if out.startswith("/") else str(tmp_path / out)
    if not out.startswith("/"):
        Path(target).write_text("x", encoding="utf-8")
    line = one_error_line(run(["--root", str(ROOT), "synth", target, "--documents", "1"]))
    assert "not a folder" in line


# --- standard output -------------------------------------------------------------------------------

COMMANDS = [["export"], ["stats"], ["queries"], ["validate", "--no-reasoning"], ["describe"],
            ["query", "aliases", "--param", "entity=daesh"], ["--help"]]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
@pytest.mark.parametrize("args", COMMANDS, ids=[a[0] for a in COMMANDS])
@pytest.mark.slow  # the command line in a child process
def test_class7_standard_output_on_a_full_device_is_one_line(args):
    """It was a traceback (and exit 120 from the interpreter's own flush)."""
    with Path("/dev/full").open("wb") as full:
        done = subprocess.run([sys.executable, "-m", "coalition_kg.cli", "--root", str(ROOT), *args],
                              stdout=full, stderr=subprocess.PIPE, timeout=120)
    done.stdout = b""
    assert "cannot write to standard output: No space left on device" in one_error_line(done)


@pytest.mark.parametrize("args", COMMANDS[:3], ids=[a[0] for a in COMMANDS[:3]])
@pytest.mark.slow  # the command line in a child process
def test_class7_a_closed_pipe_is_a_quiet_exit(args):
    reader, writer = os.pipe()
    os.close(reader)  # nobody will read: the first write gets EPIPE
    try:
        done = subprocess.run([sys.executable, "-m", "coalition_kg.cli", "--root", str(ROOT), *args],
                              stdout=writer, stderr=subprocess.PIPE, timeout=120)
    finally:
        os.close(writer)
    assert (done.returncode, done.stderr) == (0, b"")


# --- build -------------------------------------------------------------------------------------------

@pytest.fixture
def built(repo_copy, tmp_path) -> Path:
    """A build folder written by a first, good build: what a failed build must leave as it was."""
    out = tmp_path / "build"
    done = run(["--root", str(repo_copy), "-q", "build", "--out", str(out)])
    assert done.returncode == 0, done.stderr
    return out


def siblings(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}"))


@pytest.mark.slow  # the command line in a child process
def test_class7_build_stops_a_query_past_its_time_limit(repo_copy, built):
    """A cross join passes validate; build waited for it for ever."""
    before = tree(built)
    (repo_copy / "queries" / "cross.rq").write_text(CROSS_JOIN, encoding="utf-8")
    done = run(["--root", str(repo_copy), "-q", "build", "--out", str(built), "--query-time-limit", "2"], timeout=90)
    assert "query cross (raise --query-time-limit if it must run longer): stopped after 2 s" in one_error_line(done)
    assert tree(built) == before and siblings(built) == []


def limit_file_size():
    """In the child: no file may grow past 64 KiB, and writing past that fails with EFBIG rather than
    killing the process: a disk that fills up part-way through, without needing root."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))


@pytest.mark.slow  # the command line in a child process
def test_class7_build_on_a_full_disk_leaves_the_old_folder(repo_copy, built):
    """It left a half-written folder."""
    before = tree(built)
    done = run(["--root", str(repo_copy), "-q", "build", "--out", str(built)], preexec_fn=limit_file_size)
    assert "cannot write: File too large" in one_error_line(done)
    assert str(built / "export") in one_error_line(done)  # named as the user knows it, not the staging folder
    assert tree(built) == before and siblings(built) == []


@pytest.fixture
def small_tmpfs(tmp_path):
    """A real file system with room for one build of this repository and not two (a build writes its
    new folder beside the old one): 1.5 times what a build takes, measured first. Needs root."""
    mount = tmp_path / "tmpfs"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    probe = tmp_path / "probe"
    assert run(["--root", str(ROOT), "-q", "build", "--out", str(probe)]).returncode == 0
    pages = sum(-(-path.stat().st_size // 4096) or 1 for path in probe.rglob("*"))  # tmpfs takes whole pages
    size = f"size={pages * 4 * 3 // 2}k"
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", size, "tmpfs", str(mount)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode(errors='replace').strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


@pytest.mark.slow  # the command line in a child process
def test_class7_build_on_a_full_tmpfs_leaves_the_old_folder(repo_copy, small_tmpfs):
    out = small_tmpfs / "build"
    first = run(["--root", str(repo_copy), "-q", "build", "--out", str(out)])
    assert first.returncode == 0, first.stderr
    before = tree(out)
    done = run(["--root", str(repo_copy), "-q", "build", "--out", str(out)])
    assert "No space left on device" in one_error_line(done)
    assert tree(out) == before and siblings(out) == []


@pytest.mark.slow  # the command line in a child process
def test_class7_build_replaces_only_a_build_folder(repo_copy, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("mine\n", encoding="utf-8")
    done = run(["--root", str(repo_copy), "-q", "build", "--out", str(out)])
    assert "holds files a build did not write (notes.txt)" in one_error_line(done)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine\n"


# --- class 8: the command line's bytes, big integers, revisions -----------------------------------

def test_class8_an_integer_parameter_of_5000_digits(cli, repo_copy):
    """int() refuses more than 4,300 digits: it was a traceback."""
    shutil.copyfile(ROOT / "tests" / "fixtures" / "hostile" / "queries" / "integer-param.rq",
                    repo_copy / "queries" / "hostile.rq")
    digits = "9" * 5000
    result = cli("--root", str(repo_copy), "query", "hostile", "--format", "csv", "--param", f"n=+000{digits}")
    assert result.code == 0, result.err
    assert result.out.splitlines() == ["n", digits]


@pytest.mark.slow  # the command line in a child process
def test_class8_a_parameter_that_is_not_utf8(repo_copy):
    """The shell passes bytes; Python keeps those that are not UTF-8 as surrogates, which failed when
    the value was written."""
    done = run([b"--root", bytes(repo_copy), b"query", b"aliases", b"--param", b"entity=caf\xe9"])
    assert "parameter entity: 'caf\\udce9' is not text: it holds bytes that are not UTF-8" in one_error_line(done)


@pytest.mark.slow  # the command line in a child process
def test_class8_a_new_source_title_that_is_not_utf8(repo_copy):
    before = tree(repo_copy)
    done = run([b"--root", bytes(repo_copy), b"new-source", b"999_new", b"--title", b"Caf\xe9 talks"])
    assert "--title 'Caf\\udce9 talks' holds bytes that are not UTF-8" in one_error_line(done)
    assert tree(repo_copy) == before


@pytest.mark.slow  # the command line in a child process
def test_class8_a_new_source_title_with_a_control_character(repo_copy):
    before = tree(repo_copy)
    done = run(["--root", str(repo_copy), "new-source", "999_new", "--title", "Talks\x1b[31m"])
    assert "holds a control character" in one_error_line(done)
    assert tree(repo_copy) == before


@pytest.mark.skipif(shutil.which("git") is None, reason="git is needed to make a revision")
@pytest.mark.slow  # the command line in a child process
def test_class8_a_revision_with_a_link_out_of_the_checkout(repo_copy):
    """tar's data filter raised on the link: a traceback."""
    git = ["git", "-C", str(repo_copy), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git[:3], "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "one"], check=True)
    (repo_copy / "data" / "sources" / "evil.ttl").symlink_to("../../../../etc/passwd")
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "two"], check=True)
    done = run(["--root", str(repo_copy), "diff", "HEAD~1", "HEAD"])
    line = one_error_line(done)
    assert "HEAD (" in line and "data/sources/evil.ttl: cannot be checked out safely" in line
    assert "root:" not in done.stdout.decode(errors="replace") + line
