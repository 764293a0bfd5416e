"""The coalition-kg command line: a thin layer over the core. Core code raises typed errors; main()
turns them into one line on standard error and exit code 2. Exit 1 means the data does not conform."""

from __future__ import annotations

import errno
import json
import math
import os
import sys
import time
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, TypeVar

import click

from coalition_kg import __version__
from coalition_kg.errors import CoalitionKGError, SyntaxProblem, UsageProblem, one_line
from coalition_kg.guards.no_network import forbid_network, needs_network
from coalition_kg.rdf.formats import RDF_FORMATS, RESULT_FORMATS  # the --format choices: a table, no engine
from coalition_kg.repository.default_base import DEFAULT_BASE  # a string: not the vocabulary and its engine

if TYPE_CHECKING:  # imported by the commands that use them, not at start-up
    from coalition_kg.progress import Progress
    from coalition_kg.query.catalogue import Parameter, StoredQuery
    from coalition_kg.query.store import Store
    from coalition_kg.repository.dataset import Dataset
    from coalition_kg.repository.layout import Layout
    from coalition_kg.serve.workers import Pool

DEFAULT_TEXTS = Path("..") / "shared" / "seeds"


class Context:
    max_bytes: int | None = None  # --max-bytes of the command, set by its option (graph_source)
    # Whether the dataset holds the OWL-RL entailments (graph <base>graph/inferred): set by the commands
    # that answer questions (ENTAILMENTS_OPTION); validate and the others read the asserted graphs only.
    entailments: bool = False

    def __init__(self, root: Path, quiet: bool = False) -> None:
        self.root = root
        self.quiet = quiet
        self._dataset: Dataset | None = None

    @property
    def progress(self) -> Progress:
        from coalition_kg.progress import Progress

        return Progress.for_terminal(self.quiet)

    @property
    def layout(self) -> Layout:
        from coalition_kg.repository.layout import Layout

        return Layout.at(self.root)

    def graphs(self, endpoint: str | None = None) -> list[str]:
        """The graphs a query's FROM may name: the repository's own, and the entailments' graph when the
        dataset holds it (a local one: an endpoint holds what push wrote)."""
        inferred = [self.layout.vocabulary.inferred_graph] if self.entailments and not endpoint else []
        return self.layout.graphs() + inferred

    def store(self, disk_store: Path | None, endpoint: str | None, timeout: float) -> Store:
        """The Store (query/store.py) a reading command asks: an endpoint, the on-disk store, or the files
        in memory."""
        if endpoint:
            from coalition_kg.query.remote import MAX_BYTES, RemoteStore

            return RemoteStore(endpoint, timeout, self.layout.graphs(), self.max_bytes or MAX_BYTES)
        from coalition_kg.query.store import EmbeddedStore

        return EmbeddedStore(self.dataset(disk_store))

    def dataset(self, disk_store: Path | None = None) -> Dataset:
        """The repository's graph: loaded into memory, or from the on-disk store ``disk_store``."""
        if self._dataset is None:
            prepare = None
            if self.entailments:
                from coalition_kg.reasoning.owl_rl import materialise_entailments

                def prepare(dataset: Dataset) -> None:
                    with self.progress.stage("OWL-RL inference (in-store)"):
                        materialise_entailments(dataset)

            if disk_store is not None:
                from coalition_kg.repository.disk_store import open_store

                self._dataset = open_store(self.layout, disk_store, self.progress, prepare)
            else:
                from coalition_kg.repository.dataset import load

                self._dataset = load(self.root, progress=self.progress)
                if prepare is not None:
                    prepare(self._dataset)
        return self._dataset


def _texts_dir(root: Path, texts: Path | None) -> Path | None:
    if texts is not None:
        return texts
    candidate = (root / DEFAULT_TEXTS).resolve()
    return candidate if candidate.is_dir() else None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="coalition-kg")
@click.option("--root", type=click.Path(path_type=Path), default=Path(), show_default=True,
              help="The repository: a folder with ontology/, data/, shapes/ and queries/.")
@click.option("-q", "--quiet", is_flag=True,
              help="No progress on standard error (it is shown only when standard error is a terminal).")
@click.pass_context
def cli(ctx: click.Context, root: Path, quiet: bool) -> None:
    """A knowledge graph of the diplomacy around the Global Coalition to Defeat ISIS."""
    ctx.obj = Context(root, quiet)


# The engine names are spelled out here rather than imported, so that --help loads no engine.
ENGINE_OPTION = click.option("--engine", type=click.Choice(["turbo", "pyshacl"]), default="turbo", show_default=True,
                             help="SHACL engine: pyshacl-turbo (Rust), or pySHACL, the reference.")
STORE_OPTION = click.option("--store", "disk_store", type=click.Path(path_type=Path), metavar="PATH",
                            help="Keep the graph in an on-disk store in PATH: built on first use and whenever "
                                 "the repository changes, reopened at once otherwise.")


class ByteSize(click.ParamType):  # type: ignore[type-arg]  # generic from click 8.5 on; older ones break on [ ]
    """A number of bytes: 1000000, or with a binary suffix: 64K, 256M, 2G."""

    name = "SIZE"
    UNITS: ClassVar[dict[str, int]] = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        text = str(value).strip().upper().removesuffix("B")
        number, unit = (text[:-1], text[-1]) if text[-1:] in self.UNITS else (text, "")
        if not number.isdigit() or len(number) > 15 or int(number) == 0:
            self.fail(f"{value!r} is not a size in bytes (e.g. 1000000, 64K, 256M, 2G)", param, ctx)
        return int(number) * self.UNITS[unit]


class Seconds(click.FloatRange):
    """A number of seconds, finite, from ``min`` to a day (past it a timer cannot count): NaN passes
    FloatRange's bounds, and an infinite limit is no limit."""

    name = "SECONDS"

    def __init__(self, min: float = 0.1) -> None:  # noqa: A002 (FloatRange's own word)
        super().__init__(min=min, max=86_400)

    # value: as FloatRange declares it since click 8.5; the command line gives text, which it converts
    def convert(self, value: float, param: click.Parameter | None, ctx: click.Context | None) -> float:
        seconds: float = super().convert(value, param, ctx)
        if math.isnan(seconds):
            self.fail("not a number of seconds", param, ctx)
        return seconds


def _remember_max_bytes(ctx: click.Context, param: click.Parameter, value: int) -> None:  # noqa: ARG001 (click's callback)
    context = ctx.find_object(Context)
    if context is not None:  # the group's object, always there
        context.max_bytes = value


ENDPOINT_HELP = ("Ask this SPARQL 1.1 endpoint (loaded by push) instead of the local files. Credentials: "
                 "user:password@ in the URL (never shown; %-encode '@', ':' and '/' in them), else "
                 "COALITION_KG_USER and COALITION_KG_PASSWORD; sent only when the endpoint asks (basic or "
                 "digest). Redirects are not followed.")


Command = TypeVar("Command", bound=Callable[..., object])


def graph_source(command: Command) -> Command:
    """--store, --endpoint, --timeout and --max-bytes: where a reading command finds the graph."""
    command = STORE_OPTION(command)
    command = click.option("--max-bytes", type=ByteSize(), default="256M", show_default=True, expose_value=False,
                           callback=_remember_max_bytes,
                           help="With --endpoint: the largest answer read (1000000, 64K, 256M, 2G); a larger "
                                "one is an error, read no further than the cap.")(command)
    command = click.option("--timeout", type=Seconds(), default=30.0, show_default=True,
                           help="With --endpoint: seconds each request may take, all of it (connecting, "
                                "sending, the whole answer); past it the request is given up.")(command)
    return click.option("--endpoint", metavar="URL", help=ENDPOINT_HELP)(command)
REASONER_OPTION = click.option("--reasoner", type=click.Choice(["in-store", "owlrl"]), default="in-store",
                               show_default=True, help="OWL-RL reasoner: in-store (the ontology compiled into SPARQL "
                                                       "updates run in the store), or owlrl, the reference.")


def _remember_entailments(ctx: click.Context, param: click.Parameter, value: bool) -> None:  # noqa: ARG001 (click's callback)
    context = ctx.find_object(Context)
    if context is not None:  # the group's object, always there
        context.entailments = not value


ENTAILMENTS_OPTION = click.option(
    "--no-entailments", is_flag=True, expose_value=False, callback=_remember_entailments,
    help="Answer from the asserted graphs only: without the OWL-RL entailments, which are otherwise in graph "
         "<…/graph/inferred> (so GRAPH ?g still tells them from the sources).")


@cli.command()
@click.option("--texts", type=click.Path(path_type=Path),
              help="Folder of source texts for the quote, sentence coverage and names checks [default: "
                   "../shared/seeds if present].")
@click.option("--no-reasoning", is_flag=True, help="Skip the OWL-RL consistency check.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "junit", "github"]), default="text",
              show_default=True, help="text for people, json for tools, junit (JUnit XML) or github (GitHub "
                                      "Actions annotations) for CI.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info"]), default="error", show_default=True,
              help="The least severe finding that fails the run (exit 1).")
@ENGINE_OPTION
@REASONER_OPTION
@click.pass_obj
def validate(obj: Context, texts: Path | None, no_reasoning: bool, fmt: str, fail_on: str, engine: str,
             reasoner: str) -> None:
    """Run every check: data, ontology and catalogue shapes, quotes, sentence coverage, names, OWL-RL
    consistency.

    Exit 0 if nothing at or above --fail-on was found, 1 if something was, 2 on unreadable input."""
    from coalition_kg.check.report_formats import render, unreadable
    from coalition_kg.check.validate import validate as run

    try:
        dataset = obj.dataset()
    except SyntaxProblem as error:
        if fmt != "text":  # CI formats show it too; the line on standard error follows
            click.echo(render(unreadable(error), fmt, fail_on), nl=False)
        raise
    texts_dir = _texts_dir(obj.root, texts)
    report = run(dataset, texts_dir, reasoning=not no_reasoning, engine=engine, reasoner=reasoner,
                 progress=obj.progress)
    click.echo(render(report, fmt, fail_on), nl=False)
    if texts_dir is None:  # said, so that a green run is not read as "quotes checked"
        click.echo(f"validate: the quote, sentence coverage and names checks did not run: no source texts in "
                   f"{obj.root / DEFAULT_TEXTS} (give --texts DIR)", err=True)
    sys.exit(1 if report.failures(fail_on) else 0)


@cli.command("check-quotes")
@click.argument("texts", type=click.Path(path_type=Path))
@click.pass_obj
def check_quotes(obj: Context, texts: Path) -> None:
    """Check every evidence quote against the source texts in TEXTS (one <doc-id>.txt each)."""
    from coalition_kg.check.quotes import check_quotes as run
    from coalition_kg.check.report import Report

    report = Report(sorted(run(obj.dataset(), texts)))
    click.echo(report.text(), nl=False)
    sys.exit(0 if report.conforms else 1)


@cli.command("check-coverage")
@click.argument("texts", type=click.Path(path_type=Path))
@click.pass_obj
def check_coverage(obj: Context, texts: Path) -> None:
    """Check that every sentence of the source texts in TEXTS is quoted by a fact or a claim, or left out
    with a reason, and that every name of the reference graph is in a text or says where it is from."""
    from coalition_kg.check.coverage import check_coverage as run
    from coalition_kg.check.names import check_names
    from coalition_kg.check.report import Report

    dataset = obj.dataset()
    problems, coverage = run(dataset, texts)
    report = Report(sorted(problems + check_names(dataset, texts)), ["coverage", "names"], coverage)
    click.echo(report.text(), nl=False)
    sys.exit(0 if report.conforms else 1)


@cli.command()
@click.pass_obj
def queries(obj: Context) -> None:
    """List the stored queries with their summaries and parameters."""
    from coalition_kg.query.catalogue import load_catalogue

    for query in load_catalogue(obj.layout).values():
        params = " ".join(_usage(p) for p in query.params)
        click.echo(f"{query.name}: {query.summary}" + (f"  [{params}]" if params else ""))


def _usage(param: Parameter) -> str:
    """``--param meeting=<iri>``, ``--param role=<ckg:host|ckg:convener>…``: the type or the allowed
    values, and dots where the option may be repeated for more values."""
    return f"--param {param.name}=<{'|'.join(param.allowed) or param.type}>" + ("…" if param.multiple else "")


def _parse_params(pairs: tuple[str, ...], query: str) -> dict[str, list[str]]:
    """NAME=VALUE pairs by name: a list parameter takes its values from repeated pairs, in their order."""
    values: dict[str, list[str]] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise UsageProblem(f"query {query}: --param takes name=value, not {pair!r}")
        values.setdefault(name.strip(), []).append(value)
    return values


class StoredQueryCommand(click.Command):
    """`query NAME --help` adds NAME's own parameters, their types and allowed values, to the help."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        words = [arg for arg in args if not arg.startswith("-")]
        ctx.meta["query_name"] = words[0] if words else None  # before --help (eager) prints and exits
        return super().parse_args(ctx, args)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_help(ctx, formatter)
        name, obj = ctx.meta.get("query_name"), ctx.find_object(Context)
        if name is None or obj is None:
            return
        from coalition_kg.query.catalogue import load_catalogue

        stored = load_catalogue(obj.layout).get(name)
        if stored is None:
            return
        rows = []
        for param in stored.params:
            text = param.description + ("" if param.required or param.default else " (optional)")
            if param.multiple:
                text += " Repeat --param for several values."
            rows.append((_usage(param), text.strip()))
        with formatter.section(f"Parameters of {name}"):
            formatter.write_text(stored.summary)
            if rows:
                formatter.write_dl(rows)


@cli.command(cls=StoredQueryCommand)
@click.argument("name")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A parameter value (repeatable; repeat a list parameter's for several values).")
@click.option("--format", "fmt", type=click.Choice(list(RESULT_FORMATS)), default="table",
              show_default=True)
@ENTAILMENTS_OPTION
@graph_source
@click.pass_obj
def query(obj: Context, name: str, params: tuple[str, ...], fmt: str, endpoint: str | None, timeout: float,
          disk_store: Path | None) -> None:
    """Answer the stored query NAME (see `coalition-kg queries`), from the local files or an endpoint."""
    from coalition_kg.query.answers import stored_answer
    from coalition_kg.query.catalogue import get_query

    stored = get_query(obj.layout, name)
    values = _parse_params(params, name)
    click.echo(stored_answer(obj.store(disk_store, endpoint, timeout), stored, values, fmt,
                             vocabulary=obj.layout.vocabulary), nl=False)


@cli.command()
@click.argument("text", metavar="QUERY")
@click.option("--format", "fmt", type=click.Choice(list(RESULT_FORMATS)), default="table",
              show_default=True)
@ENTAILMENTS_OPTION
@graph_source
@click.pass_obj
def sparql(obj: Context, text: str, fmt: str, endpoint: str | None, timeout: float, disk_store: Path | None) -> None:
    """Answer an ad-hoc SPARQL query: the text, or @FILE to read it from a file.

    The default graph is the union of every graph (data, reference, derived shortcuts, ontology, and
    the OWL-RL entailments unless --no-entailments); GRAPH ?g names the source of each fact."""
    from coalition_kg.query.result_formats import render

    where = "query"
    if text.startswith("@"):
        path = Path(text[1:])
        where = str(path)
        from coalition_kg.guards.files import OutsideFile, read_text

        try:  # a regular file only: a FIFO would hang the command, a device act on a read
            text = read_text(path)
        except OutsideFile as error:  # it names the file
            raise UsageProblem(f"cannot read the query: {error}") from None
        except UnicodeDecodeError as error:
            raise UsageProblem(f"{path}: cannot read the query: {error}") from None
    from coalition_kg.guards.sparql import check

    check(text, where, graphs=obj.graphs(endpoint))  # before any engine or endpoint sees it
    click.echo(render(obj.store(disk_store, endpoint, timeout).select(text), fmt, obj.layout.vocabulary), nl=False)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(list(RDF_FORMATS)), default="turtle", show_default=True)
@click.option("--inferred", is_flag=True, help="Add the OWL-RL entailments (graph <…/graph/inferred>).")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to this file (default: stdout).")
@REASONER_OPTION
@click.pass_obj
def export(obj: Context, fmt: str, inferred: bool, output: Path | None, reasoner: str) -> None:
    """Serialise the data graphs and derived shortcuts in a standard RDF format."""
    from coalition_kg.guards.atomic_write import output_mode, write_atomically
    from coalition_kg.publish.export import export_quads, serialise

    if output is not None:
        output_mode(output)  # a FIFO, a device or a folder is refused before the work, not after
    quads = export_quads(obj.dataset(), inferred, reasoner, obj.progress)
    with obj.progress.stage(f"writing {fmt}"):
        payload = serialise(quads, fmt, obj.dataset())
    if output is None:
        sys.stdout.buffer.write(payload)
    else:
        write_atomically(output, payload)


@cli.command()
@click.option("--endpoint", metavar="URL", required=True,
              help="The store's SPARQL 1.1 Graph Store Protocol URL (Oxigraph: http://host:port/store). "
                   "Credentials: user:password@ in the URL (never shown; %-encode '@', ':' and '/' in them), "
                   "else COALITION_KG_USER and COALITION_KG_PASSWORD; basic or digest, as the store asks. "
                   "Redirects are not followed.")
@click.option("--timeout", type=Seconds(), default=60.0, show_default=True,
              help="Seconds each graph's PUT may take, all of it (connecting, sending the graph, the answer): "
                   "a deadline per graph, since graphs differ in size; a push of N graphs may take N times it.")
@click.pass_obj
def push(obj: Context, endpoint: str, timeout: float) -> None:
    """Upload every graph, each under its own name, to a triple store (one PUT per graph).

    Credentials, if the store needs them, come from the URL or from COALITION_KG_USER and
    COALITION_KG_PASSWORD."""
    from coalition_kg.guards.http_client import target
    from coalition_kg.publish.push import push as run

    shown = target(endpoint).url  # checked before the graph is loaded, and shown without credentials
    written = run(obj.dataset(), endpoint, timeout)
    click.echo(f"push: {len(written)} graphs written to {shown}")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="The port (0: any free one; the address is printed).")
@click.option("--workers", type=click.IntRange(min=1, max=64), default=2, show_default=True,
              help="Queries answered at once, each in a process of its own holding the graph.")
@click.option("--time-limit", type=Seconds(), default=30.0, show_default=True,
              help="Seconds a query may run before it is stopped (503).")
@click.option("--max-rows", type=click.IntRange(min=1), default=100_000, show_default=True,
              help="Rows (or triples) an answer may have; a larger one is refused (422).")
@click.option("--memory-limit", type=click.IntRange(min=256), default=4096, show_default=True, metavar="MB",
              help="Memory each worker may use; a query past it is stopped (503).")
@click.option("--site", "site_dir", type=click.Path(path_type=Path, file_okay=False, exists=True), metavar="DIR",
              help="Serve the pages of a site `coalition-kg site` wrote (default: made at start, in memory).")
@click.option("--no-pages", is_flag=True, help="No entity pages: the SPARQL endpoint and the stored queries only.")
@click.option("--max-bytes", type=ByteSize(), default="64M", show_default=True,
              help="Bytes an answer may have, serialised; a larger one is refused (422) before it is sent.")
@click.option("--idle-timeout", type=Seconds(min=0.5), default=10.0, show_default=True,
              help="A connection with no whole request head within this (after opening, or after its last "
                   "answer) is closed; a request body must arrive within it too.")
@click.option("--max-connections", type=click.IntRange(min=4), default=1000, show_default=True,
              help="Connections open at once; past it, the oldest one that has sent no request is closed.")
@click.option("--see-other", is_flag=True,
              help="An IRI (/id/x) answers 303 See Other to its document (/id/x.ttl…), per the Cool URIs note, "
                   "instead of the document itself with Content-Location.")
@ENTAILMENTS_OPTION
@STORE_OPTION
@click.pass_obj
def serve(obj: Context, host: str, port: int, workers: int, time_limit: float, max_rows: int, memory_limit: int,
          site_dir: Path | None, no_pages: bool, max_bytes: int, idle_timeout: float, max_connections: int,
          see_other: bool, disk_store: Path | None) -> None:
    """Serve the graph over HTTP: a read-only SPARQL endpoint (/sparql), the stored queries as a REST
    API (/queries/NAME, described at /openapi.json), and a landing page. Ctrl-C stops it."""
    from coalition_kg.query.catalogue import load_catalogue
    from coalition_kg.repository.disk_store import shared_copy
    from coalition_kg.serve.workers import Limits, Pool

    catalogue = load_catalogue(obj.layout)  # parsed once, here: the workers are handed it
    if disk_store is not None:
        obj.dataset(disk_store)  # built or refreshed once here; the workers only open it
    site: Mapping[str, bytes] | None = None
    if site_dir is not None:
        from coalition_kg.site.static_files import SiteFolder

        site = SiteFolder(site_dir)
    elif not no_pages:
        from coalition_kg.site.generate import render_site

        site = render_site(obj.dataset(disk_store), progress=obj.progress)
    limits = Limits(time_limit, max_rows, memory_limit, max_bytes)
    try:  # loaded once, here (if pages did not load it already): the workers open it from disk
        dataset = obj.dataset(disk_store)
    except CoalitionKGError as error:  # as the workers said it when each loaded the repository itself
        raise CoalitionKGError(f"serve: cannot open the graph: {error}") from None
    with shared_copy(dataset, disk_store) as workers_store:
        pool = Pool(workers_store, workers, limits, catalogue)
        _serve(obj, pool, site, catalogue, host, port, workers, time_limit, idle_timeout, max_connections, see_other)


def _serve(obj: Context, pool: Pool, site: Mapping[str, bytes] | None, catalogue: dict[str, StoredQuery], host: str,
           port: int, workers: int, time_limit: float, idle_timeout: float, max_connections: int,
           see_other: bool) -> None:
    """Listen and answer until Ctrl-C, with the worker pool and the pages `serve` set up."""
    from coalition_kg.serve.service import Service

    try:
        from concurrent.futures import ThreadPoolExecutor

        from coalition_kg.serve.app import make_app, stderr_line
        from coalition_kg.serve.http_stack import Connections, listen, raise_file_limit, run

        connections = Connections(max_connections)
        raise_file_limit(max_connections + 256)
        try:
            listener = listen(host, port, connections)
        except OSError as error:
            raise UsageProblem(f"serve: cannot listen on {host}:{port}: {error.strerror or error}") from None
        # Threads wait on the workers (Pool.run blocks): enough that pages are served while queries queue.
        with ThreadPoolExecutor(max_workers=2 * workers + 8, thread_name_prefix="answer") as executor:
            service = Service(catalogue, pool, site, obj.graphs(), see_other=see_other,
                              vocabulary=obj.layout.vocabulary)
            # Two answers per worker held at once: one being computed, one being sent. So answers take at
            # most 2 x workers x --max-bytes of memory, however many clients read slowly.
            app = make_app(service, body_seconds=idle_timeout, stall_seconds=3 * idle_timeout,
                           executor=executor, log=None if obj.quiet else stderr_line, connections=connections,
                           answer_slots=2 * workers, slot_seconds=time_limit)
            bound_host, bound_port = listener.getsockname()[:2]
            click.echo(f"serving http://{bound_host}:{bound_port}/ (SPARQL at /sparql); Ctrl-C stops", err=False)
            sys.stdout.flush()
            run(app, listener, idle_timeout)
            click.echo("serve: stopped", err=True)
            pool.close()  # before the executor waits on its threads: a query in flight ends with its worker
    finally:
        pool.close()


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@graph_source
@click.pass_obj
def stats(obj: Context, fmt: str, endpoint: str | None, timeout: float, disk_store: Path | None) -> None:
    """Triples per graph and instances per class."""
    from coalition_kg.query.stats import stats as compute

    numbers = compute(obj.store(disk_store, endpoint, timeout), obj.layout)
    if fmt == "json":
        click.echo(json.dumps(numbers, indent=2))
        return
    click.echo(f"triples: {numbers['triples']}   stored queries: {numbers['queries']}")
    for graph, count in numbers["graphs"].items():
        click.echo(f"  {count:6d}  {graph}")
    for cls, count in numbers["instances"].items():
        click.echo(f"  {count:6d}  {cls}")


@cli.command()
@click.argument("old")
@click.argument("new", default=".")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True,
              help="text for people, markdown for a pull-request comment, json for tools.")
@click.option("--exit-code", is_flag=True, help="Exit 1 if anything changed, as git diff --exit-code does.")
@click.option("--time-limit", type=Seconds(), default=120.0, show_default=True,
              help="Seconds the comparison may take: matching blank nodes by structure can take very long on "
                   "some graphs (a chain thousands deep); past the limit it is stopped (exit 2).")
@click.pass_obj
def diff(obj: Context, old: str, new: str, fmt: str, exit_code: bool, time_limit: float) -> None:
    """What changed between OLD and NEW, as facts, per source graph. Each is a checkout (a folder)
    or a git revision of the repository at --root (NEW defaults to the folder itself).

    Blank nodes are matched by structure: reformatting or reordering a file shows no change."""
    from coalition_kg.diff.formats import render
    from coalition_kg.diff.revisions import check_out
    from coalition_kg.diff.semantic import changed_graphs, compare
    from coalition_kg.guards.time_limit import run_with_time_limit
    from coalition_kg.repository.dataset import load

    repository = obj.layout.root
    with ExitStack() as stack:
        (old_dir, old_name), (new_dir, new_name) = (
            check_out(spec if spec != "." else str(repository), repository, stack) for spec in (old, new))
        before, after = load(old_dir, derive=False), load(new_dir, derive=False)
        changed = [(after if g in after.graph_files else before).layout.relative(
            (after if g in after.graph_files else before).graph_files[g]) for g in changed_graphs(before, after)]
        what = f"diff: comparing {', '.join(changed[:3])}" + (f" and {len(changed) - 3} more" if len(changed) > 3
                                                                else "") + " (raise --time-limit if it must run longer)"
        graphs = run_with_time_limit(lambda: compare(before, after), time_limit, what)
    click.echo(render(graphs, fmt, old_name, new_name), nl=False)
    sys.exit(1 if exit_code and graphs else 0)


@cli.command()
@click.option("--out", type=click.Path(path_type=Path), default=Path("build"), show_default=True)
@click.option("--texts", type=click.Path(path_type=Path),
              help="Folder of source texts for the quote check [default: ../shared/seeds if present].")
@click.option("--query-time-limit", type=Seconds(), default=60.0, show_default=True,
              help="Seconds each stored query may run before it is stopped (exit 2).")
@ENTAILMENTS_OPTION
@click.pass_obj
def build(obj: Context, out: Path, texts: Path | None, query_time_limit: float) -> None:
    """The main job: validate everything, answer every stored query, write every export to OUT.

    OUT (new, empty, or a folder build wrote) is replaced whole: a failure leaves the old one."""
    from coalition_kg.build import build as run
    from coalition_kg.build import check_build_target

    check_build_target(out)  # before the work, not after
    entailments, obj.entailments = obj.entailments, False  # drawn by the build, once validate has run
    conforms = run(obj.dataset(), out, _texts_dir(obj.root, texts), echo=click.echo, progress=obj.progress,
                   query_time_limit=query_time_limit, entailments=entailments)
    sys.exit(0 if conforms else 1)


@cli.command()
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--documents", type=click.IntRange(min=1), help="How many source documents to generate.")
@click.option("--triples", type=click.IntRange(min=1), help="Roughly how many data triples (instead of --documents).")
@click.option("--violations", type=click.IntRange(min=0), default=0, show_default=True,
              help="Inject this many violations of each kind, and as many copies of each invalid example in "
                   "tests/fixtures/invalid/data (listed in OUT/expected-violations.json).")
@click.option("--texts", type=click.Path(path_type=Path),
              help="The repository's source texts, which the injected examples need [default: ../shared/seeds].")
@click.option("--seed", type=int, default=1, show_default=True)
@click.pass_obj
def synth(obj: Context, out: Path, documents: int | None, triples: int | None, violations: int, texts: Path | None,
          seed: int) -> None:
    """Write a synthetic repository to OUT for scale tests: this repository's ontology, shapes and
    queries, generated data that conforms, its texts (OUT/texts) and any injected violations."""
    from coalition_kg.authoring.synth import TRIPLES_PER_DOCUMENT, generate

    if documents is not None and triples is None:
        count = documents
    elif triples is not None and documents is None:
        count = max(1, round(triples / TRIPLES_PER_DOCUMENT))
    else:
        raise UsageProblem("synth takes one of --documents or --triples")
    summary = generate(obj.root, out, count, violations, seed, _texts_dir(obj.root, texts))
    click.echo(f"synth: {count} documents, {len(summary['expected'])} injected violation(s) -> {out}")


@cli.command("new-source")
@click.argument("doc_id", metavar="ID")
@click.option("--title", required=True, help="The document's title, in English (its rdfs:label).")
@click.option("--published", metavar="DATE",
              help="Publication date: YYYY-MM-DD (schema:datePublished); YYYY-MM or YYYY, with no day, is "
                   "written as ckg:notAfter, the period's last day, with a note.")
@click.option("--publisher", help="The publisher: an organization of data/reference.ttl, by slug (tdi) or name.")
@click.option("--dateline", help="The place of the dateline: a place of data/reference.ttl, by slug or name.")
@click.option("--language", default="en", show_default=True, help="The document's language (schema:inLanguage).")
@click.pass_obj
def new_source(obj: Context, doc_id: str, title: str, published: str | None, publisher: str | None,
               dateline: str | None, language: str) -> None:
    """Start data/sources/ID.ttl for a new source document, with its metadata; never overwrites."""
    from coalition_kg.authoring.new_source import new_source as run

    path = run(obj.root, doc_id, title, published, publisher, dateline, language)
    click.echo(f"new-source: wrote {obj.layout.relative(path)}")
    text = obj.root / DEFAULT_TEXTS / f"{doc_id}.txt"
    click.echo(f"next: put the text in {text} (or your --texts folder); add the facts, each with "
               f"prov:wasDerivedFrom src:{doc_id} (a meeting or a founding: ckg:reportedIn) and a verbatim "
               f"ckg:evidence quote; then run\n"
               f"  coalition-kg validate\n"
               f"  coalition-kg query facts-from-source --param source={obj.layout.vocabulary.source(doc_id)}")


@cli.command()
@click.option("--format", "fmt", default="turtle", show_default=True, metavar="|".join(RDF_FORMATS))
@click.option("--base", metavar="URL", show_default=f"<base IRI>export/, e.g. {DEFAULT_BASE}export/",
              help="Where build's OUT/export/ is published: each download URL is this plus a file name.")
@click.option("--endpoint", metavar="URL", help="The SPARQL endpoint that serves the graph, if one does.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to this file (default: stdout).")
@click.pass_obj
def describe(obj: Context, fmt: str, base: str | None, endpoint: str | None, output: Path | None) -> None:
    """The dataset's description in VoID and DCAT: the whole graph and one subset per source document,
    with counts, partitions, vocabularies and downloads, checked by shapes/metadata*.ttl (exit 1 if not)."""
    from coalition_kg.guards.atomic_write import output_mode, write_atomically
    from coalition_kg.publish.dataset_description import check_format, checked, render

    check_format(fmt)
    if output is not None:
        output_mode(output)
    dataset = obj.dataset()
    payload = render(checked(dataset, base, endpoint), fmt, dataset.layout.vocabulary)
    if output is None:
        sys.stdout.buffer.write(payload)
    else:
        write_atomically(output, payload)


@cli.command()
@click.argument("out", metavar="DIR", type=click.Path(path_type=Path))
@click.option("--base-url", metavar="URL",
              help="Where DIR will be published, if not at the IRIs' own base: DIR/w3id.htaccess then holds the "
                   "303 redirects from the IRIs to there, for the w3id.org repository.")
@click.option("--texts", type=click.Path(path_type=Path),
              help="Folder of source texts: each document's page then shows its sentence coverage [default: "
                   "../shared/seeds if present].")
@ENTAILMENTS_OPTION
@click.pass_obj
def site(obj: Context, out: Path, base_url: str | None, texts: Path | None) -> None:
    """Write the graph as a static linked-data site to DIR: a page per entity at the path of its IRI,
    with its Turtle and JSON-LD beside it; indexes, a timeline, a page per source document, the
    ontology's documentation, and an .htaccess for content negotiation.

    DIR must be new, empty, or a site this command wrote; it is replaced whole."""
    from coalition_kg.site.generate import build_site

    started = time.perf_counter()
    summary = build_site(obj.dataset(), out, base_url, progress=obj.progress, texts_dir=_texts_dir(obj.root, texts))
    click.echo(f"site: {summary.pages} pages ({summary.entities} entities), {summary.files} files -> {out} "
               f"({time.perf_counter() - started:.1f} s)")
    if summary.left_out:
        click.echo(f"site: {len(summary.left_out)} entities have no page: their IRIs cannot be file paths "
                   f"(e.g. {summary.left_out[0]})", err=True)


def main(argv: list[str] | None = None) -> None:
    """Run a command; every way it can end becomes an exit code, and standard output is flushed here,
    once for every command, so that a full device is one line and a closed pipe a quiet exit."""
    # the program itself, not a caller in process (tests): no network unless it needs one
    if argv is None and not needs_network(sys.argv[1:]):
        forbid_network()
    try:
        code = _run(argv)
        sys.stdout.flush()
    except BrokenPipeError:  # the reader has gone (| head): nothing to say to it
        code = _quiet_stdout(0)
    except OSError as error:
        if error.errno not in _WRITE_ERRORS:
            raise
        click.echo(f"coalition-kg: error: cannot write to standard output: {error.strerror or error}", err=True)
        code = _quiet_stdout(2)
    sys.exit(code)


# What writing to standard output can fail with: a full device (> /dev/full), a quota, an I/O error.
_WRITE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG}


def _run(argv: list[str] | None) -> int | str | None:
    try:
        cli.main(args=argv, prog_name="coalition-kg", standalone_mode=False)
    except SystemExit as done:  # validate's exit 1, among others: standard output is still to be flushed
        if type(sys.stdout).__name__ == "_PacifyFlushWrapper":  # click met a closed pipe (and exits 1)
            return _quiet_stdout(0)
        return done.code
    except CoalitionKGError as error:
        click.echo(f"coalition-kg: error: {error}", err=True)
        return error.exit_code
    except click.exceptions.Abort:
        click.echo("coalition-kg: aborted", err=True)
        return 130
    except click.ClickException as error:  # click's own refusals (a bad option value, a missing argument)
        click.echo(f"coalition-kg: error: {_usage_line(error)}", err=True)
        return 2
    return 0


def _usage_line(error: click.ClickException) -> str:
    """Click's refusal as our one line (click prints a usage block of several lines): the message, and
    where to find help."""
    command = getattr(getattr(error, "ctx", None), "command_path", None) or "coalition-kg"
    subcommand = command.removeprefix("coalition-kg").strip()
    message = " ".join(error.format_message().split())
    return one_line(f"{subcommand + ': ' if subcommand else ''}{message} (see {command} --help)")


def _quiet_stdout(code: int) -> int:
    """Standard output can take nothing more: point it at /dev/null, so that the interpreter's own
    flush at exit finds nothing to write and prints no second error (as Python's docs advise)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # standard output with no descriptor (captured in process): nothing to do
        pass
    return code


if __name__ == "__main__":
    main()
