"""`acuerdo demo`: a demo creditor, portfolio and users, and every process started together."""
