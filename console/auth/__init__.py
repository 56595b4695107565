"""Sign-in: server-side sessions in Redis, login throttling and the auth routes."""
