"""Qt widgets for smsgui: they call the core and show its results, and hold no logic."""
