"""Debtors calling the creditor's numbers: caller matching, a short IVR, the agents' queue."""
