"""The one table of RDF and query-result formats (rdf/formats.py) agrees with pyoxigraph, whose formats
it names, and the CLI, export, negotiation and the dataset description read it."""

import pyoxigraph as ox
import pytest

from coalition_kg.cli import cli
from coalition_kg.rdf.formats import RDF_FORMATS, RESULT_FORMATS, RESULTS_XML, W3C_FORMATS
from coalition_kg.serve.negotiation import GRAPHS, RESULTS
from coalition_kg.serve.rdf_answers import FORMAT_IRIS


@pytest.mark.parametrize("name", RDF_FORMATS)
def test_each_rdf_format_is_pyoxigraphs(name):
    rdf_format = RDF_FORMATS[name]
    engine = rdf_format.ox_format
    assert (engine.media_type, engine.file_extension, engine.supports_datasets, engine.name) == (
        rdf_format.media_type, rdf_format.extension, rdf_format.holds_graphs, rdf_format.label)
    assert rdf_format.w3c.startswith(W3C_FORMATS)
    if engine is not ox.RdfFormat.JSON_LD:  # pyoxigraph names JSON-LD by another IRI than the W3C's registry
        assert engine.iri == rdf_format.w3c


def test_each_result_format_is_pyoxigraphs():
    for result_format in (*RESULT_FORMATS.values(), RESULTS_XML):
        if result_format.ox_format is None:  # the table, for people
            assert result_format.media_type is None
            continue
        assert result_format.ox_format.media_type.split(";")[0] == result_format.media_type
        assert result_format.ox_format.iri == result_format.w3c


def test_the_readers_offer_what_the_table_lists():
    choices = {command: next(p for p in cli.commands[command].params if p.name == "fmt").type
               for command in ("export", "query", "sparql")}
    assert list(choices["export"].choices) == list(RDF_FORMATS)
    assert list(choices["query"].choices) == list(choices["sparql"].choices) == list(RESULT_FORMATS)
    assert {f.media_type: f.ox_format for f in RDF_FORMATS.values()}.items() <= GRAPHS.items()
    assert {f.media_type for f in RESULT_FORMATS.values() if f.media_type} <= set(RESULTS)
    assert set(FORMAT_IRIS) == {f.media_type for f in (*RDF_FORMATS.values(), *RESULT_FORMATS.values(), RESULTS_XML)
                                if f.media_type}
