"""diff: the semantic difference between two revisions of the repository."""
