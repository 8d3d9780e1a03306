"""OAuth's scopes and issued tokens.

The scope grammar (scopes.py) and the ledger of authorization codes and issued tokens, held in memory
(tokens.py).
"""
