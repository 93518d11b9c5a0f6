"""``tendero experiments``: the same service as the API, from a terminal, with one-line errors."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tendero.cli import app

runner = CliRunner()


def test_create_assign_load_events_show_and_stop(tmp_path, tenant):
    made = runner.invoke(app, ["experiments", "create", "--tenant", tenant.name, "--name", "banner",
                               "--variant", "A=0.5", "--variant", "B=0.5", "--metric", "conversion:proportion:buy",
                               "--guardrail", "revenue:mean:revenue", "--json"])  # fmt: skip
    assert made.exit_code == 0, made.output
    experiment = json.loads(made.output)
    assert [m["role"] for m in experiment["metrics"]] == ["primary", "guardrail"]
    first = runner.invoke(app, ["experiments", "assign", "--tenant", tenant.name, "banner", "cliente-1"])
    again = runner.invoke(app, ["experiments", "assign", "--tenant", tenant.name, "banner", "cliente-1"])
    assert first.exit_code == 0 and first.output == again.output and first.output.strip() in ("A", "B")
    lines = [{"event_id": f"x{i}", "unit": f"c{i}", "type": "exposure", "variant": "AB"[i % 2]} for i in range(200)]
    lines += [{"event_id": f"b{i}", "unit": f"c{i}", "event": "buy"} for i in range(0, 200, 3)]
    lines += [{"event_id": "bad", "unit": "c1", "event": "revenue", "value": -5}]
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    loaded = runner.invoke(app, ["experiments", "events", "--tenant", tenant.name, "banner", str(path)])
    assert loaded.exit_code == 0, loaded.output
    assert "267 events stored" in loaded.output and "1 rejected" in loaded.output and "negative" in loaded.output
    shown = runner.invoke(app, ["experiments", "show", "--tenant", tenant.name, "banner", "--lang", "en"])
    assert shown.exit_code == 0 and "conversion" in shown.output and "No evidence yet" in shown.output
    listed = runner.invoke(app, ["experiments", "list", "--tenant", tenant.name, "--json"])
    assert json.loads(listed.output)["total"] == 1
    stopped = runner.invoke(app, ["experiments", "stop", "--tenant", tenant.name, "banner", "--json"])
    assert stopped.exit_code == 0 and json.loads(stopped.output)["status"] == "stopped"


def test_mistakes_are_one_line_errors(tmp_path, tenant):
    missing = runner.invoke(app, ["experiments", "show", "--tenant", tenant.name, "nope"])
    assert missing.exit_code == 1 and "no experiment 'nope'" in missing.output and "Traceback" not in missing.output
    one = runner.invoke(app, ["experiments", "create", "--tenant", tenant.name, "--name", "x", "--variant", "A=1",
                              "--metric", "conversion"])  # fmt: skip
    assert one.exit_code == 1 and "variants: List should have at least 2 items" in one.output
    bad = runner.invoke(app, ["experiments", "create", "--tenant", tenant.name, "--name", "x", "--variant", "A",
                              "--variant", "B=1", "--metric", "m"])  # fmt: skip
    assert bad.exit_code == 2 and "KEY=NUMBER" in bad.output  # a mistaken option: usage, exit 2
    spec = tmp_path / "spec.json"
    spec.write_text("{not json", encoding="utf-8")
    broken = runner.invoke(app, ["experiments", "create", "--tenant", tenant.name, str(spec)])
    assert broken.exit_code == 1 and "spec.json" in broken.output
