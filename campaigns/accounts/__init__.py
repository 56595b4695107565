"""One account as a manager sees it: finding it, its whole history, acting on it, and the
evidence pack a creditor or a regulator asks for after a complaint."""
