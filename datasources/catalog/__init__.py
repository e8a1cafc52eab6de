"""Where records come from: the curated catalog, its deterministic expansion, and user files."""
