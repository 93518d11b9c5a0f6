"""The encoders load and embed with the network blocked: the models come inside their wheels."""

from __future__ import annotations

import socket
import subprocess
import sys

SCRIPT = """
import socket, sys

def refuse(*args, **kwargs):
    raise OSError("network blocked by the test")

socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse

from tendero.search.encoder import MiniLMEncoder, UseEncoder
for encoder in (UseEncoder(), MiniLMEncoder()):
    vectors = encoder.embed(["Cerveza Marisol 500 ml", "beer"])
    assert vectors.shape == (2, encoder.dimensions), vectors.shape
    assert abs(float((vectors ** 2).sum(axis=1)[0]) - 1.0) < 1e-4
hubs = sorted(m for m in sys.modules if m.split(".")[0] in ("huggingface_hub", "transformers", "torch", "requests"))
assert not hubs, hubs
print("offline ok")
"""


def test_encoders_load_and_embed_with_the_network_blocked():
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "offline ok" in done.stdout


def test_the_blocking_in_that_script_really_blocks():
    """The check above could not fail if its block did nothing: the same block stops a real connection."""
    script = SCRIPT.split("from tendero")[0] + "socket.create_connection(('127.0.0.1', 9))\n"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "network blocked by the test" in done.stderr
    assert socket.socket.connect is not None  # this process was not touched
