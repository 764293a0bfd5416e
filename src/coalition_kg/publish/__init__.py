"""Publishing the graph: RDF exports, the JSON-LD context, the VoID/DCAT description, push to a Graph Store."""
