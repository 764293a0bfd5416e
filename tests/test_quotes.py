"""Every evidence quote is verbatim in its source text."""

from __future__ import annotations

from coalition_kg.check.quotes import check_quotes
from coalition_kg.repository.dataset import load


def test_every_quote_is_in_the_seed_texts(dataset, seeds):
    assert check_quotes(dataset, seeds) == []


def test_an_altered_quote_is_reported_with_file_and_line(repo_copy, seeds):
    path = repo_copy / "data" / "sources" / "003_73e3b687882f6e77.ttl"
    text = path.read_text(encoding="utf-8")
    altered = text.replace("led the Moroccan delegation for the meeting in Niamey",
                           "led the Moroccan delegation to the meeting in Niamey")
    path.write_text(altered, encoding="utf-8")
    problems = check_quotes(load(repo_copy), seeds)
    assert len(problems) == 1
    line = next(n for n, text in enumerate(altered.splitlines(), 1) if "delegation to the meeting" in text)
    assert (problems[0].file, problems[0].line) == ("data/sources/003_73e3b687882f6e77.ttl", line)


def test_a_fact_citing_another_document_is_reported(repo_copy, seeds):
    path = repo_copy / "data" / "sources" / "003_73e3b687882f6e77.ttl"
    text = path.read_text(encoding="utf-8")
    anchor = ('src:003_73e3b687882f6e77 ;\n    ckg:evidence [ a ckg:Evidence ; oa:exact "Ismail Chekkori, Director of '
              'Global Issues at the Ministry of Foreign Affairs, African Cooperation and Moroccan Expatriates led the')
    assert anchor in text
    path.write_text(text.replace(anchor, anchor.replace("003_73e3b687882f6e77", "000_28830c00cecbbf69")),
                    encoding="utf-8")
    problems = check_quotes(load(repo_copy), seeds)
    assert [p.message for p in problems] == ["a fact in the graph of 003_73e3b687882f6e77 cites another source"]


def test_the_command_checks_quotes_against_a_folder(cli, root, seeds, tmp_path):
    assert cli("--root", str(root), "check-quotes", str(seeds)).code == 0
    (tmp_path / "000_28830c00cecbbf69.txt").write_text("nothing of the kind", encoding="utf-8")
    result = cli("--root", str(root), "check-quotes", str(tmp_path))
    assert result.code == 1
    assert "no source text" in result.out and "quote not found verbatim" in result.out


def test_prefix_and_suffix_must_surround_the_quote(repo_copy, seeds):
    path = repo_copy / "data" / "sources" / "003_73e3b687882f6e77.ttl"
    text = path.read_text(encoding="utf-8")
    anchor = ('oa:exact "Ismail Chekkori, Director of Global Issues at the Ministry of Foreign Affairs, African '
              'Cooperation and Moroccan Expatriates led the Moroccan delegation for the meeting in Niamey"')
    assert anchor in text
    right = anchor + ' ; oa:prefix "and Niger. " ; oa:suffix "."'
    path.write_text(text.replace(anchor, right), encoding="utf-8")
    assert check_quotes(load(repo_copy), seeds) == []
    wrong = anchor + ' ; oa:prefix "Ismail Chekkori "'
    path.write_text(text.replace(anchor, wrong), encoding="utf-8")
    assert [p.message for p in check_quotes(load(repo_copy), seeds)] == [
        "quote not found verbatim in 003_73e3b687882f6e77.txt"]


def test_a_reference_quote_is_checked_against_the_document_it_cites(repo_copy, seeds):
    path = repo_copy / "data" / "reference.ttl"
    text = path.read_text(encoding="utf-8")
    assert 'oa:exact "Mr. Antony Blinken"' in text
    altered = text.replace('oa:exact "Mr. Antony Blinken"', 'oa:exact "Mr. Tony Blinken"')
    path.write_text(altered, encoding="utf-8")
    problems = check_quotes(load(repo_copy), seeds)
    line = next(n for n, t in enumerate(altered.splitlines(), 1) if "Mr. Tony Blinken" in t)
    assert [(p.file, p.line, p.message) for p in problems] == [
        ("data/reference.ttl", line, "quote not found verbatim in 000_28830c00cecbbf69.txt")]


def test_a_reference_quote_must_name_the_document_it_quotes(repo_copy, seeds):
    path = repo_copy / "data" / "reference.ttl"
    text = path.read_text(encoding="utf-8")
    anchor = 'dcterms:source src:000_28830c00cecbbf69 ;\n    ckg:interpretation "\'Mr.\' makes him a person."'
    assert text.count(anchor) == 2  # Bourita's and Blinken's types
    path.write_text(text.replace(anchor, anchor.replace("src:000_28830c00cecbbf69", "wd:Q30"), 1), encoding="utf-8")
    problems = check_quotes(load(repo_copy), seeds)
    assert [(p.file, p.message, p.value) for p in problems] == [
        ("data/reference.ttl", "a quote outside a document's graph must name the document it quotes "
         "(dcterms:source, or prov:wasDerivedFrom, src:<doc-id>)", "http://www.wikidata.org/entity/Q30")]
