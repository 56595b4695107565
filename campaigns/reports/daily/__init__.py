"""One operating day's figures, computed from the live tables: what the rollup stores for a closed
day and what reports read for a day not rolled up yet (today). One code path for both.

Each function returns the rows of one summary table for the day, as dicts of its columns; one
module per family of figures:

- `contacts`: the contact funnel per creditor, campaign, channel and account dimensions
  (report_contact_days);
- `agents`: each agent's calls, results and time in each state (report_agent_days,
  report_agent_state_days);
- `portfolio`: accounts, balances and payments per aging bucket, and the month's roll rates
  (report_portfolio_days, report_roll_months);
- `compliance`: refusals per rule and contacts per debtor (report_refusal_days,
  report_debtor_contact_days).
"""

from campaigns.reports.daily.agents import agent_rows, agent_state_rows
from campaigns.reports.daily.compliance import debtor_contact_rows, refusal_rows
from campaigns.reports.daily.contacts import ACCOUNT_DIMS, CONTACT_MEASURES, contact_rows
from campaigns.reports.daily.portfolio import month_end_roll_rows, portfolio_rows, roll_rows

__all__ = [
    "ACCOUNT_DIMS",
    "CONTACT_MEASURES",
    "agent_rows",
    "agent_state_rows",
    "contact_rows",
    "debtor_contact_rows",
    "month_end_roll_rows",
    "portfolio_rows",
    "refusal_rows",
    "roll_rows",
]
