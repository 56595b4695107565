"""Dialer pacing: how many calls to launch each second, and a simulator that proves the choice."""
