"""Writes of accounts: ``tokens`` (API tokens) and ``users`` (accounts and their actions)."""
