"""What keeps hostile input out and outputs whole: the repository jail, the SPARQL gate, no network, time limits,
bounded HTTP clients, atomic folder swaps."""
