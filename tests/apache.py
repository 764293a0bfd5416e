"""A real Apache httpd (Debian's apache2) on 127.0.0.1, with a config file of its own, serving folders
under the site's .htaccess files: how the static site is published for real."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from .servers import free_port

APACHE = shutil.which("apache2") or "/usr/sbin/apache2"
MODULES = Path("/usr/lib/apache2/modules")
# what the .htaccess files need, and what a stock Apache has besides
NEEDED = ("mpm_event", "authz_core", "mime", "negotiation", "rewrite", "dir", "headers", "alias")

CONFIG = """\
ServerRoot "{run}"
ServerName 127.0.0.1
Listen 127.0.0.1:{port}
PidFile "{run}/httpd.pid"
DefaultRuntimeDir "{run}"
Mutex file:{run}
ErrorLog "{run}/error.log"
LogLevel warn
{modules}
{user}
TypesConfig /etc/mime.types
DirectoryIndex index.html
DocumentRoot "{root}"
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory "{root}">
    AllowOverride {override}
    Require all granted
</Directory>
"""


def readable_folder() -> Path:
    """A folder Apache's user can read: pytest's tmp_path is private to its owner (0700)."""
    folder = Path(tempfile.mkdtemp(prefix="coalition-kg-apache-"))
    folder.chmod(0o755)
    return folder


@contextlib.contextmanager
def apache(root: Path, override: str, port: int | None = None):
    """Apache serving ``root`` (world-readable) on 127.0.0.1 with ``AllowOverride override``; yields
    its base URL; stopped (and waited for) after."""
    port = port or free_port()
    run = Path(tempfile.mkdtemp(prefix="coalition-kg-apache-run-"))
    modules = "\n".join(f"LoadModule {name}_module {MODULES}/mod_{name}.so" for name in NEEDED)
    user = "User www-data\nGroup www-data" if os.geteuid() == 0 else ""
    conf = run / "httpd.conf"
    conf.write_text(CONFIG.format(run=run, port=port, modules=modules, user=user, root=root, override=override))
    started = subprocess.run([APACHE, "-f", str(conf), "-k", "start"], capture_output=True, text=True, timeout=30)
    assert started.returncode == 0, started.stderr
    try:
        deadline = time.monotonic() + 15
        while True:  # bounded: until Apache accepts a connection, or 15 s
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            assert time.monotonic() < deadline, (run / "error.log").read_text(errors="replace")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}", run / "error.log"
    finally:
        pid_file = run / "httpd.pid"
        pid = int(pid_file.read_text()) if pid_file.is_file() else None
        subprocess.run([APACHE, "-f", str(conf), "-k", "stop"], capture_output=True, timeout=30)
        deadline = time.monotonic() + 15
        while pid is not None and time.monotonic() < deadline:  # bounded wait for the parent to exit
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        shutil.rmtree(run, ignore_errors=True)
