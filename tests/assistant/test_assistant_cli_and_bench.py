"""``tendero ask`` in a terminal and ``tendero bench assistant`` printing the shared JSON contract."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

from typer.testing import CliRunner

from support import load_demo, make_tenant
from tendero.cli import app

runner = CliRunner()
GOLDEN = Path(__file__).resolve().parents[1] / "data" / "assistant_questions.jsonl"


def test_ask_prints_the_answer_and_json_and_one_line_errors():
    from tendero.data.demo import generate_store

    tenant = make_tenant("terminal")
    load_demo(tenant.id, generate_store(seed=8, customers=60, days=60, end=date(2026, 11, 17)))
    shown = runner.invoke(app, ["ask", "--tenant", tenant.name, "--today", "2026-11-18", "ventas del mes pasado"])
    assert shown.exit_code == 0, shown.output
    assert "Ventas entre el 2026-10-01 y el 2026-10-31" in shown.output and "sales_total" in shown.output
    as_json = runner.invoke(app, ["ask", "--tenant", tenant.name, "--today", "2026-11-18", "--json", "top 3 products"])
    answer = json.loads(as_json.output)
    assert answer["intent"] == "top_products" and len(answer["data"]["items"]) == 3
    follow = runner.invoke(
        app,
        [
            "ask",
            "--tenant",
            tenant.name,
            "--today",
            "2026-11-18",
            "--json",
            "--conversation",
            answer["conversation_id"],
            "and the worst?",
        ],
    )
    assert json.loads(follow.output)["slots"]["direction"] == "bottom"
    empty = runner.invoke(app, ["ask", "--tenant", tenant.name, "  "])
    assert empty.exit_code == 1 and "write a question" in empty.output and "Traceback" not in empty.output
    unknown = runner.invoke(app, ["ask", "--tenant", "no-such-shop", "hola"])
    assert unknown.exit_code == 1 and "no-such-shop" in unknown.output


def test_bench_prints_the_contract_and_predictions(tmp_path):
    questions = tmp_path / "questions.jsonl"
    rows = [json.loads(line) for line in GOLDEN.read_text(encoding="utf-8").splitlines()]
    chosen = [r for r in rows if r["intent"] in ("sales_total", "top_products", "help", "unknown")][:24]
    questions.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in chosen), encoding="utf-8")
    predictions = tmp_path / "predictions.jsonl"
    today = (date.today() - timedelta(days=1)).isoformat()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tendero.cli",
            "bench",
            "assistant",
            "--questions",
            str(questions),
            "--today",
            today,
            "--no-models",
            "--predictions",
            str(predictions),
            "--home",
            str(tmp_path / "home"),
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["bench"] == "assistant" and report["params"]["questions"] == len(chosen)
    ours = report["results"]["tendero"]
    for metric in ("intent_accuracy", "slot_accuracy", "exact_match", "p50_ms", "p95_ms", "answer_p95_ms"):
        assert metric in ours
    assert ours["intent_accuracy"] > 0.5  # questions written for another day still name their intent
    written = [json.loads(line) for line in predictions.read_text(encoding="utf-8").splitlines()]
    assert [w["query"] for w in written] == [r["query"] for r in chosen] and {"intent", "slots"} <= set(written[0])
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"query": "hola", "intent": "help"}\nnot json\n', encoding="utf-8")
    failed = subprocess.run(
        [
            sys.executable,
            "-m",
            "tendero.cli",
            "bench",
            "assistant",
            "--questions",
            str(bad),
            "--no-models",
            "--home",
            str(tmp_path / "home2"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # The error box wraps at 80 columns wherever the temporary path ends: read its text as one line.
    said = " ".join(failed.stderr.replace("│", " ").split())
    assert failed.returncode != 0 and "line 2" in said and "Traceback" not in failed.stderr
