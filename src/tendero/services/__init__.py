"""What the faces call: one module per capability (the API routes, the dashboard, the CLI and schedules share it).

A service loads what it needs from the store and the registry, calls the domain package, and shapes the
answer; it knows nothing of HTTP, HTML or terminals.
"""

from __future__ import annotations

from tendero.errors import Invalid as Invalid  # kept importable from here for branches written before it moved
