"""Queries for `serve`, each run in a worker process that holds the graph: the graph `serve` loaded,
opened read only from an on-disk store (the --store, or a copy of the loaded graph written once), so
no worker parses the repository again. An engine call cannot be
interrupted from Python, so a query past the time limit is stopped by ending its worker, and a
fresh worker takes its place; a memory limit on each worker does the same for a query that would
exhaust the machine. Answers are capped in rows, counted before anything is written, and in bytes,
counted as they are written: the server never holds more than workers x max-bytes of answers."""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import queue
import resource
import signal
import threading
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import IO, TypedDict, cast

import pyoxigraph as ox

from coalition_kg.errors import CoalitionKGError
from coalition_kg.guards.no_network import forbid_network
from coalition_kg.guards.sparql import QueryRefused, check
from coalition_kg.query.answers import TooManyRows, stored_answer
from coalition_kg.query.catalogue import StoredQuery
from coalition_kg.query.store import EmbeddedStore
from coalition_kg.rdf.formats import RESULT_FORMATS
from coalition_kg.repository.disk_store import open_read_only
from coalition_kg.serve.negotiation import GRAPHS, RESULTS, answer_media


@dataclass(frozen=True)
class Job:
    sparql: str  # as the client sent it: checked in the worker, under its limits
    accept: str | None = None  # the client's Accept header
    fmt: str | tuple[str, ...] | None = None  # format names (format=json, output=xml…): the first that fits wins
    default_graphs: list[str] | None = None  # None: the union of every graph
    named_graphs: list[str] | None = None  # None: every graph
    graphs: tuple[str, ...] = ()  # the repository's graphs: the only ones a FROM may name
    base_iri: str | None = None  # what a relative IRI in the query resolves against (the endpoint's URL)


@dataclass(frozen=True)
class StoredJob:
    """A stored query of the catalogue, answered by the writer `coalition-kg query` uses (query/answers.py)."""
    name: str
    values: tuple[tuple[str, str], ...]  # the client's parameter values, as text: (name, value), a list's repeated
    fmt: str  # a result format name: json or csv
    graphs: tuple[str, ...] = ()  # the repository's graphs: the only ones a FROM may name

    def texts(self) -> dict[str, list[str]]:
        """The values by parameter: a list parameter's in the client's order, any other's one."""
        texts: dict[str, list[str]] = {}
        for key, text in self.values:
            texts.setdefault(key, []).append(text)
        return texts


@dataclass(frozen=True)
class Reply:
    status: int
    media: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def printable(text: str, backslash: str = "\\\\") -> str:
    """``text`` with control and other unprintable characters (ESC, CR, NUL…) as \\x escapes (and a
    backslash as ``backslash``, doubled for a log): what a client sent cannot drive a terminal or split a line."""
    return "".join(backslash if c == "\\" else c if c.isprintable() else repr(c)[1:-1] for c in text)


def problem(status: int, message: str) -> Reply:
    """A refusal as one readable line (an engine's message can run over many)."""
    line = printable(" ".join(message.split()), backslash="\\")
    line = line if len(line) <= 400 else line[:399] + "…"
    return Reply(status, "text/plain; charset=utf-8", (line + "\n").encode())


@dataclass(frozen=True)
class Limits:
    seconds: float = 30.0
    rows: int = 100_000
    memory_mb: int = 4096
    bytes: int = 64 << 20  # the largest answer, serialised


class QueryDataset(TypedDict, total=False):
    """pyoxigraph's arguments that say which graphs a query reads."""

    use_default_graph_as_union: bool
    default_graph: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph]
    named_graphs: list[ox.NamedNode | ox.BlankNode] | None
    base_iri: str


def _dataset_of(job: Job, has_dataset_clause: bool = False) -> QueryDataset:
    """The query's RDF dataset, by SPARQL 1.1's rules: the protocol's (default-graph-uri,
    named-graph-uri) first; else the query's own FROM / FROM NAMED, which the engine reads itself
    (FROM NAMED alone: an empty default graph); else our default, the union of every graph."""
    if job.default_graphs is None and job.named_graphs is None:
        return {} if has_dataset_clause else {"use_default_graph_as_union": True}
    return {"default_graph": [ox.NamedNode(g) for g in job.default_graphs or []],
            "named_graphs": None if job.named_graphs is None else [ox.NamedNode(g) for g in job.named_graphs]}


class AnswerTooLarge(Exception):
    pass


class CappedBuffer:
    """A file-like object for the engine to serialise into, refusing to grow past ``cap`` bytes: an
    answer too large stops being written at the cap, before it reaches the server."""

    def __init__(self, cap: int):
        self.cap, self.size = cap, 0
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.cap:
            raise AnswerTooLarge
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def getvalue(self) -> bytes:
        return b"".join(self.parts)


def execute(graph: ox.Store, job: Job | StoredJob, max_rows: int, max_bytes: int = Limits.bytes,
            catalogue: dict[str, StoredQuery] | None = None) -> Reply:
    """Answer one job in this process: 200 with the answer, 400 for a query the engine refuses,
    422 for an answer past the row or byte cap. ``graph`` is pyoxigraph's store; a stored query is looked
    up in ``catalogue``."""
    if isinstance(job, StoredJob):
        return execute_stored(graph, job, max_rows, max_bytes, catalogue or {})
    try:
        # Checked here, before the engine sees it: no SERVICE, no FROM elsewhere, no update, bounded.
        # Parsing runs under this worker's time and memory limits, as the query itself does.
        checked = check(job.sparql, "query", graphs=job.graphs)
    except QueryRefused as error:
        return problem(error.status, str(error))
    form, dataset = checked.form, _dataset_of(job, "DatasetClause" in checked.parts)
    if job.base_iri:
        dataset["base_iri"] = job.base_iri
    chosen = answer_media(form, job.accept, job.fmt)
    if chosen[1] is not None:
        return problem(*chosen[1])
    media = chosen[0]
    try:
        answer = graph.query(job.sparql, **dataset)
        if isinstance(answer, ox.QuerySolutions | ox.QueryTriples):
            # Count first, write second: the cap holds before any memory goes to the answer.
            for count, _ in enumerate(answer, start=1):
                if count > max_rows:
                    return problem(422, f"the answer has more than {max_rows} rows, this server's cap: "
                                        "narrow the query or page through it with LIMIT and OFFSET")
            answer = graph.query(job.sparql, **dataset)
        formats = GRAPHS if isinstance(answer, ox.QueryTriples) else RESULTS
        if media not in formats:
            return problem(406, f"this answer cannot be written as {media}; it can be: {', '.join(formats)}")
        buffer = CappedBuffer(max_bytes)
        try:
            out = cast("IO[bytes]", buffer)  # pyoxigraph only calls its write()
            if isinstance(answer, ox.QueryTriples):
                answer.serialize(output=out, format=GRAPHS[media])
            else:
                answer.serialize(output=out, format=RESULTS[media])
        except AnswerTooLarge:
            return problem(422, f"the answer is larger than {max_bytes} bytes, this server's cap: "
                                "narrow the query or page through it with LIMIT and OFFSET")
        return Reply(200, media, buffer.getvalue())
    except SyntaxError as error:
        return problem(400, f"malformed SPARQL query: {error}")
    except (OSError, ValueError) as error:  # evaluation errors (a bad regex, an unknown graph)
        return problem(400, f"the query failed: {error}")
    except MemoryError:
        raise  # the worker ends and is replaced: the server says the memory limit stopped it
    except Exception as error:  # noqa: BLE001 (a fault of ours or the engine's: one line, the worker lives on)
        return problem(500, f"the query failed: internal error: {type(error).__name__}: {error}")


def execute_stored(graph: ox.Store, job: StoredJob, max_rows: int, max_bytes: int,
                   catalogue: dict[str, StoredQuery]) -> Reply:
    """A stored query answered and written as `coalition-kg query NAME --format F` writes it."""
    query = catalogue.get(job.name)
    if query is None:
        return problem(404, f"no stored query {job.name!r}; /openapi.json lists them")
    try:
        body = stored_answer(EmbeddedStore.over(graph, list(job.graphs)), query, job.texts(), job.fmt,
                             max_rows).encode("utf-8")
    except TooManyRows as error:
        return problem(422, str(error))
    except CoalitionKGError as error:
        return problem(400, str(error))
    except MemoryError:
        raise  # the worker ends and is replaced: the server says the memory limit stopped it
    except Exception as error:  # noqa: BLE001 (a fault of ours or the engine's: one line, the worker lives on)
        return problem(500, f"the query failed: internal error: {type(error).__name__}: {error}")
    if len(body) > max_bytes:
        return problem(422, f"the answer is larger than {max_bytes} bytes, this server's cap: "
                            "narrow the query or page through it with LIMIT and OFFSET")
    return Reply(200, RESULT_FORMATS[job.fmt].media_type or "", body)  # json or csv: each has its media type


def _one_malloc_arena() -> None:
    """glibc gives each new thread a malloc arena of up to 64 MB of address space; the store's engine
    starts threads, and the checker one more, which took a worker's address space from 120 MB to 800 MB
    (measured) before any query ran, past a tight --memory-limit. One arena: the worker's threads are
    its engine's few, not a pool that contends for it."""
    name = ctypes.util.find_library("c")
    if name is None:
        return
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):  # not glibc: no arenas to cap
        return
    mallopt(_M_ARENA_MAX, 1)


_M_ARENA_MAX = -8  # glibc's malloc.h


def _work(conn: Connection, disk_store: str, catalogue: dict[str, StoredQuery], limits: Limits) -> None:
    """A worker's life: open the graph, say so, then answer jobs until told to stop."""
    _one_malloc_arena()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    forbid_network()  # a worker only answers queries: no socket of the internet families, whatever it is asked
    try:
        # Opened before the limit is set: the store's engine starts threads as it opens, and under a
        # tight address-space limit their stacks and malloc arenas fail (an abort, not an error). The
        # limit then bounds the whole process, the opened store included, as it always did.
        graph = open_read_only(Path(disk_store))
    except Exception as error:  # noqa: BLE001 (whatever it is, the server must say it and stop)
        conn.send(("failed", str(error)))
        return
    limit = limits.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    conn.send(("ready", ""))
    try:
        while (job := conn.recv()) is not None:
            conn.send(execute(graph, job, limits.rows, limits.bytes, catalogue))
    except (EOFError, BrokenPipeError):  # the server has gone: so does its worker
        return


class Worker:
    def __init__(self, disk_store: Path, catalogue: dict[str, StoredQuery], limits: Limits):
        context = multiprocessing.get_context("spawn")  # the server has threads: no fork
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_work, args=(child, str(disk_store), catalogue, limits), daemon=True)
        self.process.start()
        child.close()

    def wait_ready(self) -> None:
        try:
            status, message = self.conn.recv()
        except EOFError:
            status, message = "failed", f"the worker ended with code {self.process.exitcode}"
        if status != "ready":
            self.stop()
            raise CoalitionKGError(f"serve: cannot open the graph: {message}")

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


class Pool:
    """Worker processes, each answering one job at a time. ``run`` never raises for a bad query:
    it answers with a status."""

    def __init__(self, disk_store: Path, size: int, limits: Limits, catalogue: dict[str, StoredQuery] | None = None):
        """``disk_store``: the on-disk store each worker opens read only (disk_store.shared_copy);
        ``catalogue``: the stored queries, as `serve` parsed them."""
        self.disk_store, self.catalogue, self.limits = disk_store, catalogue or {}, limits
        self.idle: queue.Queue[Worker] = queue.Queue()
        self.workers: set[Worker] = set()
        self.closed = False
        self.lock = threading.Lock()
        started = [self._start() for _ in range(size)]
        for worker in started:
            worker.wait_ready()
            self.idle.put(worker)

    def _start(self) -> Worker:
        worker = Worker(self.disk_store, self.catalogue, self.limits)
        with self.lock:
            self.workers.add(worker)
        return worker

    def _replace(self, worker: Worker) -> None:
        """End a worker and, in the background, bring up another in its place."""
        worker.stop()
        with self.lock:
            self.workers.discard(worker)

        def bring_up() -> None:
            if self.closed:
                return
            fresh = self._start()
            try:
                fresh.wait_ready()
            except CoalitionKGError:
                return
            self.idle.put(fresh)

        threading.Thread(target=bring_up, daemon=True).start()

    def run(self, job: Job | StoredJob) -> Reply:
        try:
            worker = self.idle.get(timeout=self.limits.seconds)
        except queue.Empty:
            return problem(503, f"every worker is busy; none was free within {self.limits.seconds:g} s")
        try:
            worker.conn.send(job)
            if worker.conn.poll(self.limits.seconds):
                reply: Reply = worker.conn.recv()
                self.idle.put(worker)
                return reply
        except (EOFError, OSError):
            self._replace(worker)
            return problem(503, f"the query was stopped: its worker ended (exit code {worker.process.exitcode}), "
                                f"most likely past this server's memory limit of {self.limits.memory_mb} MB")
        self._replace(worker)
        return problem(503, f"the query was stopped: it ran past this server's limit of {self.limits.seconds:g} s")

    def close(self) -> None:
        self.closed = True
        with self.lock:
            workers = list(self.workers)
        for worker in workers:
            worker.stop()
