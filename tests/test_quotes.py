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
