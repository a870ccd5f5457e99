"""Modules the type checker reads and pytest does not run (see tests/unit/test_types.py)."""
