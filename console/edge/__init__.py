"""The web layer's edge: what every request must be before a route sees it (size, characters),
and how a refusal is answered and documented."""
