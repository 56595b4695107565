"""The one set-based selection of who a campaign may contact at a moment, and why not the others.

`build_selection` returns a single SQL query over every account the campaign's filter matches. Its
`rule` column holds the FIRST rule that excludes the account, or NULL when the account may be
contacted now; the scheduler takes the NULL rows, the preview groups by the rule. There is no
Python loop over the portfolio: Python only evaluates what depends on the few distinct debtor
time zones (local dates, open contact windows, holidays, cap window starts) and hands the results
to SQL as CASE expressions on `Debtor.timezone`.

Rules, in the order they are checked (the first one that applies is reported):

1. zero_balance, open_dispute, promise_in_force          -- the account (compliance order)
2. in_flight, retry_wait, step_not_due, recycle_wait,
   steps_done                                             -- the campaign's own progress
   (recycling brings a done account back: progress.py)
3. do_not_contact, invalid_contact_point, opted_out,
   no_consent_whatsapp / no_consent                       -- a contact point for the step's channel
4. day_not_allowed, holiday, outside_hours                -- the debtor's local time
   debtor_preference                                      -- the debtor's own channels and hours
5. cap:<name>                                             -- every frequency cap of the profile

Accounts outside the filter (other creditor, status paid/escalated/closed, days overdue outside
the filter's range inside 1-90, balance range, product, region) are not matched at all.
"""
