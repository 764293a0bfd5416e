"""The engines as test parameters: the fast default's cases run in the default selection, the reference
engine's (pySHACL, owlrl: much slower) carry the `reference` marker, which CI selects."""

from __future__ import annotations

import pytest

from coalition_kg.check.shacl import DEFAULT_ENGINE, ENGINES
from coalition_kg.reasoning.owl_rl import DEFAULT_REASONER, REASONERS


def _reference_marked(values: tuple[str, ...], default: str) -> list:
    return [value if value == default else pytest.param(value, marks=pytest.mark.reference) for value in values]


SHACL_ENGINES = _reference_marked(ENGINES, DEFAULT_ENGINE)
OWL_REASONERS = _reference_marked(REASONERS, DEFAULT_REASONER)
