"""The feed's shared machinery (docs/architecture.md, docs/scale.md): ``FeedMixin`` (formats,
credentials, throttles, conditional GET), paging and sync filters, and the tombstones that tell
a mirror what left the feed. It imports ``accounts`` and ``core`` only; the apps whose rows it
publishes register them at start-up (``feed.tombstones.track_*``).
"""
