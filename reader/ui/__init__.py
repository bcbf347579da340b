"""Qt widgets, models and dialogs of the desktop app (the GUI layer over ``reader``)."""
