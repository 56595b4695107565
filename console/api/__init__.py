"""HTTP API routers of the web console, one module per area."""
