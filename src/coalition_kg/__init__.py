"""coalition-kg: a knowledge graph of the diplomacy around the Global Coalition to Defeat ISIS."""

__version__ = "0.1.0"
