"""Schemathesis hooks of the contract run (``contract_run.py``): the run must not revoke the API key
it runs with, or every later case would only see 401. Other keys, its own included, it may revoke."""

from __future__ import annotations

import os
from typing import Any

import schemathesis

PROTECTED_KEY_ID = os.environ.get("TENDERO_CONTRACT_KEY_ID", "")


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    parameters = case.path_parameters or {}
    if PROTECTED_KEY_ID and parameters.get("key_id") == PROTECTED_KEY_ID:
        parameters["key_id"] = f"{PROTECTED_KEY_ID}-not-this-one"
