"""The static linked-data site: one page per entity, graph, source and ontology term."""
