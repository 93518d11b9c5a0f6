"""``tendero bench assistant``: the assistant's golden questions against the demo store with today fixed.

The demo store (seed 7, two years up to the day before ``--today``) is loaded into a fresh database, and with
``--models`` (the default) the demo's forecast, customer and recommender models are trained on it as of that day,
so every intent answers for real. Each question of the JSON lines file (``{"query", "intent", "slots", "today"?,
"previous"?, "split"?}``) is then understood and answered; slots are compared only where the file gives them.

Figures: ``intent_accuracy``, ``slot_accuracy`` (the file's slots that came out equal), ``exact_match`` (intent
and every given slot), per split (``dev_*``, ``heldout_*``) when the file marks them; ``p50_ms``/``p95_ms`` are
the understanding alone (wall clock, with ``cpu_p95_ms`` its CPU time, steadier on a shared machine) and
``answer_p50_ms``/``answer_p95_ms`` the whole answer (understanding, pandas or the model, the sentence), without
storing it. Beside ``tendero``: ``tfidf_logreg``, a character n-gram TF-IDF logistic regression trained on the
dev questions and scored on the held-out ones (intent only), to show what the rules add over a learned classifier
of the same data.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tendero.bench.report import bench_report, emit, log

if TYPE_CHECKING:
    from datetime import date

QUESTIONS = Path("tests/data/assistant_questions.jsonl")
DEMO_MODELS: list[tuple[str, dict[str, Any]]] = [
    (
        "forecast-total-D",
        {"kind": "forecast", "params": {"level": "total", "freq": "D", "horizon": 30, "history_months": 24}},
    ),
    (
        "forecast-category-M",
        {"kind": "forecast", "params": {"level": "category", "freq": "M", "horizon": 3, "history_months": 24}},
    ),
    (
        "forecast-product-W",
        {"kind": "forecast", "params": {"level": "product", "freq": "W", "horizon": 8, "history_months": 24}},
    ),
    ("customers", {"kind": "customers", "params": {}}),
    ("pricing", {"kind": "pricing", "params": {}}),
    # a light recommender (no ranker, few ALS trials): the bench measures the assistant, not recommendation quality
    (
        "recommender",
        {
            "kind": "recommender",
            "params": {"hybrid": {"als_trials": 2, "ranker": "none", "half_life_grid": [None], "ease_grid": [150.0]}},
        },
    ),
]


def command(
    questions: Annotated[
        Path, typer.Option(help="JSON lines: query, intent, slots (today, previous, split)")
    ] = QUESTIONS,
    today: Annotated[str, typer.Option(help="the day questions are asked on (YYYY-MM-DD)")] = "2026-11-18",
    predictions: Annotated[Path | None, typer.Option(help="write one {query, intent, slots} line per question")] = None,
    home: Annotated[
        Path | None, typer.Option(help="keep the prepared demo here and reuse it (default: a temp dir)")
    ] = None,
    models: Annotated[bool, typer.Option("--models/--no-models", help="train the demo's models first")] = True,
    split: Annotated[str | None, typer.Option(help="only questions of this split (dev, heldout)")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Intent and slot accuracy, exact match, and understanding / answer latency on the golden questions."""
    import json
    import os
    import tempfile
    from datetime import date

    if not questions.exists():
        raise typer.BadParameter(f"{questions} not found")
    try:
        day = date.fromisoformat(today)
    except ValueError as error:
        raise typer.BadParameter(f"--today {today!r}: write YYYY-MM-DD") from error
    every = []
    for number, line in enumerate(questions.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise typer.BadParameter(f"{questions}, line {number}: not JSON ({error.msg})") from error
        if not isinstance(row, dict) or not isinstance(row.get("query"), str) or "intent" not in row:
            raise typer.BadParameter(f"{questions}, line {number}: needs 'query' (text) and 'intent'")
        every.append(row)
    rows = [row for row in every if split is None or row.get("split") == split]
    if not rows:
        raise typer.BadParameter(f"{questions}: no questions of split {split!r}")
    folder = home or Path(tempfile.mkdtemp(prefix="tendero-bench-assistant-"))
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["TENDERO_HOME"] = str(folder.resolve())
    os.environ["TENDERO_DATABASE_URL"] = f"sqlite:///{(folder / 'tendero.db').resolve()}"
    os.environ["TENDERO_ARTIFACTS"] = str((folder / "artifacts").resolve())
    tenant_id = _prepare(folder, day, models)
    results, predicted = _evaluate(tenant_id, rows, day)
    baseline = _tfidf_baseline(every)
    if baseline:
        results["tfidf_logreg"] = baseline
    if predictions is not None:
        with predictions.open("w", encoding="utf-8") as out:
            for item in predicted:
                out.write(json.dumps(item, ensure_ascii=False) + "\n")
    params = {"today": today, "questions": len(rows), "split": split or "all", "models": models, "demo_seed": 7}
    emit(bench_report("assistant", str(questions), params, results), json_output)


def _prepare(folder: Path, day: date, models: bool) -> str:
    """The demo tenant in ``folder``, built once per (today, models) and reused."""
    from datetime import timedelta

    from tendero.config import reset_settings
    from tendero.data.demo import generate_store
    from tendero.jobs.runner import supervise, worker_name
    from tendero.registry.service import OPERATOR, submit_training
    from tendero.services.demo import load_store
    from tendero.store import tenants
    from tendero.store.db import reset_engine, session_scope
    from tendero.store.migrate import upgrade_database

    reset_settings()
    reset_engine()
    upgrade_database()
    with session_scope() as session:
        try:
            tenant_id = tenants.find_tenant(session, "bench-demo").id
        except tenants.NotFound:
            tenant_id = tenants.create_tenant(session, "bench-demo")[0].id
    marker = folder / f"prepared-{day}-data"
    if not marker.exists():
        log(f"generating the demo store up to {day} ...")
        started = time.perf_counter()
        load_store(tenant_id, generate_store(seed=7, end=day - timedelta(days=1)))
        log(f"loaded in {time.perf_counter() - started:.0f} s")
        marker.write_text("ready\n")
    if models:
        for name, request in DEMO_MODELS:
            marker = folder / f"prepared-{day}-{name}"  # each model once per folder and day
            if marker.exists():
                continue
            started = time.perf_counter()
            params = dict(request["params"])
            if request["kind"] == "forecast":  # the models see the data as of the bench's today
                params["as_of"] = str(day)
            with session_scope() as session:
                job, _ = submit_training(
                    session, tenant_id, {"model": name, **request, "params": params, "deploy": "always"}, role=OPERATOR
                )
                job_id = job.id
            status = supervise(job_id, worker_name())
            log(f"trained {name}: {status} in {time.perf_counter() - started:.0f} s")
            if status == "completed":
                marker.write_text("ready\n")
    return tenant_id


def _evaluate(tenant_id: str, rows: list[dict], day: date) -> tuple[dict[str, dict[str, float]], list[dict]]:
    from datetime import date

    from tendero.bench.report import percentile_ms
    from tendero.services import assistant

    assistant.understand(tenant_id, "hola", day)  # loads the tenant's data once
    understand_s, understand_cpu, answer_s = [], [], []
    per_split: dict[str, list[tuple[bool, bool]]] = {}
    slot_hits = slot_total = intents_right = exact = 0
    answered = expected_answered = 0
    predicted = []
    for row in rows:
        asked_on = date.fromisoformat(row["today"]) if row.get("today") else day
        previous = row.get("previous")
        wall, cpu = time.perf_counter(), time.process_time()
        understood = assistant.understand(tenant_id, row["query"], asked_on, previous)
        understand_cpu.append(time.process_time() - cpu)
        understand_s.append(time.perf_counter() - wall)
        started = time.perf_counter()
        reply = assistant.ask(tenant_id, row["query"], today=asked_on, previous=previous, store=False)
        answer_s.append(time.perf_counter() - started)
        slots = understood.slots.as_json()
        right = understood.intent == row["intent"]
        all_slots = right
        for key, value in (row.get("slots") or {}).items():
            slot_total += 1
            if slots.get(key) == value:
                slot_hits += 1
            else:
                all_slots = False
        intents_right += right
        exact += all_slots
        per_split.setdefault(row.get("split") or "all", []).append((right, all_slots))
        if row["intent"] not in ("unknown", "help"):
            expected_answered += 1
            answered += reply["status"] == "answered"
        predicted.append(
            {
                "query": row["query"],
                "intent": understood.intent,
                "slots": slots,
                "answer": reply["answer"],
                "status": reply["status"],
            }
        )
    n = max(1, len(rows))
    ours: dict[str, float] = {
        "intent_accuracy": intents_right / n,
        "slot_accuracy": slot_hits / slot_total if slot_total else 1.0,
        "exact_match": exact / n,
        "p50_ms": percentile_ms(understand_s, 50),
        "p95_ms": percentile_ms(understand_s, 95),
        "cpu_p95_ms": percentile_ms(understand_cpu, 95),
        "answer_p50_ms": percentile_ms(answer_s, 50),
        "answer_p95_ms": percentile_ms(answer_s, 95),
        "answered_share": answered / expected_answered if expected_answered else 0.0,
        "questions": float(len(rows)),
    }
    for name, pairs in sorted(per_split.items()):
        if name == "all":
            continue
        ours[f"{name}_intent_accuracy"] = sum(r for r, _ in pairs) / len(pairs)
        ours[f"{name}_exact_match"] = sum(e for _, e in pairs) / len(pairs)
        ours[f"{name}_questions"] = float(len(pairs))
    return {"tendero": ours}, predicted


def _tfidf_baseline(rows: list[dict]) -> dict[str, float] | None:
    """A learned classifier of the same questions: trained on the dev split, scored on the held-out one. It reads
    no slots, so its exact match counts the held-out questions whose intent it gets and that give no slot."""
    train = [r for r in rows if r.get("split") == "dev" and not r.get("previous")]
    test = [r for r in rows if r.get("split") == "heldout"]
    if len(train) < 20 or not test:
        return None
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from tendero.bench.report import percentile_ms
    from tendero.insights.assistant.text import fold

    model = make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True),
        LogisticRegression(C=10.0, max_iter=2000),
    )
    model.fit([fold(r["query"]) for r in train], [r["intent"] for r in train])
    guessed, seconds = [], []
    for row in test:
        started = time.perf_counter()
        guessed.append(model.predict([fold(row["query"])])[0])
        seconds.append(time.perf_counter() - started)
    right = [g == r["intent"] for g, r in zip(guessed, test, strict=True)]
    exact = [hit and not r.get("slots") for hit, r in zip(right, test, strict=True)]
    accuracy = float(sum(right) / len(test))
    return {
        "intent_accuracy": accuracy,
        "exact_match": float(sum(exact) / len(test)),
        "p50_ms": percentile_ms(seconds, 50),
        "p95_ms": percentile_ms(seconds, 95),
        "heldout_intent_accuracy": accuracy,
        "questions": float(len(test)),
    }
