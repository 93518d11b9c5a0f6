"""tendero: self-hosted machine learning for commerce data."""

__version__ = "0.1.0"
