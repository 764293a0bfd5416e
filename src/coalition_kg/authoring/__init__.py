"""Writing data: new-source's skeleton and synth's synthetic repositories."""
