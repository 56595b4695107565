"""Agents' live state, shared by every web process through Redis."""
