"""validate: SHACL shapes, quotes against the texts, the report and its formats."""
