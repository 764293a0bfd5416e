"""How each step's cost grows with the graph: coalition-kg against the plain rdflib path.

    python benchmarks/bench.py                       # 10k, 100k and 1M triples (about 30 minutes)
    python benchmarks/bench.py --sizes 2000 --out /tmp/bench

For each size it generates a synthetic repository (`coalition-kg synth`, with injected violations
of every kind and of every data shape), then runs each step in a fresh process, so that the peak
memory of a step is its own: load, derive, the full `validate`, the SHACL data shapes alone, OWL-RL
inference (the in-store reasoner writing its entailments into the store, as the commands do), every
stored query with the entailments on, every export format. The previous engine, `reasonable`, runs
beside it as `previous-infer` wherever it is installed (it is no longer a dependency:
`pip install reasonable` to include it), so that the speed-up is measured in one run. The plain
path a user would write by hand (rdflib in-memory parse, pySHACL, owlrl) runs at the sizes where
it is predicted to finish within --plain-limit seconds, and is stopped at that limit otherwise. In
the same run it checks that pyshacl-turbo reports exactly what pySHACL reports (violation by
violation, including the injected ones) and that the in-store reasoner entails exactly what
owlrl does, wherever both ran.

It prints a table (seconds, peak MB, triples per second, growth exponent from the previous size,
ratio to the plain path), the targets with how far each is met or missed, and writes them to
OUT/table.txt, the numbers to OUT/results.json and a plot to OUT/timings.png. A benchmark, not a
test: nothing here fails a build."""

from __future__ import annotations

import argparse
import functools
import importlib.util
import itertools
import json
import math
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXPORT_FORMATS = ("turtle", "nt", "xml", "jsonld", "trig", "nquads")
# (step, target seconds at 1M triples); queries and exports are checked one by one.
TARGETS = {"load": 5, "validate": 25, "infer": 8, "query": 0.5, "export": 20}
PEAK_TARGET_MB = 1500
SPEED_UP_TARGET = 10  # inference: at least this many times faster than the previous engine, in the same run
# Whole commands on the real repository, start-up included: (arguments, target seconds).
STARTUP = {"coalition-kg --help": (["--help"], 0.3), "coalition-kg validate": (["validate"], 0.5)}


# ----------------------------------------------------------------------------------------------
# One step, in the child process: prints {"seconds": ..., "peak_mb": ..., ...} as JSON.

def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _clock(function):
    start = time.perf_counter()
    value = function()
    return time.perf_counter() - start, value


def run_step(step: str, repo: Path, dump: Path | None) -> dict:
    from coalition_kg.repository.dataset import load

    if step == "plain-load":
        import rdflib

        def parse():
            graph = rdflib.Dataset()
            for path in sorted((repo / "ontology").glob("*.ttl")) + sorted((repo / "data").rglob("*.ttl")):
                graph.graph(rdflib.URIRef("urn:plain:" + path.stem)).parse(path, format="turtle")
            return graph
        seconds, graph = _clock(parse)
        return {"seconds": seconds, "triples": len(graph)}
    if step == "load":
        seconds, dataset = _clock(lambda: load(repo, derive=False))
        return {"seconds": seconds, "triples": len(dataset.store)}
    if step in ("store-build", "store-reopen"):  # --store PATH: built once, then reopened
        import shutil

        from coalition_kg.repository.disk_store import open_store
        from coalition_kg.repository.layout import Layout

        path = repo.with_name(repo.name + "-store")
        if step == "store-build":
            shutil.rmtree(path, ignore_errors=True)
        seconds, dataset = _clock(lambda: open_store(Layout.at(repo), path))
        return {"seconds": seconds, "triples": len(dataset.store)}
    if step == "derive":
        from coalition_kg.repository.shortcut_rules import derive_shortcuts

        dataset = load(repo, derive=False)
        seconds, added = _clock(lambda: derive_shortcuts(dataset.store, dataset.layout, dataset.data_graphs))
        return {"seconds": seconds, "derived": added}
    dataset = load(repo)
    if step == "validate":
        from coalition_kg.check.validate import validate

        seconds, report = _clock(lambda: validate(dataset, repo / "texts"))
        return {"seconds": seconds, "problems": len(report.problems)}
    if step in ("shacl", "plain-shacl"):
        from coalition_kg.check.shacl import result_key, run_shacl
        from coalition_kg.repository.dataset import graph_from_files

        shapes = graph_from_files(dataset.layout.shape_files("data"), dataset.layout)
        graph = dataset.store
        engine = "turbo" if step == "shacl" else "pyshacl"
        seconds, results = _clock(lambda: run_shacl(graph, shapes, engine))
        if dump:
            dump.write_text(json.dumps(sorted(result_key(r) for r in results)), encoding="utf-8")
        return {"seconds": seconds, "results": len(results)}
    if step == "infer":  # as the commands do it: the entailments written into the store, in graph inferred
        import pyoxigraph as ox

        from coalition_kg.reasoning.owl_rl import materialise_entailments

        seconds, count = _clock(lambda: materialise_entailments(dataset))
        if dump:
            graph = ox.NamedNode(dataset.layout.vocabulary.inferred_graph)
            found = dataset.store.quads_for_pattern(None, None, None, graph)
            added = [ox.Triple(q.subject, q.predicate, q.object) for q in found]
            name = blank_names(dataset)
            lines = {" ".join(name(term) for term in (t.subject, t.predicate, t.object)) for t in added}
            dump.write_text("\n".join(sorted(lines)), encoding="utf-8")
        return {"seconds": seconds, "entailments": count}
    if step == "previous-infer":  # the engine the in-store reasoner replaced, on the code path it had
        import reasonable

        from coalition_kg.rdf.terms import ox_triples, rdflib_triples
        from coalition_kg.reasoning.owl_rl import asserted_graphs

        def previous():
            asserted = {ox.Triple(q.subject, q.predicate, q.object) for q in dataset.quads(asserted_graphs(dataset))}
            engine = reasonable.PyReasoner()
            engine.from_graph(rdflib_triples(asserted))
            return [t for t in ox_triples(engine.reason()) if t not in asserted]

        import pyoxigraph as ox

        seconds, added = _clock(previous)
        return {"seconds": seconds, "entailments": len(added)}
    if step == "plain-infer":
        from coalition_kg.reasoning.owl_rl import entailments

        seconds, added = _clock(lambda: entailments(dataset, "owlrl"))
        if dump:
            name = blank_names(dataset)
            lines = {" ".join(name(term) for term in (t.subject, t.predicate, t.object)) for t in added}
            dump.write_text("\n".join(sorted(lines)), encoding="utf-8")
        return {"seconds": seconds, "entailments": len(added)}
    if step == "queries":
        from coalition_kg.query.catalogue import load_catalogue
        from coalition_kg.query.store import EmbeddedStore, answer
        from coalition_kg.reasoning.owl_rl import materialise_entailments

        materialise_entailments(dataset)  # as `coalition-kg query` answers: with the entailments
        store, times, rows = EmbeddedStore(dataset), {}, {}
        for query in load_catalogue(dataset.layout).values():
            values = synthetic_values(dataset, query)
            seconds, results = _clock(lambda query=query, values=values: answer(store, query, values))
            times[query.name], rows[query.name] = seconds, len(results.rows)
        return {"seconds": sum(times.values()), "queries": times, "rows": rows}
    if step.startswith("export-"):
        from coalition_kg.publish.export import export_quads, serialise

        quads = export_quads(dataset)
        seconds, payload = _clock(lambda: serialise(quads, step.removeprefix("export-")))
        return {"seconds": seconds, "bytes": len(payload)}
    raise SystemExit(f"bench: unknown step {step!r}")


def blank_names(dataset):
    """Blank-node labels differ from one load to the next; to compare two processes' entailments a
    blank node is named by what it says (every blank node in our data is an evidence node with its
    own quote) and by who points at it."""
    import pyoxigraph as ox

    cache = {}
    inferred = ox.NamedNode(dataset.layout.vocabulary.inferred_graph)  # what the data says, not what is drawn

    def name(term) -> str:
        if not isinstance(term, ox.BlankNode):
            return str(term)
        if term not in cache:
            store = dataset.store
            out = sorted(f"{q.predicate} {q.object}" for q in store.quads_for_pattern(term, None, None, None)
                         if not isinstance(q.object, ox.BlankNode) and q.graph_name != inferred)
            into = sorted(f"{q.subject} {q.predicate}" for q in store.quads_for_pattern(None, None, term, None)
                          if q.graph_name != inferred)
            cache[term] = "[" + "; ".join(out + ["^" + i for i in into]) + "]"
        return cache[term]
    return name


def synthetic_values(dataset, query) -> dict[str, str]:
    """The query's example parameters name real entities, which synthetic data lacks: an IRI
    parameter takes the best-connected synthetic instance of the example's class instead."""
    from coalition_kg.query.store import EmbeddedStore

    real = _real_store()
    values = {}
    for name, example in query.example_values().items():
        param = next(p for p in query.params if p.name == name)
        if param.type != "iri":
            values[name] = example
            continue
        classes = real.select(f"SELECT ?c WHERE {{ <{example}> a ?c }} ORDER BY ?c LIMIT 1").rows
        if not classes:
            values[name] = example
            continue
        kind = classes[0]["c"].value
        best = EmbeddedStore(dataset).select(
            f"SELECT ?x (COUNT(*) AS ?n) WHERE {{ ?x a <{kind}> . {{ ?x ?p ?o }} UNION {{ ?s ?p ?x }} }}"
            " GROUP BY ?x ORDER BY DESC(?n) ?x LIMIT 1").rows
        values[name] = best[0]["x"].value if best else example
    return values


@functools.cache
def _real_store():
    from coalition_kg.query.store import EmbeddedStore
    from coalition_kg.repository.dataset import load

    return EmbeddedStore(load(ROOT, derive=False))


# ----------------------------------------------------------------------------------------------
# The parent: sizes, steps, comparisons, the table, the plot.

def child(step: str, repo: Path, timeout: float, dump: Path | None = None) -> dict:
    command = [sys.executable, __file__, "--step", step, "--repo", str(repo)] + (["--dump", str(dump)] if dump else [])
    started = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"status": f"stopped at the {timeout:.0f} s limit", "seconds": None}
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"status": f"failed: {last}", "seconds": None}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result.update(status="ok", wall=time.perf_counter() - started)
    return result


def synthesise(size: int, work: Path) -> Path:
    repo = work / f"synth-{size}"
    if not (repo / "expected-violations.json").is_file():
        from coalition_kg.authoring.synth import TRIPLES_PER_DOCUMENT, VIOLATIONS

        # two violations of each kind where there are documents enough to carry them
        violations = min(2, round(size / TRIPLES_PER_DOCUMENT) // len(VIOLATIONS))
        subprocess.run([sys.executable, "-m", "coalition_kg.cli", "--root", str(ROOT), "--quiet", "synth",
                        str(repo), "--triples", str(size), "--violations", str(violations)], check=True)
    return repo


def predicted(previous: dict | None, size: int) -> float | None:
    """A step's time at this size if it grows linearly from the last size it ran at."""
    if not previous or previous.get("seconds") is None:
        return None
    return previous["seconds"] * size / previous["size"]


def exponent(a: dict | None, b: dict) -> float | None:
    if not a or a.get("seconds") in (None, 0) or b.get("seconds") in (None, 0):
        return None
    return math.log(b["seconds"] / a["seconds"]) / math.log(b["size"] / a["size"])


def compare_files(ours: Path, theirs: Path, what: str) -> dict:
    if not (ours.is_file() and theirs.is_file()):
        return {"compared": False}
    set_aside: set[str] = set()
    if what == "validation results":
        mine, reference = ({tuple(r) for r in json.loads(p.read_text())} for p in (ours, theirs))
    else:
        mine, reference = (set(p.read_text(encoding="utf-8").splitlines()) for p in (ours, theirs))
    return {"compared": True, "what": what, "same": mine == reference, "count": len(reference),
            "set_aside": len(set_aside), "only_ours": sorted(map(str, mine - reference))[:10],
            "only_reference": sorted(map(str, reference - mine))[:10]}


def startup(runs: int = 5) -> dict:
    """Median wall time of whole processes on the real data, as a person at a terminal meets them."""
    found = {}
    for name, (arguments, target) in STARTUP.items():
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "coalition_kg.cli", "--root", str(ROOT), *arguments],
                           capture_output=True, check=False)
            times.append(time.perf_counter() - started)
        found[name] = {"seconds": sorted(times)[runs // 2], "target": target}
        print(f"  {name:<30} {found[name]['seconds']:.2f} s (median of {runs})", flush=True)
    return found


ALL_STEPS = ("load", "store-build", "store-reopen", "derive", "validate", "shacl", "infer", "previous-infer",
             "queries", *(f"export-{f}" for f in EXPORT_FORMATS), "plain-load", "plain-shacl", "plain-infer")


def measure(sizes: list[int], out: Path, plain_limit: float, steps: tuple[str, ...] = ALL_STEPS) -> dict:
    work = out / "repos"
    work.mkdir(parents=True, exist_ok=True)
    rows: dict[str, list[dict]] = {}
    agreements = []
    last: dict[str, dict] = {}

    def record(step: str, size: int, result: dict) -> None:
        result["size"] = size
        rows.setdefault(step, []).append(result)
        if result.get("seconds") is not None:
            last[step] = result
        shown = f"{result['seconds']:.2f} s" if result.get("seconds") is not None else result["status"]
        print(f"  {step:<22} {shown}", flush=True)

    for size in sizes:
        repo = synthesise(size, work)
        print(f"== {size:,} triples ({repo})", flush=True)
        dumps = {name: work / f"{name}-{size}.json" for name in ("shacl", "plain-shacl", "infer", "plain-infer")}
        missing = () if importlib.util.find_spec("reasonable") else ("previous-infer",)  # not installed
        for step in (s for s in ALL_STEPS if s in steps and s not in missing and not s.startswith("plain-")):
            result = child(step, repo, timeout=3600, dump=dumps.get(step))
            if step == "queries" and result["status"] == "ok":
                for name, seconds in result["queries"].items():
                    record(f"query {name}", size, {"seconds": seconds, "status": "ok", "rows": result["rows"][name],
                                                   "peak_mb": result["peak_mb"]})
            else:
                record(step, size, result)
        for step in (s for s in ("plain-load", "plain-shacl", "plain-infer") if s in steps):
            guess = predicted(last.get(step), size)
            if guess is not None and guess > plain_limit:
                status = f"not run: predicted {guess:.0f} s > {plain_limit:.0f} s"
                record(step, size, {"status": status, "seconds": None})
                continue
            record(step, size, child(step, repo, timeout=plain_limit, dump=dumps.get(step)))
        pairs = (("shacl", "plain-shacl", "validation results"), ("infer", "plain-infer", "entailments"))
        for ours, theirs, what in pairs:
            found = compare_files(dumps[ours], dumps[theirs], what)
            if found["compared"]:
                expected = json.loads((repo / "expected-violations.json").read_text())["expected"]
                found.update(size=size, injected=len(expected))
                if what == "validation results":
                    reported = {(r[3], r[0].strip("<>")) for r in map(tuple, json.loads(dumps[ours].read_text()))}
                    found["injected_found"] = sum((e["shape"], e["focus"]) in reported for e in expected)
                    # a node can break one shape more than once (two bad values): compare (shape, node)
                    found["reported_pairs"] = len(reported)
                agreements.append(found)
                aside = (f"; {found['set_aside']} schema domain/range entailments of owlrl's set aside"
                         if found.get("set_aside") else "")
                injected = (f"; {found['injected_found']} of {found['injected']} injected violations found, "
                            f"{found['reported_pairs']} (shape, node) pairs reported"
                            if "injected_found" in found else "")
                print(f"  agreement: {what} at {size:,}: {'identical' if found['same'] else 'DIFFERENT'} "
                      f"({found['count']} each{injected}{aside})", flush=True)
    print("== the real data, whole processes", flush=True)
    return {"sizes": sizes, "steps": rows, "agreements": agreements, "plain_limit": plain_limit, "startup": startup(),
            "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}}


PLAIN_OF = {"load": "plain-load", "shacl": "plain-shacl", "infer": "plain-infer"}


def _short(row: dict) -> str:
    """A step with no time, in a table cell: why not."""
    status = row.get("status") or ""
    return "skipped" if status.startswith("not run") else "stopped" if status.startswith("stopped") else \
        "failed" if status else ""


def table(results: dict) -> str:
    lines = [f"{'step':<34}{'triples':>10}{'seconds':>10}{'peak MB':>9}{'triples/s':>15}{'exponent':>10}"
             f"{'plain s':>10}{'plain/ours':>11}"]
    for step, measured in results["steps"].items():
        if step.startswith("plain-"):
            continue
        plain = {r["size"]: r for r in results["steps"].get(PLAIN_OF.get(step, ""), [])}
        previous = None
        for row in measured:
            seconds = row.get("seconds")
            growth = exponent(previous, row)
            other = plain.get(row["size"], {})
            other_seconds = other.get("seconds")
            cells = [f"{step:<34}", f"{row['size']:>10,}",
                     f"{seconds:>10.3f}" if seconds is not None else f"{_short(row):>10}",
                     f"{row.get('peak_mb', 0):>9.0f}",
                     f"{row['size'] / seconds:>15,.0f}" if seconds else f"{'':>15}",
                     f"{growth:>10.2f}" if growth is not None else f"{'':>10}",
                     f"{other_seconds:>10.2f}" if other_seconds is not None else f"{_short(other):>10}",
                     f"{other_seconds / seconds:>11.1f}" if other_seconds and seconds else f"{'':>11}"]
            lines.append("".join(cells))
            previous = row if seconds is not None else previous
    return "\n".join(lines)


def targets(results: dict) -> list[str]:
    """Each target at the largest size, met or missed and by how much."""
    size = max(results["sizes"])
    lines = [f"targets at {size:,} triples (set for 1,000,000):"]
    for step, measured in results["steps"].items():
        if step.startswith("plain-"):
            continue
        kind = "query" if step.startswith("query ") else "export" if step.startswith("export-") else step
        row = next((r for r in measured if r["size"] == size), None)
        if kind not in TARGETS or row is None:
            continue
        limit, seconds = TARGETS[kind], row.get("seconds")
        if seconds is None:
            lines.append(f"  {step:<34} no time ({row['status']})")
            continue
        verdict = "met" if seconds <= limit else f"MISSED by {seconds - limit:.1f} s ({seconds / limit:.1f}x)"
        lines.append(f"  {step:<34} {seconds:8.2f} s  <= {limit} s  {verdict}")
    for name, row in results.get("startup", {}).items():
        verdict = "met" if row["seconds"] <= row["target"] else f"MISSED by {row['seconds'] - row['target']:.2f} s"
        lines.append(f"  {name + ' (real data)':<34} {row['seconds']:8.2f} s  <= {row['target']} s  {verdict}")
    ours = next((r.get("seconds") for r in results["steps"].get("infer", []) if r["size"] == size), None)
    before = next((r.get("seconds") for r in results["steps"].get("previous-infer", []) if r["size"] == size), None)
    if ours and before:
        ratio = before / ours
        verdict = "met" if ratio >= SPEED_UP_TARGET else "MISSED"
        lines.append(f"  {'infer, speed-up on reasonable':<34} {ratio:8.1f} x  >= {SPEED_UP_TARGET} x  {verdict}")
    peak = max((r.get("peak_mb", 0) for step, m in results["steps"].items() for r in m
                if r["size"] == size and r.get("seconds") is not None and step != "previous-infer"), default=0)
    verdict = "met" if peak <= PEAK_TARGET_MB else f"MISSED by {peak - PEAK_TARGET_MB:.0f} MB"
    lines.append(f"  {'peak memory (any step)':<34} {peak:8.0f} MB <= {PEAK_TARGET_MB} MB  {verdict}")
    worst = [(step, exponent(a, b)) for step, m in results["steps"].items() for a, b in itertools.pairwise(m)]
    worst = [(step, e) for step, e in worst if e is not None and not step.startswith("plain-")]
    if worst:
        step, e = max(worst, key=lambda item: item[1])
        lines.append(f"  {'worst growth exponent':<34} {e:8.2f}    ({step}; 1.0 is linear)")
    return lines


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, 2, figsize=(14, 6))
    palette = plt.get_cmap("tab20").colors
    colours: list[dict[str, tuple]] = [{}, {}]  # one set per panel
    for step, measured in results["steps"].items():
        points = [(r["size"], r["seconds"]) for r in measured if r.get("seconds")]
        if not points:
            continue
        panel = 1 if step.startswith("query ") else 0
        axis = axes[panel]
        ours = {plain: mine for mine, plain in PLAIN_OF.items()}.get(step, step)  # the plain path takes our colour
        colour = colours[panel].setdefault(ours, palette[len(colours[panel]) % len(palette)])
        style = "--" if step.startswith("plain-") else "-"
        axis.plot(*zip(*points, strict=True), style, marker="o", color=colour, label=step)
    for axis, title in zip(axes, ("steps (dashed: the plain rdflib path)", "stored queries"), strict=True):
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("triples")
        axis.set_ylabel("seconds")
        axis.set_title(title)
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=7, ncol=2)
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated triple counts")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument("--plain-limit", type=float, default=600, help="seconds the plain path may take a step")
    parser.add_argument("--steps", default=",".join(ALL_STEPS),
                        help="comma-separated steps to run (default: all of them)")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--repo", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--dump", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.step:
        result = run_step(args.step, args.repo, args.dump)
        result["peak_mb"] = _peak_mb()
        print(json.dumps(result))
        return
    sizes = sorted(int(size) for size in args.sizes.split(","))
    args.out.mkdir(parents=True, exist_ok=True)
    unknown = set(args.steps.split(",")) - set(ALL_STEPS)
    if unknown:
        parser.error(f"unknown steps {', '.join(sorted(unknown))} (the steps: {', '.join(ALL_STEPS)})")
    results = measure(sizes, args.out, args.plain_limit, tuple(args.steps.split(",")))
    report = table(results) + "\n\n" + "\n".join(targets(results)) + "\n"
    print("\n" + report)
    (args.out / "table.txt").write_text(report, encoding="utf-8")
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    plot(results, args.out / "timings.png")
    print(f"wrote {args.out / 'table.txt'}, {args.out / 'results.json'} and {args.out / 'timings.png'}")


if __name__ == "__main__":
    main()
