"""The one hook other layers listen to (docs/architecture.md "Layers and imports":
indicators never imports targets).

``observation_approved`` is sent by ``indicators.services`` inside the approving transaction,
with ``observation_id`` (and, for convenience, ``indicator_id`` and ``region_id``). The targets
app's receiver writes a recompute request (the outbox) in that transaction and nudges a worker
with ``core.broker.enqueue_on_commit``, so nothing runs unless the approval commits.
"""

from django.dispatch import Signal

observation_approved = Signal()

#: An approved figure left the approved set (a correction sent it back for approval), so the
#: targets it fed must be recomputed without it. Same arguments as ``observation_approved``.
observation_withdrawn = Signal()
