"""Helpers the tests share, imported as `from tests.support.<area> import ...`; fixtures stay
in tests/conftest.py (and tests/browser/conftest.py). Which folder a test belongs in:
tests/README.md."""

from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
"""The repository's root folder."""
