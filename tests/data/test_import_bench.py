"""`tendero bench import` prints the shared JSON contract and reads back every line it imported."""

from __future__ import annotations

import json
import subprocess
import sys


def test_import_bench_prints_one_json_object_with_rates_and_the_read_back():
    # a child process: the bench points TENDERO_HOME and the database at its own temporary folder
    done = subprocess.run(
        [sys.executable, "-m", "tendero.cli", "bench", "import", "--rows", "2000", "--json"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["bench"] == "import" and report["params"]["database"] == "sqlite"
    ours, plain = report["results"]["tendero"], report["results"]["pandas_to_sql"]
    assert ours["rows"] == 2000 and ours["rejected"] == 0 and plain["rows"] == 2000
    assert ours["rows_per_s"] > 0 and ours["read_seconds"] > 0 and ours["read_rows_per_s"] > 0
    assert "read back as a frame" in done.stderr
