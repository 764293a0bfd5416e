"""gzip for `serve`'s answers when the client accepts it (RFC 9110, 12.5.3: Accept-Encoding with
q-values; identity stays acceptable unless refused). The standard library's gzip does the work."""

from __future__ import annotations

import gzip
from dataclasses import replace

from coalition_kg.serve.negotiation import accepted
from coalition_kg.serve.workers import Reply

SMALLEST = 512  # bytes: below this gzip's own header and trailer outweigh what it saves
LEVEL = 5  # most of level 9's saving on RDF and results at a fraction of its time


def takes_gzip(header: str | None) -> bool:
    """Whether Accept-Encoding asks for gzip: named (or x-gzip, or *) with a q-value above 0."""
    if not header:
        return False
    q = dict(accepted(header))
    for coding in ("gzip", "x-gzip"):
        if coding in q:
            return q[coding] > 0
    return q.get("*", 0) > 0


def gzipped(reply: Reply, accept_encoding: str | None) -> Reply:
    if reply.status != 200 or len(reply.body) < SMALLEST or not takes_gzip(accept_encoding) \
            or "Content-Encoding" in reply.headers:
        return reply
    return replace(reply, body=gzip.compress(reply.body, LEVEL, mtime=0),
                   headers={**reply.headers, "Content-Encoding": "gzip"})
