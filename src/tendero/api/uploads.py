"""Uploads are saved by ``tendero.services.uploads`` (the dashboard uses it too); importable from here for
branches written before it moved. Past the limit it raises ``TooLarge``, which the API answers with a 413."""

from tendero.services.uploads import saved_upload as saved_upload
