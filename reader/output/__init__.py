"""What the reader sees and takes away: highlighted policies, PDF export, fonts."""
