"""Time to refuse a 10 KB SPARQL query of 5,000 nested brackets (issue 12, class 2), in process:
the median of several runs of the checker every entry point uses. It once crashed the process."""

from __future__ import annotations

import argparse
import statistics
import time

from coalition_kg.sparql_guard import QueryRefused, check

NESTED = 5_000


def refusal_seconds(text: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        try:
            check(text)
        except QueryRefused:
            times.append(time.perf_counter() - started)
        else:
            raise SystemExit("the nested query was not refused")
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    runs = parser.parse_args().runs
    for name, text in (("(", "SELECT * WHERE { FILTER(" + "(" * NESTED + "1" + ")" * NESTED + ") }"),
                       ("{", "SELECT * WHERE " + "{" * NESTED + " ?s ?p ?o " + "}" * NESTED)):
        seconds = refusal_seconds(text, runs)
        print(f"refuse {len(text.encode()) / 1000:.1f} KB of {NESTED:,} nested {name}: "
              f"{seconds * 1000:.2f} ms (median of {runs})")


if __name__ == "__main__":
    main()
