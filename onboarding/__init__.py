"""Onboarding a new plan from its document (issue 14, docs/onboarding.md).

Sits above targets and indicators in the layers: it reads a plan's text, proposes targets
with the rule grammar of ``onboarding.extract``, lets the office review them, and writes a
draft ``targets.Plan`` that stays invisible until published.
"""
