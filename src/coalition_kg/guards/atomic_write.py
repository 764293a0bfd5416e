"""Outputs written all or nothing, the one way every writer does it: a file (``write_atomically``) is
written beside its target, then renamed over it; a folder (``replaced_folder``) is written into a
folder beside it, then put in its place by renames. Whatever stops the writing (a full disk, an
error, Ctrl-C) leaves either the whole old output or the whole new one, never half of each."""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from coalition_kg.errors import UsageProblem
from coalition_kg.guards.files import kind_of

_RENAME_EXCHANGE = 2  # linux/fs.h


@contextmanager
def replaced_folder(out: Path, check: Callable[[Path], None]) -> Iterator[Path]:
    """A new empty folder to write into; when the block ends normally it takes ``out``'s place (the old
    folder removed), and when it raises it is removed and ``out`` is left as it was. ``check(out)``
    refuses an ``out`` that may not be replaced: it runs first, and again just before the swap."""
    out = Path(out)
    check(out)
    parent = out.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=parent, prefix=f".{out.name}.", suffix=".part"))
    except OSError as error:
        raise UsageProblem(f"{out}: cannot write: {error.strerror or error}") from None
    try:
        # mkdtemp makes a private folder; an output is for others to read: the old folder's mode, or the umask's
        os.chmod(staging, stat.S_IMODE(out.stat().st_mode) if out.is_dir() else 0o777 & ~current_umask())
        yield staging
        check(out)  # again: it may have changed while the new content was written
        _swap_in(staging, out)
    except OSError as error:
        raise UsageProblem(f"{out}: cannot write: {error.strerror or error}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # the new folder if it failed, the old one once swapped


def _swap_in(staging: Path, out: Path) -> None:
    """Put ``staging`` at ``out``; the old ``out``, if any, ends at ``staging``'s path. One atomic
    exchange where the system has one (Linux renameat2), else two renames with the old put back if
    the second fails."""
    if not os.path.lexists(out):
        os.rename(staging, out)
        return
    if _exchange(staging, out):
        return
    old = staging.with_name(staging.name + ".old")
    os.rename(out, old)
    try:
        os.rename(staging, out)
    except BaseException:
        os.rename(old, out)
        raise
    os.rename(old, staging)


def _exchange(first: Path, second: Path) -> bool:
    """Exchange two paths atomically (Linux's renameat2 RENAME_EXCHANGE); False where not available."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError, TypeError):
        return False
    at_cwd = -100  # AT_FDCWD
    done = renameat2(at_cwd, os.fsencode(first), at_cwd, os.fsencode(second), _RENAME_EXCHANGE)
    if done == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):  # a file system without it
        return False
    raise OSError(code, os.strerror(code), str(second))


def current_umask() -> int:
    """The process's umask, read without changing it (os.umask sets it, for every thread) where Linux
    tells it; elsewhere set and put back at once."""
    try:
        with Path("/proc/self/status").open(encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomically(path: Path, payload: bytes) -> None:
    """Write to a temporary file beside the target, then rename: never a partial output file. Only a
    new path or a regular file is written: a rename over a FIFO, a device (as root, -o /dev/null) or
    a socket would replace it with a file, so they are refused. A new file gets the mode the umask
    gives (as the shell's > would); a file replaced keeps its own mode, as an editor keeps it."""
    path = followed(Path(path))
    if not path.parent.is_dir():
        raise UsageProblem(f"{path.parent}: no such folder for the output file")
    mode = output_mode(path)
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError as error:
        raise UsageProblem(f"{path}: cannot write: {error.strerror}") from None
    try:
        with os.fdopen(handle, "wb") as out:
            os.fchmod(out.fileno(), mode)  # mkstemp makes it 0600, whatever the umask
            out.write(payload)
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise UsageProblem(f"{path}: cannot write: {error.strerror or error}") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def followed(path: Path) -> Path:
    """The file a symbolic link at ``path`` points to: the rename must replace that file, not the
    link (-o /dev/stdout, a link, was replaced by a regular file). A link to nothing, or to what is no
    file in a folder (standard output as /proc/self/fd/1 on a pipe or a terminal), is refused."""
    if not path.is_symlink():
        return path
    try:
        target = Path(os.path.realpath(path, strict=True))
    except OSError:
        raise UsageProblem(f"{path}: a symbolic link to nothing that can be written; give a file "
                           "(for standard output, give no -o)") from None
    if target.parts[:2] == ("/", "proc"):
        raise UsageProblem(f"{path}: leads to {target}, not a file in a folder; give a file "
                           "(for standard output, give no -o)")
    return target


def output_mode(path: Path) -> int:
    """The permission bits an output file at ``path`` gets; refuses a path that is not a regular file."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return 0o666 & ~current_umask()
    except OSError as error:
        raise UsageProblem(f"{path}: cannot write: {error.strerror or error}") from None
    if stat.S_ISDIR(info.st_mode):
        raise UsageProblem(f"{path}: is a folder; give a file name")
    if not stat.S_ISREG(info.st_mode):
        raise UsageProblem(f"{path}: is {kind_of(info.st_mode)}; -o writes only to a regular file or a new path "
                           "(for standard output, give no -o)")
    return stat.S_IMODE(info.st_mode)
