"""campaigns: filled in by a later issue."""
