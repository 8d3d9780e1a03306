"""Zendesk's and Sequin's endpoints.

zendesk.py is the Zendesk request pipeline (route, authenticate, check permissions and budgets, then
handle) and its route table; the other modules answer one family of endpoints each: the cursor and
time-based exports, custom objects and their schema, users and organizations (reads, writes and the items
of their bulk jobs), tickets, the support warehouse's history and lists, OAuth's tokens and grants, and
Sequin's records.
"""
