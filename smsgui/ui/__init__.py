"""Qt widgets for smsgui. They call the core and show its results; they hold no logic of their own."""
