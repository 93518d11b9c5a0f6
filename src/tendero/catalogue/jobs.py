"""What a job says while it runs and when it fails, in Spanish and English (part of ``tendero.catalogue``).

Jobs write their progress and failure lines in English (the log, the CLI and stored events read them as they are);
each line is one of the templates below with its particulars. ``render_job_text`` finds the template a stored line
was made from and writes it in the reader's language, particulars unchanged (numbers, names, model codes), and a
particular that is itself a template's line is rendered too (``trial 3: epoch 4``). A line made from no template
is shown as it was written, so a new message without a translation shows itself instead of vanishing."""

from __future__ import annotations

import re
from functools import lru_cache

from tendero.catalogue.language import FALLBACK
from tendero.catalogue.refusals import REFUSALS, whole_line_patterns

# Progress lines, by the kind or job that writes them.
JOB_PROGRESS: dict[str, dict[str, str]] = {
    # forecasts
    "forecast.series": {"en": "building series", "es": "construyendo las series"},
    "forecast.backtests": {"en": "backtests", "es": "pruebas con el pasado"},
    "forecast.window": {
        "en": "backtest window ending {day}",
        "es": "prueba con el pasado hasta el {day}",
    },
    "forecast.calibrating": {"en": "calibrating intervals", "es": "ajustando los intervalos"},
    "forecast.ready": {"en": "forecast ready", "es": "previsión lista"},
    # customers
    "customers.reading": {"en": "reading order lines", "es": "leyendo las líneas de pedido"},
    "customers.orders": {"en": "{orders} orders, {returns} returns", "es": "{orders} pedidos, {returns} devoluciones"},
    "customers.sample_refit_failed": {
        "en": "backtest: {name} refit on all customers failed ({error}); keeping the sample fit",
        "es": "prueba: el reajuste de {name} con todos los clientes falló ({error}); se mantiene el de la muestra",
    },
    "customers.backtest_refit": {
        "en": "backtest: refit at {day} on {customers} customers, predict {days} days",
        "es": "prueba: reajuste al {day} con {customers} clientes, previsión de {days} días",
    },
    "customers.backtest_failed": {
        "en": "backtest: {name} failed to fit: {error}",
        "es": "prueba: {name} no se pudo ajustar: {error}",
    },
    "customers.backtest_mae": {"en": "backtest MAE by model: {errors}", "es": "MAE de la prueba por modelo: {errors}"},
    "customers.calibration": {
        "en": "purchase calibration: factor {factor}",
        "es": "calibración de compras: factor {factor}",
    },
    "customers.chosen": {
        "en": "chosen BTYD model {name}",
        "es": "modelo BTYD elegido: {name}",
    },
    "customers.model_failed": {"en": "{name} failed to fit: {error}", "es": "{name} no se pudo ajustar: {error}"},
    "customers.churn": {"en": "churn: {choice}", "es": "abandono: {choice}"},
    "customers.spend_fallback": {
        "en": "gamma-gamma not fitted ({error}); using each customer's mean order value",
        "es": "gamma-gamma sin ajustar ({error}); se usa el valor medio de pedido de cada cliente",
    },
    # recommendations
    "recommend.signals": {"en": "building signals", "es": "reuniendo las señales"},
    "recommend.plan": {"en": "plan ready", "es": "plan listo"},
    "recommend.tune_ease": {"en": "tuning EASE", "es": "ajustando EASE"},
    "recommend.tune_recency": {"en": "tuning the recency half-life", "es": "ajustando la vida media de la recencia"},
    "recommend.tune_als": {"en": "tuning ALS", "es": "ajustando ALS"},
    "recommend.ease": {"en": "ease l2={l2} ndcg@10={ndcg}", "es": "EASE l2={l2} ndcg@10={ndcg}"},
    "recommend.recency": {
        "en": "recency half-life={days} ndcg@10={ndcg}",
        "es": "vida media de la recencia={days} ndcg@10={ndcg}",
    },
    "recommend.als": {
        "en": "als run {run} {params} iterations={iterations} ndcg@10={ndcg}",
        "es": "ALS, prueba {run} {params} iteraciones={iterations} ndcg@10={ndcg}",
    },
    "recommend.als_budget": {
        "en": "als budget: {done} of {settings} settings in {seconds} s (budget {budget} s)",
        "es": "ALS, presupuesto: {done} de {settings} ajustes en {seconds} s (presupuesto {budget} s)",
    },
    "recommend.fold": {"en": "ranker fold {fold}", "es": "ordenador, partición {fold}"},
    "recommend.ranker_training": {"en": "training ranker", "es": "entrenando el ordenador"},
    "recommend.ranker_round": {
        "en": "ranker round {round} of about {rounds}",
        "es": "ordenador, ronda {round} de unas {rounds}",
    },
    "recommend.ranker_skipped": {
        "en": "ranker skipped: only {users} users with a held-out item among the candidates",
        "es": "ordenador omitido: solo {users} usuarios con un artículo reservado entre los candidatos",
    },
    "recommend.ranker_too_few": {
        "en": "ranker skipped: only {users} users, too few to leave some out",
        "es": "ordenador omitido: solo {users} usuarios, demasiado pocos para reservar algunos",
    },
    "recommend.ranker": {
        "en": "ranker: {users} users, {boosters} boosters, {trees} trees, inner ndcg@10={ndcg}",
        "es": "ordenador: {users} usuarios, {boosters} modelos, {trees} árboles, ndcg@10 interno={ndcg}",
    },
    "recommend.blend": {
        "en": "blend chosen on held-out inner users: {blend}",
        "es": "mezcla elegida con usuarios internos reservados: {blend}",
    },
    "recommend.blend.ranker": {"en": "ranker", "es": "el ordenador aprendido"},
    "recommend.blend.recent": {"en": "recent", "es": "lo más reciente"},
    "recommend.blend.mean": {"en": "mean", "es": "la media"},
    "recommend.blend.popularity": {"en": "popularity", "es": "popularidad"},
    "recommend.blend.content": {"en": "content", "es": "contenido"},
    "recommend.refit_generators": {
        "en": "refitting generators on all data",
        "es": "reajustando los generadores con todos los datos",
    },
    "recommend.holdout": {"en": "evaluating on the holdout", "es": "evaluando con los datos reservados"},
    "recommend.refit": {"en": "refitting on all data", "es": "reajustando con todos los datos"},
    "recommend.updating": {"en": "updating the generators", "es": "actualizando los generadores"},
    "recommend.updated": {"en": "updated", "es": "actualizado"},
    # prices
    "pricing.panel": {
        "en": "{products} products, {periods} product-periods",
        "es": "{products} productos, {periods} periodos de producto",
    },
    "pricing.backtest": {"en": "backtest done", "es": "prueba con el pasado hecha"},
    "pricing.fitted": {"en": "elasticities fitted", "es": "elasticidades ajustadas"},
    # the baseline
    "baseline.week": {"en": "week {week} of {weeks}", "es": "semana {week} de {weeks}"},
    # your own models (the training platform)
    "training.trial": {"en": "trial {trial}: {message}", "es": "prueba {trial}: {message}"},
    "training.cross_validated": {"en": "cross-validated metrics", "es": "métricas con validación cruzada"},
    "training.held_out": {"en": "held-out metrics", "es": "métricas con datos reservados"},
    "training.importance": {
        "en": "importance {done}/{total}",
        "es": "importancia de las variables {done}/{total}",
    },
    "training.rounds": {
        "en": "tree {tree}: finding the number of rounds on {rows} training rows",
        "es": "árbol {tree}: buscando el número de rondas con {rows} filas de entrenamiento",
    },
    "training.trees": {"en": "{trees} trees", "es": "{trees} árboles"},
    "training.tree_all_rows": {
        "en": "tree {tree} on all training rows",
        "es": "árbol {tree} con todas las filas de entrenamiento",
    },
    "training.tree": {"en": "tree {tree}", "es": "árbol {tree}"},
    "training.init": {"en": "initialisation {init}", "es": "inicialización {init}"},
    "training.least_squares": {
        "en": "least squares on {rows} training rows",
        "es": "mínimos cuadrados con {rows} filas de entrenamiento",
    },
    "training.lbfgs_terms": {
        "en": "L-BFGS iteration {iteration} on {terms} terms",
        "es": "L-BFGS, iteración {iteration} con {terms} términos",
    },
    "training.lbfgs": {"en": "L-BFGS iteration {iteration}", "es": "L-BFGS, iteración {iteration}"},
    "training.lbfgs_end": {
        "en": "L-BFGS {state} after {iterations} iterations",
        "es": "L-BFGS {state} tras {iterations} iteraciones",
    },
    "training.lbfgs.converged": {"en": "converged", "es": "convergió"},
    "training.lbfgs.stopped": {"en": "stopped without converging", "es": "se detuvo sin converger"},
    "training.epoch_row": {"en": "epoch {epoch}: row {row}", "es": "época {epoch}: fila {row}"},
    "training.epoch": {"en": "epoch {epoch}", "es": "época {epoch}"},
    "training.early_stop": {"en": "early stop at epoch {epoch}", "es": "parada temprana en la época {epoch}"},
    # champion and challenger
    "challenger.scoring": {
        "en": "scoring champion and challenger on the holdout",
        "es": "puntuando al campeón y al aspirante con los datos reservados",
    },
    "challenger.decision": {"en": "decision: {decision} ({reason})", "es": "decisión: {decision} ({reason})"},
    "challenger.done": {"en": "done: {decision}", "es": "hecho: {decision}"},
    "challenger.stage": {"en": "{stage}: {message}", "es": "{stage}: {message}"},
    "challenger.promote": {"en": "promote", "es": "promover"},
    "challenger.keep": {"en": "keep", "es": "mantener"},
    "challenger.refresh": {"en": "refresh", "es": "renovar"},
    "challenger.challenger_unscorable": {"en": "challenger_unscorable", "es": "aspirante sin puntuación"},
    "challenger.no_new_data": {"en": "no_new_data", "es": "sin datos nuevos"},
    "challenger.not_better": {"en": "not_better", "es": "no es mejor"},
    "challenger.guardrail": {"en": "guardrail", "es": "límite de seguridad"},
    # other jobs
    "batch.rows": {"en": "{done} of {rows} rows", "es": "{done} de {rows} filas"},
    "search.embedding_of": {
        "en": "embedding {todo} of {products} products with {model}",
        "es": "calculando los vectores de {todo} de {products} productos con {model}",
    },
    "search.embedding": {"en": "embedding products", "es": "calculando los vectores de los productos"},
    "insights.analysing": {"en": "analysing", "es": "analizando"},
    "insights.found": {"en": "{count} insights", "es": "{count} hallazgos"},
    "retention.deleted": {"en": "{what}: {count} deleted", "es": "{what}: {count} borrados"},
    "retention.jobs": {"en": "jobs", "es": "trabajos"},
    "retention.job_events": {"en": "progress events", "es": "eventos de progreso"},
    "retention.audit_rows": {"en": "audit rows", "es": "filas de auditoría"},
    "retention.deliveries": {"en": "deliveries", "es": "envíos"},
    "retention.events": {"en": "events", "es": "eventos"},
    "job.done": {"en": "done", "es": "hecho"},
}

# Refusals of the domain that end a job, shown after "the job could not run: " (``tendero.catalogue.refusals``).
JOB_REFUSALS: dict[str, dict[str, str]] = REFUSALS

# How a job ends when it does not complete.
JOB_FAILURES: dict[str, dict[str, str]] = {
    "cancelled": {"en": "cancelled on request", "es": "cancelado a petición"},
    "process_died": {
        "en": "attempt {attempt}: the job's process died (exit code {exit_code}); {then}",
        "es": "intento {attempt}: el proceso del trabajo murió (código de salida {exit_code}); {then}",
    },
    "process_killed": {
        "en": "attempt {attempt}: the job's process was killed (SIGKILL: out of memory?); {then}",
        "es": "intento {attempt}: el proceso del trabajo fue terminado (SIGKILL: ¿sin memoria?); {then}",
    },
    "process_crashed": {
        "en": "attempt {attempt}: the job's process crashed ({signal}); the trace is in the server's log "
        "(job {job_id}); {then}",
        "es": "intento {attempt}: el proceso del trabajo falló ({signal}); la traza está en el registro del servidor "
        "(trabajo {job_id}); {then}",
    },
    "retried": {"en": "it will be retried", "es": "se volverá a intentar"},
    "out_of_attempts": {"en": "out of attempts", "es": "sin más intentos"},
    "could_not_run": {"en": "the job could not run: {detail}", "es": "el trabajo no pudo hacerse: {detail}"},
    "unexpected": {
        "en": "the job failed unexpectedly; the details are in the server's log (job {job_id})",
        "es": "el trabajo falló de forma inesperada; los detalles están en el registro del servidor (trabajo {job_id})",
    },
    "unknown_kind": {
        "en": "unknown job kind {kind}; known: {known}",
        "es": "tipo de trabajo desconocido {kind}; conocidos: {known}",
    },
}

JOB_TEXTS: dict[str, dict[str, str]] = {
    **JOB_PROGRESS,
    **{f"refusal.{key}": texts for key, texts in JOB_REFUSALS.items()},
    **{f"failure.{key}": texts for key, texts in JOB_FAILURES.items()},
}


def job_text(code: str, **params: object) -> str:
    """The line for ``code`` as a job writes it (English); ``render_job_text`` shows it in another language."""
    return JOB_TEXTS[code][FALLBACK].format(**params)


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[re.Pattern[str], str]]:
    """Every template as a whole-line pattern (``epoch {n}: row {r}`` before ``epoch {n}``, ``trial {n}:
    {message}`` before ``{stage}: {message}``)."""
    return whole_line_patterns(JOB_TEXTS)


def render_job_text(text: str | None, lang: str, depth: int = 0) -> str:
    """A stored progress or failure line in ``lang``; a line made from no template comes back as it was."""
    if not text or lang == FALLBACK or depth > 3:
        return text or ""
    for pattern, code in _patterns():
        found = pattern.match(text)
        if found is None:
            continue
        values = {name: render_job_text(value, lang, depth + 1) for name, value in found.groupdict().items()}
        template = JOB_TEXTS[code].get(lang) or JOB_TEXTS[code][FALLBACK]
        return template.format(**values)
    return text
