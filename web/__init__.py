"""What every page shares across apps (docs/architecture.md): the layout (``base.html``,
stylesheet, navigation script), the navigation and each role's landing, the 系统 page and the
background's heartbeat, and the context processors (navigation, login policy, demo banner).
The top layer below ``qualitytrack``: it may read every app.
"""
