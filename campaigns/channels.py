"""The Redis pub/sub channels the domain publishes on; the console's websocket hub subscribes.

Only channels with a subscriber exist: `agent:{id}` (one agent's console; published by the
console itself), `supervisors` (the supervisors' feed, each message filtered by its
`client_id` against the creditors a supervisor works for) and `users` (a user was disabled or
had their password reset: every web process ends that user's sessions and sockets).
docs/websocket-protocol.md lists the messages.
"""

SUPERVISORS_CHANNEL = "supervisors"
USERS_CHANNEL = "users"
