"""The API contract run: a real ``tendero serve`` on SQLite, a tenant with a generated store and a
trained model of every kind, and Schemathesis (``--checks all``) over every operation of the served
OpenAPI schema with that tenant's admin key. Used by ``.ci/run`` and by ``test_openapi_contract.py``.

    python tests/api/contract_run.py [--max-examples 25] [--seed 1] [--json] [--include-path-regex REGEX]

Prints Schemathesis' own report, then one line of figures (cases, unique failures by check) and
exits with Schemathesis' exit status (0: the server and its schema agree).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "schemathesis.toml"
BASELINE = HERE / "contract_baseline.json"

# every model kind the demo trains, on a small store (params keep each fit to seconds)
MODELS: list[tuple[str, dict[str, Any]]] = [
    ("baseline", {"kind": "baseline", "params": {}}),
    ("customers", {"kind": "customers", "params": {}}),
    # one setting per generator and no ranker: the contract is about answers, not their quality
    (
        "recommender",
        {
            "kind": "recommender",
            "params": {"hybrid": {"als_trials": 1, "ease_grid": [150.0], "half_life_grid": [None], "ranker": "none"}},
        },
    ),
    (
        "forecast-category-M",
        {
            "kind": "forecast",
            "params": {"level": "category", "freq": "M", "horizon": 3, "history_months": 12, "n_windows": 1},
        },
    ),
    ("pricing", {"kind": "pricing", "params": {}}),
    (
        "forecast-total-D",
        {
            "kind": "forecast",
            "params": {"level": "total", "freq": "D", "horizon": 30, "history_months": 12, "n_windows": 1},
        },
    ),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def prepare(home: Path) -> tuple[dict[str, str], str, str]:
    """A fresh home with a tenant, its generated store and a route-cost dataset: (env, key, dataset); and
    the run's configuration, which draws path ids from the tenant's own now and then (``config_for``)."""
    env = {
        **os.environ,
        "TENDERO_HOME": str(home),
        "TENDERO_ARTIFACTS": str(home / "artifacts"),
        "TENDERO_DATABASE_URL": f"sqlite:///{home / 'tendero.db'}",
        # the contract is what this run checks, not the per-key budget (429 is documented and tested apart)
        "TENDERO_RATE_LIMIT_PER_MINUTE": "100000000",
        "TENDERO_LOG_LEVEL": "WARNING",
    }
    env.pop("TENDERO_REDIS_URL", None)
    env.pop("TENDERO_JOB_RUNNER", None)
    os.environ.update(env)
    from tendero.data.datasets import create_from_frame
    from tendero.data.demo import generate_store, route_costs
    from tendero.services.demo import load_store
    from tendero.store import tenants
    from tendero.store.db import session_scope
    from tendero.store.migrate import upgrade_database

    upgrade_database()
    with session_scope() as session:
        tenant, admin = tenants.create_tenant(session, "contrato")
        tenant_id, key = tenant.id, admin.secret
        env["TENDERO_CONTRACT_KEY_ID"] = admin.id  # contract_hooks.py keeps the run from revoking it
    store = generate_store(seed=3, customers=150, days=400)
    load_store(tenant_id, store)
    dataset = create_from_frame(tenant_id, route_costs(seed=3, rows=300), "contract", "rutas", "regression", "cost_eur")
    automation = automation_ids(tenant_id)
    known = {
        **automation,
        "customer_id": store.customers["customer_id"].astype(str).head(20).tolist(),
        "item_id": store.products["product_id"].astype(str).head(20).tolist(),
        "name": [name for name, _ in MODELS] + ["costes-rutas"],
        "version": ["1.0.0"],
        "dataset_id": [dataset.id],
    }
    (home / CONFIG.name).write_text(config_for(known))
    return env, key, dataset.id


def automation_ids(tenant_id: str) -> dict[str, list[str]]:
    """A channel (to a closed loopback port: its deliveries dead-letter), a schedule, a manual run of it and
    a test delivery, so that the automation routes are reached past 404 too."""
    from tendero.services import automation, channels

    hook = {"url": f"http://127.0.0.1:{_free_port()}/hook", "secret": "contract-secret-0123456789"}
    body = {"name": "contrato", "kind": "webhook", "retry": {"attempts": 1}, "webhook": hook}
    channel = channels.create(tenant_id, channels.ChannelIn.model_validate(body))
    schedule = automation.create(tenant_id, automation.ScheduleIn.model_validate({
        "name": "contrato", "cron": "0 8 * * 1", "action": "drift_check", "channels": [channel["id"]]}))  # fmt: skip
    run = automation.run_now(tenant_id, schedule["id"])  # queued; the server with jobs runs it
    delivery = channels.send_test(tenant_id, channel["id"])
    return {"schedule_id": [schedule["id"]], "channel_id": [channel["id"]], "run_id": [run["id"]],
            "delivery_id": [delivery["id"]]}  # fmt: skip


def config_for(known: dict[str, list[str]]) -> str:
    """tests/api/schemathesis.toml, plus: each path parameter named in ``known`` takes one of the tenant's
    real ids in half the cases (the rest stay generated), so that runs reach past 404 into each operation."""
    bindings = ", ".join(f'"path.{name}" = {{ dictionary = "{name}", probability = 0.5 }}' for name in known)
    tables = "".join(f"\n[dictionaries.{name}]\nvalues = {json.dumps(values)}\n" for name, values in known.items())
    return f"parameters = {{ {bindings} }}\n\n{CONFIG.read_text()}{tables}"


def train_models(base: str, key: str, dataset: str, timeout: float = 600.0) -> None:
    """Every kind trained and deployed through the server's own job runner."""
    headers = {"Authorization": f"Bearer {key}"}
    jobs = []
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        for name, body in MODELS:
            answer = client.post(f"/v1/models/{name}/train", json={**body, "deploy": "always"})
            answer.raise_for_status()
            jobs.append(answer.json()["id"])
        tabular = {"name": "costes-rutas", "dataset": dataset, "algorithm": "lightgbm", "deploy": "always",
                   "hyperparameters": {"n_estimators": 30}}  # fmt: skip
        answer = client.post("/v1/training-jobs", json=tabular)
        answer.raise_for_status()
        jobs.append(answer.json()["id"])
        deadline = time.monotonic() + timeout
        for job_id in jobs:
            while True:
                job = client.get(f"/v1/jobs/{job_id}").json()
                if job["status"] == "completed":
                    break
                if job["status"] in ("failed", "cancelled") or time.monotonic() > deadline:
                    raise SystemExit(f"training job {job_id} ({job['params'].get('model')}): {job['status']} "
                                     f"{job.get('error')}")  # fmt: skip
                time.sleep(0.5)


def figures(output: str) -> dict[str, Any]:
    """Cases, unique failures (by check, and each as ``METHOD path | check``) from Schemathesis' report."""
    found: dict[str, Any] = {"cases": 0, "unique_failures": 0, "by_check": {}, "errors": 0, "failures": [],
                             "known_failures": 0}  # fmt: skip
    cases = re.search(r"(\d+) generated(?:, (\d+) found (\d+) unique failures?)?", output)
    if cases:
        found["cases"] = int(cases.group(1))
        found["unique_failures"] = int(cases.group(3) or 0)
    summary = output.rsplit("SUMMARY", 1)[-1]
    block = re.search(r"\nFailures:\n(.*?)\n\n", summary, re.S)
    for line in block.group(1).splitlines() if block else []:
        name, _, count = line.strip().lstrip("❌ ").rpartition(": ")
        found["by_check"][name] = int(count)
    known = re.search(r"Known failures: (\d+)", summary)
    found["known_failures"] = int(known.group(1)) if known else 0  # in the baseline, each with its owner
    errors = re.search(r"\nErrors:\n(.*?)\n\n", summary, re.S)
    found["errors"] = len(errors.group(1).splitlines()) if errors else 0
    operation = ""
    for line in output.rsplit("SUMMARY", 1)[0].splitlines():
        heading = re.fullmatch(r"_+ (.+?) _+", line.strip())
        if heading:
            operation = heading.group(1)
        elif re.match(r"- ST\d+ ", line):
            found["failures"].append(f"{operation} | {line[2:].strip()}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=25)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", default="1", help="1: Hypothesis' lambda cache is not thread-safe")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    parser.add_argument(
        "--baseline",
        type=Path,
        default=BASELINE,
        help="failures accepted until their owners' "
        "fixes are merged (each entry names owner and request); --baseline none: every failure counts",
    )
    parser.add_argument("--include-path-regex", default="", help="only the operations whose path matches (e.g. "
                        "'^/v1/(schedules|channels)' for one capability's routes)")  # fmt: skip
    parser.add_argument("--probe", default="/ready", help="the path that says the server is up (/health for "
                        "code from before /ready answered under --no-jobs)")  # fmt: skip
    args = parser.parse_args(argv)

    home = Path(tempfile.mkdtemp(prefix="tendero-contract-"))
    env, key, dataset = prepare(home)
    with _server(env, jobs=True, probe=args.probe) as base:  # trains every kind through the job runner
        train_models(base, key, dataset)
    # The run itself: a server that queues the training jobs it is sent but runs none (``serve --no-jobs``,
    # whose /ready is then 200), so that dozens of accepted training requests do not load the machine.
    with _server(env, jobs=False, probe=args.probe) as base:
        warm_up(base, key)
        command = [
            str(Path(sys.executable).with_name("schemathesis")), "--config-file", str(home / CONFIG.name), "run",
            f"{base}/openapi.json", "--checks", "all", "--max-examples", str(args.max_examples),
            "--seed", str(args.seed), "--workers", args.workers, "--no-color", "--generation-database", "none",
            "--request-timeout", "60", "--header", f"Authorization: Bearer {key}",
        ]  # fmt: skip
        if args.include_path_regex:
            command += ["--include-path-regex", args.include_path_regex]
        if str(args.baseline) != "none":
            command += ["--baseline", str(args.baseline)]
        started = time.monotonic()
        hooks = {"SCHEMATHESIS_HOOKS": str(HERE / "contract_hooks.py")}
        run = subprocess.run(command, env={**env, **hooks}, cwd=home, check=False, capture_output=True, text=True)
    print(run.stdout, run.stderr, sep="\n", flush=True)
    found = figures(run.stdout)
    found["seconds"] = round(time.monotonic() - started, 1)
    found["max_examples"] = args.max_examples
    print(json.dumps(found, ensure_ascii=False) if args.json else _summary(found), flush=True)
    return run.returncode


WARM_UP = [("GET", "/v1/search?q=warm", None), ("POST", "/v1/recommend", {"query_text": "warm"}),
           ("POST", "/v1/recommendations", {"k": 1}), ("GET", "/v1/customers/segments", None),
           ("GET", "/v1/pricing/elasticities?limit=1", None)]  # fmt: skip


def warm_up(base: str, key: str) -> None:
    """One untimed call per model-loading path, as a server has made before its first real request: the first
    search loads the sentence encoder and every first answer loads its model (seconds on a busy machine, which
    Schemathesis' response-time check would count against whichever case came first)."""
    headers = {"Authorization": f"Bearer {key}"}
    for method, path, body in WARM_UP:
        httpx.request(method, f"{base}{path}", json=body, headers=headers, timeout=120)


@contextmanager
def _server(env: dict[str, str], jobs: bool, probe: str) -> Iterator[str]:
    """``tendero serve`` on a free loopback port until the block ends; yields its base URL."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    flag = "--jobs" if jobs else "--no-jobs"
    log = (Path(env["TENDERO_HOME"]) / f"server-{'jobs' if jobs else 'no-jobs'}.log").open("ab")
    command = [sys.executable, "-m", "tendero.cli", "serve", "--port", str(port), flag]
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)  # its log: TENDERO_HOME
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}{probe}", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            raise SystemExit(f"the server on {base} was not ready in 120 s")
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _summary(found: dict[str, Any]) -> str:
    lines = [f"contract: {found['cases']} cases in {found['seconds']} s, {found['unique_failures']} unique failures "
             f"(and {found['known_failures']} known, in the baseline)"]  # fmt: skip
    lines += [f"  {check}: {count}" for check, count in found["by_check"].items()]
    if found["errors"]:
        lines.append(f"  errors (Schemathesis could not run a case): {found['errors']}")
    lines += [f"    {failure}" for failure in found["failures"]]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
