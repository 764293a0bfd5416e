"""The repository is a jail: every file the tool reads is a regular file whose real path is inside
the repository (or inside a folder given on the command line, such as the source texts).

A symbolic link that leaves the root, a FIFO (opening one blocks for ever), a device, a socket, a
loop of links: each is refused with an error naming the file, never skipped, so nothing is lost
without a word. The check and the read are one step: the file is opened without following a final
link and without blocking, then the open descriptor itself is checked (fstat, and on Linux the path
the kernel gives for it), so no rename between a check and the open can slip another file in."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from coalition_kg.errors import CoalitionKGError


class OutsideFile(CoalitionKGError):
    """A file the tool will not read: outside the repository, or not a regular file."""


_KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder"))
_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def kind_of(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def real_path(path: Path | str, shown: str) -> str:
    """The path with every link resolved; a loop of links or a link to nowhere is refused."""
    try:
        return os.path.realpath(path, strict=True)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise OutsideFile(f"{shown}: a loop of symbolic links; remove it") from None
        if os.path.islink(path):
            raise OutsideFile(f"{shown}: a symbolic link to nothing; remove it") from None
        if error.errno == errno.ENOENT:  # gone between the listing and the read, or never there
            raise OutsideFile(f"{shown}: no such file") from None
        raise OutsideFile(f"{shown}: cannot read: {error.strerror or error}") from None


def _descriptor_path(fd: int) -> str | None:
    """Where the kernel says an open file is (Linux); None where it cannot say."""
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return None


def open_regular(path: Path | str, root: Path | str | None = None, shown: str | None = None) -> int:
    """An open descriptor (read-only, close-on-exec) on ``path``, which must be a regular file and,
    if ``root`` is given, have its real path inside ``root``. The caller closes it."""
    shown = shown if shown is not None else str(path)
    real = real_path(path, shown)
    real_root = os.path.realpath(root) if root is not None else None
    if real_root is not None and not inside(real, real_root):
        raise OutsideFile(f"{shown}: a symbolic link to {real}, outside the repository; "
                          "copy the file into the repository instead")
    try:
        ahead = os.stat(real)  # not opened at all if it is a device: opening one can act on it
    except OSError as error:
        raise OutsideFile(f"{shown}: cannot read: {error.strerror or error}") from None
    if not stat.S_ISREG(ahead.st_mode):
        raise OutsideFile(f"{shown}: {kind_of(ahead.st_mode)}, not a regular file; only regular files are read")
    try:
        fd = os.open(real, _FLAGS)
    except OSError as error:  # ELOOP: swapped for a link since it was resolved
        raise OutsideFile(f"{shown}: cannot read: {error.strerror or error}") from None
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):
            raise OutsideFile(f"{shown}: {kind_of(opened.st_mode)}, not a regular file; only regular files are read")
        where = _descriptor_path(fd)
        if real_root is not None and where is not None and not inside(where, real_root):
            raise OutsideFile(f"{shown}: it now leads outside the repository ({where}); not read")
        if where is None and (opened.st_dev, opened.st_ino) != (ahead.st_dev, ahead.st_ino):
            raise OutsideFile(f"{shown}: it changed while it was opened; not read")
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_bytes(path: Path | str, root: Path | str | None = None, shown: str | None = None) -> bytes:
    """The whole content of a regular file (see ``open_regular``)."""
    fd = open_regular(path, root, shown)
    try:
        os.set_blocking(fd, True)  # a regular file never blocks; reads in a loop of the file's size
        with os.fdopen(fd, "rb", closefd=False) as file:
            return file.read()
    except OSError as error:
        raise OutsideFile(f"{shown or path}: cannot read: {error.strerror or error}") from None
    finally:
        os.close(fd)


def read_text(path: Path | str, root: Path | str | None = None, shown: str | None = None,
              encoding: str = "utf-8", errors: str = "strict") -> str:
    """The file decoded; UnicodeDecodeError is the caller's to word, as before."""
    return read_bytes(path, root, shown).decode(encoding, errors)
