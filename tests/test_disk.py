"""`--store PATH`: the graph in an on-disk store, built once, reopened while the repository is
unchanged, rebuilt when it changes, and never answering from a stale or foreign folder."""

from __future__ import annotations

from coalition_kg.repository.disk_store import STAMP


def labels(cli, root, store) -> str:
    result = cli("--root", str(root), "query", "aliases", "--param", "entity=morocco", "--format", "csv",
                 "--store", str(store))
    assert result.code == 0, result.err
    return result.out


def test_built_once_reopened_and_answering_as_in_memory(cli, repo_copy, tmp_path):
    store = tmp_path / "store"
    first = labels(cli, repo_copy, store)
    stamp = (store / STAMP).stat().st_mtime_ns
    assert labels(cli, repo_copy, store) == first  # reopened: the stamp was not written again
    assert (store / STAMP).stat().st_mtime_ns == stamp
    in_memory = cli("--root", str(repo_copy), "query", "aliases", "--param", "entity=morocco", "--format", "csv")
    assert in_memory.out == first


def test_a_changed_data_file_rebuilds_the_store(cli, repo_copy, tmp_path):
    store = tmp_path / "store"
    assert "Kingdom of Morocco" not in labels(cli, repo_copy, store)
    reference = repo_copy / "data" / "reference.ttl"
    text = reference.read_text(encoding="utf-8")
    assert 'skos:prefLabel "Morocco"@en' in text
    reference.write_text(text.replace('skos:prefLabel "Morocco"@en', 'skos:prefLabel "Morocco"@en ;\n'
                                      '    skos:altLabel "Kingdom of Morocco"@en', 1), encoding="utf-8")
    assert "Kingdom of Morocco" in labels(cli, repo_copy, store)


def test_a_syntax_error_names_the_line_and_keeps_the_old_store(cli, repo_copy, tmp_path):
    store = tmp_path / "store"
    before = labels(cli, repo_copy, store)
    reference = repo_copy / "data" / "reference.ttl"
    reference.write_text(reference.read_text(encoding="utf-8") + "\nthis is not turtle\n", encoding="utf-8")
    broken = cli("--root", str(repo_copy), "query", "aliases", "--param", "entity=morocco", "--store", str(store))
    assert broken.code == 2 and broken.err.startswith("coalition-kg: error: data/reference.ttl:")
    assert (store / STAMP).exists() and sorted(p.name for p in tmp_path.iterdir()) == ["repo", "store"]
    reference.write_text(reference.read_text(encoding="utf-8").replace("\nthis is not turtle\n", ""),
                         encoding="utf-8")
    assert labels(cli, repo_copy, store) == before


def test_a_folder_that_is_not_a_store_is_left_alone(cli, root, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    result = cli("--root", str(root), "sparql", "ASK {}", "--store", str(tmp_path))
    assert result.code == 2 and "exists and is not a coalition-kg store" in result.err
    assert (tmp_path / "notes.txt").read_text() == "mine"
