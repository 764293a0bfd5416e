"""A throwaway Virtuoso server (Debian's `virtuoso-opensource`) for tests: a fresh database in a
directory of the caller's, a virtuoso.ini written there, free ports on 127.0.0.1, in the foreground;
stopped after. A fresh database has the administrator dba/dba, who may write through the graph store
(digest auth) without grants."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from .servers import Endpoint, free_port, stop

# The smallest ini that works: database, log and temporary files default to the working directory.
# No [Plugins] or VAD packages: /sparql and /sparql-graph-crud-auth are built in. CaseMode 2, as in
# every shipped virtuoso.ini: without it an ASK is answered as a one-row table, not a boolean.
INI = """\
[Parameters]
ServerPort = 127.0.0.1:{sql}
CaseMode = 2
[HTTPServer]
ServerPort = 127.0.0.1:{http}
"""


def _tail(log: Path) -> str:
    return log.read_text(encoding="utf-8", errors="replace")[-800:]


@contextlib.contextmanager
def virtuoso_server(directory: Path, seconds: float = 60) -> Iterator[Endpoint]:
    binary = shutil.which("virtuoso-t")
    if binary is None:
        raise RuntimeError("virtuoso-t is not installed (apt-get install virtuoso-opensource-7-bin)")
    http = free_port()
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "virtuoso.ini").write_text(INI.format(sql=free_port(), http=http), encoding="utf-8")
    log = directory / "server.log"
    with log.open("wb") as out:  # a file, not a pipe: the server writes its log to stdout too
        process = subprocess.Popen([binary, "+foreground", "+configfile", "virtuoso.ini"], cwd=directory,
                                   stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{http}"
    try:
        deadline = time.monotonic() + seconds
        while True:  # ready means a query answered, not merely an open port
            if process.poll() is not None:
                raise RuntimeError(f"virtuoso stopped (exit {process.returncode}): {_tail(log)}")
            try:
                with urllib.request.urlopen(f"{base}/sparql?query=ASK%7B%7D", timeout=2):
                    break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"virtuoso not answering after {seconds:g} s: {_tail(log)}")
            time.sleep(0.1)
        # /sparql takes a form with query=, default-graph-uri=, named-graph-uri=; the graph store
        # wants HTTP digest auth, and a fresh database's administrator is dba/dba
        yield Endpoint(f"{base}/sparql", f"{base}/sparql-graph-crud-auth", "dba", "dba", process.pid)
    finally:
        stop(process)  # SIGTERM: Virtuoso shuts down well under a second
