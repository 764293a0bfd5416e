"""OWL 2 RL entailments and the consistency check."""
