"""Price suggestions: per-product price elasticity from the product's own price changes, shrunk toward its
category, and the revenue- or margin-optimal price inside guardrails, with an interval.

``elasticity`` fits the log-log demand model on a product × period panel; ``optimize`` turns an elasticity
into a price; ``kind`` is the ``pricing`` model kind the registry trains, versions and serves.
"""
