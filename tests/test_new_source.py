"""`coalition-kg new-source`: the file it writes parses, validates and says what it was given; every
bad input is refused with exit 2 and one line, and nothing is written."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

from coalition_kg.repository.dataset import load

from .conftest import ROOT

DOC = "004_0123456789abcdef"
SRC = f"https://w3id.org/coalition-kg/source/{DOC}"
XSD = "http://www.w3.org/2001/XMLSchema#"
TITLE = 'The "Niamey" plenary, seen from Rabat \\ Communiqué'


def metadata(repo: Path, doc: str = DOC) -> dict[str, list]:
    """Each property of the document's node in its own graph, with its values (pyoxigraph terms)."""
    rows = load(repo).store.query(f"SELECT ?p ?o WHERE {{ GRAPH <https://w3id.org/coalition-kg/graph/{doc}> "
                                  f"{{ <https://w3id.org/coalition-kg/source/{doc}> ?p ?o }} }}")
    values: dict[str, list] = {}
    for row in rows:
        values.setdefault(row["p"].value.rsplit("/", 1)[-1].rsplit("#", 1)[-1], []).append(row["o"])
    return values


def test_written_file_validates_and_carries_the_metadata(repo_copy, cli):
    run = cli("--root", str(repo_copy), "new-source", DOC, "--title", TITLE, "--published", "2023-03-02",
              "--publisher", "global-counterterrorism-forum", "--dateline", "niamey", "--language", "fr")
    assert run.code == 0, run.err
    path = repo_copy / "data" / "sources" / f"{DOC}.ttl"
    assert f"new-source: wrote data/sources/{DOC}.ttl" in run.out
    assert "prov:wasDerivedFrom" in run.out and "ckg:evidence" in run.out and "coalition-kg validate" in run.out
    assert f"coalition-kg query facts-from-source --param source={SRC}" in run.out
    text = path.read_text(encoding="utf-8")
    assert text.startswith(f"# Source document {DOC}: ")
    existing = (repo_copy / "data" / "sources" / "003_73e3b687882f6e77.ttl").read_text(encoding="utf-8")
    assert [line for line in text.splitlines() if line.startswith("@prefix")] == \
        [line.replace("003_73e3b687882f6e77", DOC) for line in existing.splitlines() if line.startswith("@prefix")]

    validated = cli("--root", str(repo_copy), "validate")
    assert validated.code == 0, validated.out + validated.err

    values = metadata(repo_copy)
    assert [str(v) for v in values["type"]] == ["<https://w3id.org/coalition-kg/ontology#SourceDocument>"]
    assert [(v.value, v.language) for v in values["label"]] == [(TITLE, "en")]
    assert [v.value for v in values["documentId"]] == [DOC]
    assert [v.value for v in values["inLanguage"]] == ["fr"]
    assert [(v.value, v.datatype.value) for v in values["datePublished"]] == [("2023-03-02", XSD + "date")]
    assert [v.value for v in values["publisher"]] == ["https://w3id.org/coalition-kg/id/global-counterterrorism-forum"]
    assert [v.value for v in values["dateline"]] == ["https://w3id.org/coalition-kg/id/niamey"]
    assert "notAfter" not in values

    listed = cli("--root", str(repo_copy), "query", "source-documents", "--format", "csv")
    forum = "https://w3id.org/coalition-kg/id/global-counterterrorism-forum"
    assert f"{SRC},{DOC},2023-03-02,,{forum},Global Counterterrorism Forum," in listed.out


def test_only_the_required_metadata(repo_copy, cli):
    run = cli("--root", str(repo_copy), "new-source", DOC, "--title", "A title")
    assert run.code == 0, run.err
    assert cli("--root", str(repo_copy), "validate").code == 0
    assert sorted(metadata(repo_copy)) == ["documentId", "inLanguage", "label", "type"]


@pytest.mark.parametrize("given", ["Global Counterterrorism Forum", "  global counterterrorism forum ",
                                   "https://w3id.org/coalition-kg/id/global-counterterrorism-forum"])
def test_publisher_by_name_slug_or_iri(repo_copy, cli, given):
    run = cli("--root", str(repo_copy), "new-source", DOC, "--title", "A title", "--publisher", given)
    assert run.code == 0, run.err
    forum = "https://w3id.org/coalition-kg/id/global-counterterrorism-forum"
    assert [v.value for v in metadata(repo_copy)["publisher"]] == [forum]
    written = (repo_copy / "data" / "sources" / f"{DOC}.ttl").read_text(encoding="utf-8")
    assert "schema:publisher id:global-counterterrorism-forum ." in written


@pytest.mark.parametrize(("given", "kind", "bound"), [
    ("2024-02-29", "date", None),
    ("2024-02", "gYearMonth", "2024-02-29"),
    ("2023-02", "gYearMonth", "2023-02-28"),
    ("2023", "gYear", "2023-12-31"),
])
def test_date_keeps_its_precision(repo_copy, cli, given, kind, bound):
    run = cli("--root", str(repo_copy), "new-source", DOC, "--title", "A title", "--published", given)
    assert run.code == 0, run.err
    validated = cli("--root", str(repo_copy), "validate")
    assert validated.code == 0, validated.out
    values = metadata(repo_copy)
    if bound is None:
        assert [(v.value, v.datatype.value) for v in values["datePublished"]] == [(given, XSD + kind)]
        assert "notAfter" not in values and "interpretation" not in values
    else:  # schema:datePublished takes a day: the document is bounded, and its note keeps the precision
        assert "datePublished" not in values
        assert [(v.value, v.datatype.value) for v in values["notAfter"]] == [(bound, XSD + "date")]
        [note] = values["interpretation"]
        assert f"dated {given} (xsd:{kind}), with no day" in note.value


def test_the_quote_check_wants_the_text(repo_copy, cli, seeds, tmp_path):
    texts = tmp_path / "texts"
    shutil.copytree(seeds, texts)
    assert cli("--root", str(repo_copy), "new-source", DOC, "--title", "A title").code == 0
    missing = cli("--root", str(repo_copy), "validate", "--texts", str(texts))
    assert missing.code == 1
    assert f"data/sources/{DOC}.ttl:1: error: no source text {texts / DOC}.txt for document {DOC}" in missing.out
    (texts / f"{DOC}.txt").write_text("The text of the document.\n", encoding="utf-8")
    uncovered = cli("--root", str(repo_copy), "validate", "--texts", str(texts))
    assert uncovered.code == 1 and "no source text" not in uncovered.out
    # then the coverage check wants its one sentence accounted for
    assert [line.split(": error: ")[1] for line in uncovered.out.splitlines() if DOC in line and ": error: " in line] \
        == [f'sentence 1 of 1 ("The text of the document.") is quoted by no fact, claim or sentence left out '
            f'[coverage] (focus <https://w3id.org/coalition-kg/source/{DOC}>; value "The text of the document.")']
    with (repo_copy / "data" / "sources" / f"{DOC}.ttl").open("a", encoding="utf-8") as turtle:
        turtle.write(f"\n<https://w3id.org/coalition-kg/id/{DOC}/left-out-1> a ckg:SentenceLeftOut ;\n"
                     '    rdfs:label "The text of the document"@en ;\n    ckg:reasonLeftOut ckg:generality ;\n'
                     '    ckg:interpretation "It says nothing of any entity." ;\n'
                     f"    prov:wasDerivedFrom src:{DOC} ;\n"
                     '    ckg:evidence [ a ckg:Evidence ; oa:exact "The text of the document" ] .\n')
    validated = cli("--root", str(repo_copy), "validate", "--texts", str(texts))
    assert validated.code == 0, validated.out


EXISTING = "003_73e3b687882f6e77"
REFUSALS = [
    # (arguments after new-source, what the one line says)
    (["../evil", "--title", "t"], "'../evil' is not a document id"),
    (["a/b", "--title", "t"], "'a/b' is not a document id"),
    (["..", "--title", "t"], "'..' is not a document id"),
    (["", "--title", "t"], "'' is not a document id"),
    (["Doc_1", "--title", "t"], "'Doc_1' is not a document id"),
    (["doc-1", "--title", "t"], "'doc-1' is not a document id"),
    (["doc.1", "--title", "t"], "'doc.1' is not a document id"),
    (["_doc", "--title", "t"], "'_doc' is not a document id"),
    (["d" * 65, "--title", "t"], "is not a document id"),
    (["derived", "--title", "t"], "'derived' is not a document id: the graph https://w3id.org/coalition-kg/graph/derived"),
    (["ontology", "--title", "t"], "'ontology' is not a document id"),
    (["wikidata", "--title", "t"], "data/links/wikidata.ttl already has the graph name"),
    ([EXISTING, "--title", "t"], f"data/sources/{EXISTING}.ttl already exists; new-source never overwrites"),
    ([DOC, "--title", ""], "--title is empty"),
    ([DOC, "--title", " \n "], "--title is empty"),
    ([DOC, "--title", "t", "--published", "2 March 2023"], "--published '2 March 2023' is not a date"),
    ([DOC, "--title", "t", "--published", "2023-3-2"], "--published '2023-3-2' is not a date"),
    ([DOC, "--title", "t", "--published", "2023-13"], "--published '2023-13' is not a date: month must be in 1..12"),
    ([DOC, "--title", "t", "--published", "2023-02-29"], "--published '2023-02-29' is not a date: day is out of range"),
    ([DOC, "--title", "t", "--published", ""], "--published '' is not a date"),
    ([DOC, "--title", "t", "--publisher", "The Defense Post"],
     "--publisher 'The Defense Post': no organization with that slug or name in data/reference.ttl; add it there"),
    ([DOC, "--title", "t", "--publisher", "niamey"], "--publisher 'niamey': id:niamey in data/reference.ttl is not an "
                                                     "organization"),
    ([DOC, "--title", "t", "--publisher", "https://example.org/tdi"], "--publisher 'https://example.org/tdi': no "
                                                                      "organization"),
    ([DOC, "--title", "t", "--dateline", "daesh"], "--dateline 'daesh': id:daesh in data/reference.ttl is not a place"),
    ([DOC, "--title", "t", "--language", "en us"], "--language 'en us' is not a language tag"),
]


def snapshot(repo: Path) -> dict[str, bytes]:
    return {str(p.relative_to(repo)): p.read_bytes() for p in sorted((repo / "data").rglob("*")) if p.is_file()}


@pytest.mark.parametrize(("args", "message"), REFUSALS, ids=[f"{i:02d}" for i in range(len(REFUSALS))])
def test_refusals(repo_copy, cli, args, message):
    before = snapshot(repo_copy)
    run = cli("--root", str(repo_copy), "new-source", *args)
    assert run.code == 2, run.out + run.err
    assert run.out == ""
    assert run.err.startswith("coalition-kg: error: new-source: ") and run.err.count("\n") == 1, run.err
    assert message in run.err
    assert snapshot(repo_copy) == before


def test_an_ambiguous_publisher_name_is_refused(repo_copy, cli):
    with (repo_copy / "data" / "reference.ttl").open("a", encoding="utf-8") as reference:
        reference.write('\nid:tdi a ckg:MediaOrganization ;\n    rdfs:label "TDI"@en ;\n    skos:prefLabel "TDI"@en .\n'
                        '\nid:tdi-news a ckg:MediaOrganization ;\n    rdfs:label "TDI News"@en ;\n'
                        '    skos:prefLabel "TDI News"@en ;\n    skos:altLabel "TDI"@en .\n')
    before = snapshot(repo_copy)
    run = cli("--root", str(repo_copy), "new-source", DOC, "--title", "t", "--publisher", "tdi ")
    assert run.code == 2
    assert "--publisher 'tdi ' names several: id:tdi, id:tdi-news; give the slug" in run.err
    assert snapshot(repo_copy) == before
    assert cli("--root", str(repo_copy), "new-source", DOC, "--title", "t", "--publisher", "tdi-news").code == 0


def test_no_force_option(repo_copy, cli):
    before = snapshot(repo_copy)
    run = cli("--root", str(repo_copy), "new-source", EXISTING, "--title", "t", "--force")
    assert run.code == 2
    assert "No such option '--force'" in run.err
    assert snapshot(repo_copy) == before


def test_the_readme_walk_through(repo_copy, cli, seeds, tmp_path):
    """The section "Adding a document" of README.md, run as written: new-source, the example facts,
    validate with the quotes checked, facts-from-source."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Adding a document (for maintainers)\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```(\w+)\n(.*?)```", section, re.DOTALL)
    commands = [line for lang, body in blocks if lang == "sh"
                for line in re.sub(r"\\\n\s*", "", body).splitlines() if line.strip()]
    [turtle] = [body for lang, body in blocks if lang == "turtle"]
    assert [c.split()[:2] for c in commands] == [["coalition-kg", "new-source"], ["coalition-kg", "validate"],
                                                 ["coalition-kg", "query"]]
    new, validate, query = (shlex.split(c)[1:] for c in commands)
    doc = new[1]
    assert cli("--root", str(repo_copy), *new).code == 0
    path = repo_copy / "data" / "sources" / f"{doc}.ttl"
    with path.open("a", encoding="utf-8") as out:
        out.write("\n" + "\n".join(line.removeprefix("   ") for line in turtle.splitlines()) + "\n")
    texts = tmp_path / "texts"
    shutil.copytree(seeds, texts)
    quotes = re.findall(r'oa:exact "([^"]+)"', turtle)
    (texts / f"{doc}.txt").write_text(". ".join(quotes) + ".\n", encoding="utf-8")
    validated = cli("--root", str(repo_copy), *validate, "--texts", str(texts))
    assert validated.code == 0, validated.out + validated.err
    answered = cli("--root", str(repo_copy), *query, "--format", "csv")
    assert answered.code == 0 and answered.out.count("\n") == 3, answered.out  # a header and two facts
