"""RDF plumbing shared by every layer: moving terms between pyoxigraph and rdflib."""
