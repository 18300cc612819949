"""Full-text search behind an interface; Whoosh is the embedded default backend."""
