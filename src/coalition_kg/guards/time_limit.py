"""Run one piece of work with a time limit that holds: an engine call cannot be interrupted from
Python, so the work runs in a forked child (which shares the loaded graph, copy-on-write, with no
reload) and a child past the limit is ended, as serve's workers are."""

from __future__ import annotations

import multiprocessing
import signal
import sys
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import TypeVar, cast

from coalition_kg.errors import CoalitionKGError

T = TypeVar("T")


class TimeLimitExceeded(CoalitionKGError):
    """The work ran past its time limit and was stopped."""


def _child(sender: Connection, work: Callable[[], T]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it ends this child
    result: tuple[str, object]
    try:
        result = ("done", work())
    except CoalitionKGError as error:  # sent as text: its class may not be rebuilt from its arguments
        result = ("problem", str(error))
    except BaseException as error:  # noqa: BLE001 (the parent says what went wrong)
        result = ("failed", f"{type(error).__name__}: {error}")
    sender.send(result)
    sender.close()


def run_with_time_limit(work: Callable[[], T], seconds: float, what: str) -> T:
    """``work()``'s result, computed in a child process given ``seconds`` at most; past them the child
    is killed and TimeLimitExceeded names ``what``. The result must pickle."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    for stream in (sys.stdout, sys.stderr):  # a child must not write the parent's buffered output again
        stream.flush()
    process = context.Process(target=_child, args=(sender, work), daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            raise TimeLimitExceeded(f"{what}: stopped after {seconds:g} s (the time limit)")
        status, value = receiver.recv()
    except EOFError:
        process.join(5)
        raise CoalitionKGError(f"{what}: the process answering it ended (exit code {process.exitcode})") from None
    finally:
        if process.is_alive():
            process.kill()
        process.join(5)
        receiver.close()
    if status == "problem":
        raise CoalitionKGError(value)
    if status == "failed":
        raise CoalitionKGError(f"{what}: failed: {value}")
    return cast("T", value)  # what the child's work() returned, through a pipe that keeps no type
