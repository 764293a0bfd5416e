"""A semantic diff for people (text), for a pull-request comment (Markdown, as diff blocks that show
green and red), and for tools (JSON)."""

from __future__ import annotations

import json

from coalition_kg.diff.semantic import GraphChanges

FORMATS = ("text", "markdown", "json")


def render(graphs: list[GraphChanges], fmt: str, old: str, new: str) -> str:
    count = sum(len(g.changes) for g in graphs)
    summary = f"{count} change(s) in {len(graphs)} graph(s) from {old} to {new}" if count else \
        f"no change in the facts from {old} to {new}"
    if fmt == "json":
        body = {"old": old, "new": new, "changes": count, "graphs": [
            {"graph": g.graph, "file": g.file, "changes": [vars(c) for c in g.changes]} for g in graphs]}
        return json.dumps(body, indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        parts = [f"**coalition-kg diff**: {summary}\n"]
        for g in graphs:
            lines = "\n".join(f"{c.sign} {c.text} [{g.tag}]" for c in g.changes)
            parts.append(f"\n#### `{g.file}` ({len(g.changes)})\n\n```diff\n{lines}\n```\n")
        return "".join(parts)
    parts = []
    for g in graphs:
        parts.append(f"{g.file} <{g.graph}>\n")
        parts += [f"  {c.sign} {c.text} [{g.tag}]\n" for c in g.changes]
    return "".join(parts) + summary + "\n"
