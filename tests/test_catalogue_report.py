"""validate's report of the catalogue shapes names the stored query a result is about."""

from __future__ import annotations

from coalition_kg.check.validate import check_catalogue
from coalition_kg.query.catalogue import load_catalogue
from coalition_kg.repository import layout as lay
from coalition_kg.repository.dataset import load


def test_a_query_breaking_a_catalogue_shape_is_named_itself(repo_copy):
    """A summary too short (dct:title, sh:minLength 10) on the first query of several: the problem's focus
    and file are that query's, not another's of the catalogue."""
    queries = sorted(load_catalogue(lay.Layout.at(repo_copy)))
    first = queries[0]
    assert len(queries) > 1 and first != queries[-1]
    path = repo_copy / "queries" / f"{first}.rq"
    text = path.read_text(encoding="utf-8")
    summary = next(line for line in text.splitlines() if line.startswith("#+ summary:"))
    path.write_text(text.replace(summary, "#+ summary: Short", 1), encoding="utf-8")
    problems = [p for p in check_catalogue(load(repo_copy)) if "title" in p.path]  # dct:title
    assert [(p.file, p.focus) for p in problems] == [(f"queries/{first}.rq", f"query {first}")], problems


def test_a_stored_query_with_an_undeclared_prefix_is_refused_at_its_first_use(repo_copy, cli):
    # rdflib's parser, which the SPARQL gate uses, lends its own default prefixes (skos:, rdfs:, ...);
    # SPARQL does not, and pyoxigraph refuses such a query when it is run: validate must refuse it first.
    path = repo_copy / "queries" / "aliases.rq"
    text = path.read_text(encoding="utf-8")
    assert "PREFIX skos:" in text
    broken = "".join(line for line in text.splitlines(keepends=True) if not line.startswith("PREFIX skos:"))
    path.write_text(broken, encoding="utf-8")
    line = next(n for n, t in enumerate(broken.splitlines(), 1) if "skos:" in t and not t.startswith("#"))
    result = cli("--root", str(repo_copy), "validate", "--no-reasoning")
    assert result.code == 1
    assert (f"queries/aliases.rq:{line}: error: it uses skos:, which its PREFIX lines do not declare "
            "(SPARQL 1.1, section 4.1.1) [catalogue]") in result.out


def test_the_first_use_is_found_by_the_parser_not_by_a_scan_of_the_text(repo_copy, cli):
    # A '#' inside an IRI is no comment, nor is "skos:" inside a string: pyoxigraph's parser says where
    # it stops, at the first undeclared prefixed name that is SPARQL, here after an IRI with a '#' in it.
    path = repo_copy / "queries" / "aliases.rq"
    head = "".join(line for line in path.read_text(encoding="utf-8").splitlines(keepends=True)
                   if line.startswith("#+"))
    path.write_text(head + 'SELECT ?s WHERE {\n  ?s <http://example.org/v#label> "skos:x" .\n'
                           '  ?_entity_iri <http://example.org/v#p> ?s . ?s skos:prefLabel ?l .\n}\n', encoding="utf-8")
    line = head.count("\n") + 3
    result = cli("--root", str(repo_copy), "validate", "--no-reasoning")
    assert result.code == 1
    assert f"queries/aliases.rq:{line}: error: it uses skos:, which its PREFIX lines do not declare" in result.out
