"""Placeholder replaced by the export issue."""
