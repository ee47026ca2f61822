"""Identity and security (docs/architecture.md): accounts, roles, profiles, API tokens, the
second factor, passwords, sessions, and the append-only audit log with its hash chains.

Near the bottom of the layers: it imports only ``core``. The region and department a profile
or a token names are ``indicators``' models, reached through foreign keys, never imported.
"""
