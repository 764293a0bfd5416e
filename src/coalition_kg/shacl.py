"""The SHACL engines. pySHACL is the reference; pyshacl-turbo, a Rust engine with pySHACL's API,
is the default because it validates a million triples in seconds rather than hours and gives the
same results on our shapes (tests/test_engines.py shows it on the real data, every invalid fixture
and synthetic data with injected violations).

Both return one dict per sh:ValidationResult, with rdflib terms whose blank-node labels are the
store's, so the locator can find a failing node again."""

from __future__ import annotations

import logging
import re

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF, SH

from .errors import UsageProblem

ENGINES = ("turbo", "pyshacl")
DEFAULT_ENGINE = "turbo"
SEVERITIES = {SH.Violation: "error", SH.Warning: "warning", SH.Info: "info"}


def run_shacl(data: ox.Store | rdflib.Graph, shapes: rdflib.Graph, engine: str = DEFAULT_ENGINE) -> list[dict]:
    """Validate ``data`` (every graph of a store, or one rdflib Graph) against ``shapes``."""
    if engine == "turbo":
        report = _turbo(data, shapes)
    elif engine == "pyshacl":
        report = _pyshacl(data, shapes)
    else:
        raise UsageProblem(f"unknown SHACL engine {engine!r} (one of {', '.join(ENGINES)})")
    return results(report)


def _unusable(error: Exception) -> UsageProblem:
    message = " ".join(str(getattr(error, "message", error)).split())
    return UsageProblem(f"shapes/: a shape cannot be used: {message}")


def _turbo(data, shapes: rdflib.Graph) -> rdflib.Graph:
    import pyshacl_turbo
    from pyshacl_turbo.errors import ReportableRuntimeError

    try:
        _, report, _ = pyshacl_turbo.validate(data, shacl_graph=shapes, inference="none", advanced=True,
                                              allow_warnings=True, allow_infos=True)
    except (ReportableRuntimeError, ValueError, re.error) as error:
        raise _unusable(error) from None
    return report


def _pyshacl(data, shapes: rdflib.Graph) -> rdflib.Graph:
    import pyshacl
    from pyparsing import ParseException
    from pyshacl.errors import ReportableRuntimeError

    from .terms import rdflib_graph

    if isinstance(data, ox.Store):
        data = rdflib_graph(data)
    # pySHACL logs its errors to stderr through a handler it re-creates on every call; we report
    # them ourselves, in one line, so its logger is switched off (a flag it does not reset).
    logging.getLogger("pyshacl-validate").disabled = True
    try:
        _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True,
                                        allow_warnings=True, allow_infos=True)
    except (ReportableRuntimeError, ParseException, re.error) as error:
        raise _unusable(error) from None
    return report


def results(report: rdflib.Graph) -> list[dict]:
    found = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        def one(predicate, result=result):
            return report.value(result, predicate)

        found.append({
            "focus": one(SH.focusNode), "path": one(SH.resultPath), "value": one(SH.value),
            "shape": one(SH.sourceShape), "component": one(SH.sourceConstraintComponent),
            "severity": SEVERITIES.get(one(SH.resultSeverity), "error"),
            "message": str(one(SH.resultMessage) or one(SH.sourceConstraintComponent) or "fails its shape"),
        })
    return found
