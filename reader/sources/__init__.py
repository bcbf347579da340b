"""Where policies come from: files and folder layouts (and, later, version histories)."""
