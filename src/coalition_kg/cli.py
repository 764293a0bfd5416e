"""The coalition-kg command line: a thin layer over the core. Core code raises typed errors; main()
turns them into one line on standard error and exit code 2. Exit 1 means the data does not conform."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import __version__
from .errors import CoalitionKGError, UsageProblem

DEFAULT_TEXTS = Path("..") / "shared" / "seeds"


class Context:
    def __init__(self, root: Path, quiet: bool = False):
        self.root = root
        self.quiet = quiet
        self._dataset = None

    @property
    def progress(self):
        from .progress import Progress

        return Progress.for_terminal(self.quiet)

    @property
    def layout(self):
        from .layout import Layout

        return Layout.at(self.root)

    def store(self, path: Path | None, endpoint: str | None, timeout: float):
        """The store a reading command asks: an endpoint, the on-disk store, or the files in memory."""
        if endpoint:
            from .remote import RemoteStore

            return RemoteStore(endpoint, timeout, self.layout.graphs())
        from .store import EmbeddedStore

        return EmbeddedStore(self.dataset(path))

    def dataset(self, store: Path | None = None):
        """The repository's graph: loaded into memory, or from the on-disk store ``store``."""
        if self._dataset is None:
            if store is not None:
                from .disk import open_store

                self._dataset = open_store(self.layout, store, self.progress)
            else:
                from .dataset import load

                self._dataset = load(self.root, progress=self.progress)
        return self._dataset


def _texts_dir(root: Path, texts: Path | None) -> Path | None:
    if texts is not None:
        return texts
    candidate = (root / DEFAULT_TEXTS).resolve()
    return candidate if candidate.is_dir() else None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="coalition-kg")
@click.option("--root", type=click.Path(path_type=Path), default=Path("."), show_default=True,
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
STORE_OPTION = click.option("--store", type=click.Path(path_type=Path), metavar="PATH",
                            help="Keep the graph in an on-disk store in PATH: built on first use and whenever "
                                 "the repository changes, reopened at once otherwise.")


def graph_source(command):
    """--store, --endpoint and --timeout: where a reading command finds the graph."""
    command = STORE_OPTION(command)
    command = click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
                           help="Seconds to wait for the endpoint.")(command)
    return click.option("--endpoint", metavar="URL",
                        help="Ask this SPARQL 1.1 endpoint (loaded by push) instead of the local files.")(command)
REASONER_OPTION = click.option("--reasoner", type=click.Choice(["reasonable", "owlrl"]), default="reasonable",
                               show_default=True, help="OWL-RL reasoner: reasonable (Rust), or owlrl, the reference.")


@cli.command()
@click.option("--texts", type=click.Path(path_type=Path),
              help="Folder of source texts for the quote check [default: ../shared/seeds if present].")
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
    """Run every check: data, ontology and catalogue shapes, quotes, OWL-RL consistency.

    Exit 0 if nothing at or above --fail-on was found, 1 if something was, 2 on unreadable input."""
    from .diagnostics import render, unreadable
    from .errors import SyntaxProblem
    from .validate import validate as run

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
        click.echo(f"validate: the quote check did not run: no source texts in {obj.root / DEFAULT_TEXTS} "
                   "(give --texts DIR)", err=True)
    sys.exit(1 if report.failures(fail_on) else 0)


@cli.command("check-quotes")
@click.argument("texts", type=click.Path(path_type=Path))
@click.pass_obj
def check_quotes(obj: Context, texts: Path) -> None:
    """Check every evidence quote against the source texts in TEXTS (one <doc-id>.txt each)."""
    from .quotes import check_quotes as run
    from .validate import Report

    report = Report(sorted(run(obj.dataset(), texts)))
    click.echo(report.text(), nl=False)
    sys.exit(0 if report.conforms else 1)


@cli.command()
@click.pass_obj
def queries(obj: Context) -> None:
    """List the stored queries with their summaries and parameters."""
    from .catalogue import load_catalogue

    for query in load_catalogue(obj.layout).values():
        params = " ".join(f"--param {p.name}=<{p.type}>" for p in query.params)
        click.echo(f"{query.name}: {query.summary}" + (f"  [{params}]" if params else ""))


def _parse_params(pairs: tuple[str, ...], query: str) -> dict[str, str]:
    values = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise UsageProblem(f"query {query}: --param takes name=value, not {pair!r}")
        values[name.strip()] = value
    return values


@cli.command()
@click.argument("name")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help="A parameter value (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]), default="table",
              show_default=True)
@graph_source
@click.pass_obj
def query(obj: Context, name: str, params: tuple[str, ...], fmt: str, endpoint: str | None, timeout: float,
          store: Path | None) -> None:
    """Answer the stored query NAME (see `coalition-kg queries`), from the local files or an endpoint."""
    from .catalogue import get_query
    from .results import render
    from .store import answer

    stored = get_query(obj.layout, name)
    values = _parse_params(params, name)
    results = answer(obj.store(store, endpoint, timeout), stored, values)
    click.echo(render(results, fmt), nl=False)


@cli.command()
@click.argument("text", metavar="QUERY")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]), default="table",
              show_default=True)
@graph_source
@click.pass_obj
def sparql(obj: Context, text: str, fmt: str, endpoint: str | None, timeout: float, store: Path | None) -> None:
    """Answer an ad-hoc SPARQL query: the text, or @FILE to read it from a file.

    The default graph is the union of every graph (data, reference, derived shortcuts, ontology);
    GRAPH ?g names the source of each fact."""
    from .results import render

    where = "query"
    if text.startswith("@"):
        path = Path(text[1:])
        where = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise UsageProblem(f"{path}: cannot read the query: {error}") from None
    from .sparql_guard import check

    check(text, where, graphs=obj.layout.graphs())  # before any engine or endpoint sees it
    click.echo(render(obj.store(store, endpoint, timeout).select(text), fmt), nl=False)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["turtle", "nt", "xml", "jsonld", "trig", "nquads"]),
              default="turtle", show_default=True)
@click.option("--inferred", is_flag=True, help="Add the OWL-RL entailments (graph <…/graph/inferred>).")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to this file (default: stdout).")
@REASONER_OPTION
@click.pass_obj
def export(obj: Context, fmt: str, inferred: bool, output: Path | None, reasoner: str) -> None:
    """Serialise the data graphs and derived shortcuts in a standard RDF format."""
    from .export import export_quads, serialise, write_atomically

    quads = export_quads(obj.dataset(), inferred, reasoner, obj.progress)
    with obj.progress.stage(f"writing {fmt}"):
        payload = serialise(quads, fmt, obj.dataset())
    if output is None:
        sys.stdout.buffer.write(payload)
    else:
        write_atomically(output, payload)


@cli.command()
@click.option("--endpoint", metavar="URL", required=True,
              help="The store's SPARQL 1.1 Graph Store Protocol URL (Oxigraph: http://host:port/store).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=60.0, show_default=True,
              help="Seconds to wait for each graph to be written.")
@click.pass_obj
def push(obj: Context, endpoint: str, timeout: float) -> None:
    """Upload every graph, each under its own name, to a triple store (one PUT per graph).

    Credentials, if the store needs them, come from COALITION_KG_USER and COALITION_KG_PASSWORD."""
    from .push import push as run

    written = run(obj.dataset(), endpoint, timeout)
    click.echo(f"push: {len(written)} graphs written to {endpoint}")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="The port (0: any free one; the address is printed).")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True,
              help="Queries answered at once, each in a process of its own holding the graph.")
@click.option("--time-limit", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Seconds a query may run before it is stopped (503).")
@click.option("--max-rows", type=click.IntRange(min=1), default=100_000, show_default=True,
              help="Rows (or triples) an answer may have; a larger one is refused (422).")
@click.option("--memory-limit", type=click.IntRange(min=256), default=4096, show_default=True, metavar="MB",
              help="Memory each worker may use; a query past it is stopped (503).")
@click.option("--site", "site_dir", type=click.Path(path_type=Path, file_okay=False, exists=True), metavar="DIR",
              help="Serve the pages of a site `coalition-kg site` wrote (default: made at start, in memory).")
@click.option("--no-pages", is_flag=True, help="No entity pages: the SPARQL endpoint and the stored queries only.")
@STORE_OPTION
@click.pass_obj
def serve(obj: Context, host: str, port: int, workers: int, time_limit: float, max_rows: int, memory_limit: int,
          site_dir: Path | None, no_pages: bool, store: Path | None) -> None:
    """Serve the graph over HTTP: a read-only SPARQL endpoint (/sparql), the stored queries as a REST
    API (/queries/NAME, described at /openapi.json), and a landing page. Ctrl-C stops it."""
    from .catalogue import load_catalogue
    from .server import Service, make_server
    from .workers import Limits, Pool

    catalogue = load_catalogue(obj.layout)
    if store is not None:
        obj.dataset(store)  # built or refreshed once here; the workers only open it
    site = None
    if site_dir is not None:
        from .site_files import SiteFolder

        site = SiteFolder(site_dir)
    elif not no_pages:
        from .site import render_site

        site = render_site(obj.dataset(store), progress=obj.progress)
    pool = Pool(obj.layout.root, store and store.resolve(), workers, Limits(time_limit, max_rows, memory_limit))
    try:
        try:
            server = make_server(Service(catalogue, pool, site), host, port, obj.quiet)
        except OSError as error:
            raise UsageProblem(f"serve: cannot listen on {host}:{port}: {error.strerror or error}") from None
        bound_host, bound_port = server.server_address[:2]
        click.echo(f"serving http://{bound_host}:{bound_port}/ (SPARQL at /sparql); Ctrl-C stops", err=False)
        sys.stdout.flush()
        import signal

        def stop(signum, frame):  # SIGTERM ends the server as Ctrl-C does: workers stopped, port freed
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            click.echo("serve: stopped", err=True)
        finally:
            server.server_close()
    finally:
        pool.close()


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@graph_source
@click.pass_obj
def stats(obj: Context, fmt: str, endpoint: str | None, timeout: float, store: Path | None) -> None:
    """Triples per graph and instances per class."""
    from .stats import stats as compute

    numbers = compute(obj.store(store, endpoint, timeout), obj.layout)
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
@click.pass_obj
def diff(obj: Context, old: str, new: str, fmt: str, exit_code: bool) -> None:
    """What changed between OLD and NEW, as facts, per source graph. Each is a checkout (a folder)
    or a git revision of the repository at --root (NEW defaults to the folder itself).

    Blank nodes are matched by structure: reformatting or reordering a file shows no change."""
    from contextlib import ExitStack

    from .dataset import load
    from .diff_formats import render
    from .revisions import materialise
    from .semantic_diff import compare

    repository = obj.layout.root
    with ExitStack() as stack:
        (old_dir, old_name), (new_dir, new_name) = (
            materialise(spec if spec != "." else str(repository), repository, stack) for spec in (old, new))
        graphs = compare(load(old_dir, derive=False), load(new_dir, derive=False))
    click.echo(render(graphs, fmt, old_name, new_name), nl=False)
    sys.exit(1 if exit_code and graphs else 0)


@cli.command()
@click.option("--out", type=click.Path(path_type=Path), default=Path("build"), show_default=True)
@click.option("--texts", type=click.Path(path_type=Path),
              help="Folder of source texts for the quote check [default: ../shared/seeds if present].")
@click.pass_obj
def build(obj: Context, out: Path, texts: Path | None) -> None:
    """The main job: validate everything, answer every stored query, write every export to OUT."""
    from .build import build as run

    conforms = run(obj.dataset(), out, _texts_dir(obj.root, texts), echo=click.echo, progress=obj.progress)
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
    from .synth import TRIPLES_PER_DOCUMENT, generate

    if (documents is None) == (triples is None):
        raise UsageProblem("synth takes one of --documents or --triples")
    count = documents or max(1, round(triples / TRIPLES_PER_DOCUMENT))
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
    from .layout import source_for
    from .new_source import new_source as run

    path = run(obj.root, doc_id, title, published, publisher, dateline, language)
    click.echo(f"new-source: wrote {obj.layout.relative(path)}")
    text = obj.root / DEFAULT_TEXTS / f"{doc_id}.txt"
    click.echo(f"next: put the text in {text} (or your --texts folder); add the facts, each with "
               f"prov:wasDerivedFrom src:{doc_id} and a verbatim ckg:evidence quote; then run\n"
               f"  coalition-kg validate\n"
               f"  coalition-kg query facts-from-source --param source={source_for(doc_id)}")


@cli.command()
@click.option("--format", "fmt", default="turtle", show_default=True, metavar="turtle|nt|xml|jsonld|trig|nquads")
@click.option("--base", metavar="URL", default="https://w3id.org/coalition-kg/export/", show_default=True,
              help="Where build's OUT/export/ is published: each download URL is this plus a file name.")
@click.option("--endpoint", metavar="URL", help="The SPARQL endpoint that serves the graph, if one does.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to this file (default: stdout).")
@click.pass_obj
def describe(obj: Context, fmt: str, base: str, endpoint: str | None, output: Path | None) -> None:
    """The dataset's description in VoID and DCAT: the whole graph and one subset per source document,
    with counts, partitions, vocabularies and downloads, checked by shapes/metadata*.ttl (exit 1 if not)."""
    from .describe import check_format, checked, render
    from .export import write_atomically

    check_format(fmt)
    payload = render(checked(obj.dataset(), base, endpoint), fmt)
    if output is None:
        sys.stdout.buffer.write(payload)
    else:
        write_atomically(output, payload)


@cli.command()
@click.argument("out", metavar="DIR", type=click.Path(path_type=Path))
@click.option("--base-url", metavar="URL",
              help="Where DIR will be published, if not at the IRIs' own base: the .htaccess then answers each IRI "
                   "with a 303 redirect to its file there, as w3id.org does.")
@click.pass_obj
def site(obj: Context, out: Path, base_url: str | None) -> None:
    """Write the graph as a static linked-data site to DIR: a page per entity at the path of its IRI,
    with its Turtle and JSON-LD beside it; indexes, a timeline, a page per source document, the
    ontology's documentation, and an .htaccess for content negotiation.

    DIR must be new, empty, or a site this command wrote; it is replaced whole."""
    import time

    from .site import build_site

    started = time.perf_counter()
    summary = build_site(obj.dataset(), out, base_url, progress=obj.progress)
    click.echo(f"site: {summary.pages} pages ({summary.entities} entities), {summary.files} files -> {out} "
               f"({time.perf_counter() - started:.1f} s)")
    if summary.left_out:
        click.echo(f"site: {len(summary.left_out)} entities have no page: their IRIs cannot be file paths "
                   f"(e.g. {summary.left_out[0]})", err=True)


def main(argv: list[str] | None = None) -> None:
    if argv is None:  # the program itself, not a caller in process (tests): no network unless it needs one
        from .no_network import forbid_network, needs_network

        if not needs_network(sys.argv[1:]):
            forbid_network()
    try:
        cli.main(args=argv, prog_name="coalition-kg", standalone_mode=False)
    except CoalitionKGError as error:
        click.echo(f"coalition-kg: error: {error}", err=True)
        sys.exit(error.exit_code)
    except click.exceptions.Abort:
        click.echo("coalition-kg: aborted", err=True)
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(2)
    except BrokenPipeError:
        sys.exit(0)
    sys.exit(0)


if __name__ == "__main__":
    main()
