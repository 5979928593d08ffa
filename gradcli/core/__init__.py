"""The language: errors, the op table, the graph, the compiler and the printer back to text."""

__version__ = "0.2.0"  # the package's, read by pyproject.toml; the cache keys entries by it
