"""elections: filled in by a later issue."""
