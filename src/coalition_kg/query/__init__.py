"""Asking questions: the Store protocol and its implementations, the query catalogue, parameter binding, result
formats."""
