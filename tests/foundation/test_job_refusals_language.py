"""Issue #17: a job that cannot run for a mistake in the shop's data says why in the reader's language, the domain's
own reason included (too little history, too few customers, too few rows): each refusal of the domain is a catalogue
code with its values. Jobs run for real, through the runner or the command, on a small shop; read through the API
and the CLI, in Spanish and English."""

from __future__ import annotations

import re
import string

import pytest
from typer.testing import CliRunner

from support import load_demo, make_tenant, wait_for_job
from tendero.catalogue.jobs import job_text, render_job_text
from tendero.catalogue.refusals import REFUSALS, Refusal
from tendero.cli import app
from tendero.data.demo import generate_store

runner = CliRunner()


@pytest.fixture(scope="module")
def tiny_shop(client):
    """Twelve customers over 40 days: five of them bought before the last day, one month and a half of sales."""
    tenant = make_tenant("poquito")
    load_demo(tenant.id, generate_store(seed=3, customers=12, days=40))
    return tenant


def _job_error(client, shop, job_id: str, lang: str) -> str:
    answer = client.get(f"/v1/jobs/{job_id}", headers={**shop.headers(), "accept-language": lang})
    return answer.json()["error"]


@pytest.mark.parametrize(
    ("model", "body", "spanish", "english"),
    [
        ("clientes-2000", {"kind": "customers", "params": {"as_of": "2000-01-01"}},
         "el trabajo no pudo hacerse: solo 0 clientes compraron hasta el 2000-01-01: hacen falta al menos 10",
         "the job could not run: only 0 customers bought on or before 2000-01-01: need at least 10"),
        ("ventas-mensuales", {"kind": "forecast", "params": {"freq": "M", "horizon": 3}},
         "el trabajo no pudo hacerse: order_lines: ninguna serie tiene al menos 3 periodos de historial para "
         "pronosticar",
         "the job could not run: order_lines: no series with at least 3 periods of history to forecast"),
    ],
)  # fmt: skip
def test_a_failed_jobs_domain_reason_reads_in_the_callers_language(client, tiny_shop, model, body, spanish, english):
    answer = client.post(f"/v1/models/{model}/train", json=body, headers=tiny_shop.headers())
    assert answer.status_code == 202, answer.text
    job = wait_for_job(client, tiny_shop, answer.json()["id"], timeout=300)
    assert job["status"] == "failed", job
    assert _job_error(client, tiny_shop, job["id"], "es") == spanish
    assert _job_error(client, tiny_shop, job["id"], "en") == english


def test_the_cli_says_a_trainings_domain_reason_in_the_runs_language(tiny_shop):
    """A model trained on first use (customers segments) on too few customers: one ``error:`` line in the run's
    language, the domain's reason and its figures included."""
    segments = {lang: runner.invoke(app, ["customers", "segments", "--tenant", tiny_shop.name, "--lang", lang])
                for lang in ("es", "en")}  # fmt: skip
    spanish, english = (" ".join(segments[lang].output.split()) for lang in ("es", "en"))
    assert segments["es"].exit_code == 1 and segments["en"].exit_code == 1, spanish
    assert re.search(r"error: el entrenamiento falló: solo \d+ clientes compraron hasta el [\d-]+: hacen falta al "
                     r"menos 10", spanish), spanish  # fmt: skip
    assert "customers bought" not in spanish and "could not run" not in spanish
    assert re.search(r"error: training failed: only \d+ customers bought on or before [\d-]+: need at least 10",
                     english), english  # fmt: skip


def _sample(template: str) -> dict[str, object]:
    fields = [field for _, field, _, _ in string.Formatter().parse(template) if field]
    return {field: f"{index + 7}" for index, field in enumerate(fields)}


@pytest.mark.parametrize("code", sorted(REFUSALS))
def test_every_refusal_is_read_back_from_a_stored_job_line_in_either_language(code):
    """What a job stores is English; each refusal's line, with its values, is found again and shown in Spanish
    (no other template takes it), and English stays as it was."""
    refusal = Refusal(code, **_sample(REFUSALS[code]["en"]))
    stored = job_text("failure.could_not_run", detail=str(refusal))
    assert render_job_text(stored, "es") == f"el trabajo no pudo hacerse: {refusal.rendered('es')}"
    assert render_job_text(stored, "en") == stored
    assert refusal.rendered("es") != str(refusal)
