"""Uploading the graph to a triple store through the SPARQL 1.1 Graph Store Protocol: one PUT per
named graph, so each graph arrives whole or not at all, and a failure says which graphs were
written. Credentials come from the environment, never from the command line."""

from __future__ import annotations

import os
import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph as ox

from .dataset import Dataset
from .remote import EndpointProblem

USER, PASSWORD = "COALITION_KG_USER", "COALITION_KG_PASSWORD"


def _opener(endpoint: str) -> urllib.request.OpenerDirector:
    user, password = os.environ.get(USER), os.environ.get(PASSWORD)
    if not user:
        return urllib.request.build_opener()
    passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    passwords.add_password(None, endpoint, user, password or "")
    # whichever the server asks for: Virtuoso's graph store wants digest, others basic
    return urllib.request.build_opener(urllib.request.HTTPBasicAuthHandler(passwords),
                                       urllib.request.HTTPDigestAuthHandler(passwords))


def push(dataset: Dataset, endpoint: str, timeout: float = 60.0) -> list[str]:
    """PUT every graph (ontology, each data file's, the derived shortcuts) to ``endpoint``, the
    store's Graph Store Protocol URL. Returns the graphs written."""
    graphs = dataset.layout.graphs()
    opener, written = _opener(endpoint), []
    for graph in graphs:
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in dataset.quads([graph])]
        request = urllib.request.Request(
            f"{endpoint}?{urllib.parse.urlencode({'graph': graph})}", method="PUT",
            data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES),
            headers={"Content-Type": "application/n-triples"})
        try:
            with opener.open(request, timeout=timeout):
                pass
        except urllib.error.HTTPError as error:
            raise _partial(endpoint, written, graphs, f"HTTP {error.code} {error.reason}") from None
        except TimeoutError:
            raise _partial(endpoint, written, graphs, f"no answer within {timeout:g} s") from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise _partial(endpoint, written, graphs, f"cannot connect ({reason})") from None
        written.append(graph)
    return written


def _partial(endpoint: str, written: list[str], graphs: list[str], what: str) -> EndpointProblem:
    done = ", ".join(g.rsplit("/", 1)[-1] for g in written) or "none"
    return EndpointProblem(endpoint, f"{what}; {len(written)} of {len(graphs)} graphs written ({done}), "
                                     f"failed at {graphs[len(written)]}")
