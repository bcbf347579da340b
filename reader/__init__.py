"""Privacy Policy Reader: read, search and compare website privacy policies."""

__version__ = "0.1.0"
