"""Which roles may do what: one table for the API's dependencies and the dashboard's pages, so a page and its
endpoint can never disagree."""

from __future__ import annotations

ADMIN = ("admin",)
READ = ("admin", "analyst")
TRAIN = ("admin", "analyst")
PREDICT = ("admin", "analyst", "service")
INGEST = ("admin", "service")
