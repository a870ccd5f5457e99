"""Themes shipped inside the wheel (data only)."""
