"""The ``tendero`` command's own texts, in Spanish and English (part of ``tendero.catalogue``).

Messages of the shared errors keep the service's words; what the command adds around them (the prefix, how
to fix it, where the log is, column headers and units) lives here.
"""

from __future__ import annotations

from tendero.catalogue.cli_commands import COMMAND_HELP

CLI: dict[str, dict[str, str]] = {
    # ---- failures --------------------------------------------------------------------------------------
    "error": {"en": "error", "es": "error"},
    "lang.unavailable": {
        "en": "the language {value!r} is not available; use one of: {choices}",
        "es": "el idioma {value!r} no está disponible; usa uno de: {choices}",
    },
    "tenant.unknown": {
        "en": "no tenant named {name!r}: create it with: tendero tenant create {name}",
        "es": "no hay ningún negocio (tenant) llamado {name!r}: créalo con: tendero tenant create {name}",
    },
    "dataset.unknown": {
        "en": "no dataset named or with id {ref!r} in this tenant; see them with: "
        "tendero datasets list --tenant {tenant}",
        "es": "no hay ningún dataset con el nombre o id {ref!r} en este negocio; míralos con: "
        "tendero datasets list --tenant {tenant}",
    },
    "dataset.ambiguous": {
        "en": "{count} datasets are named {ref!r}: give one of their ids ({ids})",
        "es": "hay {count} datasets llamados {ref!r}: indica uno de sus ids ({ids})",
    },
    "file.missing": {"en": "no file {path}", "es": "no existe el fichero {path}"},
    "path.missing": {"en": "no such file or folder: {path}", "es": "no existe el fichero o la carpeta: {path}"},
    "file.unreadable": {
        "en": "cannot read {path}: {reason}",
        "es": "no se puede leer {path}: {reason}",
    },
    "not_found": {"en": "not found: {detail}", "es": "no encontrado: {detail}"},
    "conflict": {"en": "{detail}", "es": "{detail}"},
    "invalid": {"en": "{detail}", "es": "{detail}"},
    "too_large": {"en": "too large: {detail}", "es": "demasiado grande: {detail}"},
    "deploy_not_allowed": {
        "en": "deploying is for admin keys and the operator: {detail}",
        "es": "desplegar es cosa de las claves admin y del operador: {detail}",
    },
    "training.failed": {"en": "training failed: {reason}", "es": "el entrenamiento falló: {reason}"},
    "job.failed": {"en": "the job {status}: {reason}", "es": "el trabajo terminó ({status}): {reason}"},
    "history.too_short": {
        "en": "too little history: forecasting needs at least {periods} periods per series at this frequency; "
        "import more history or use a shorter --freq (W or D)",
        "es": "hay muy poco historial: pronosticar necesita al menos {periods} periodos por serie con esta "
        "frecuencia; importa más historial o usa una --freq más corta (W o D)",
    },
    "customers.no_orders": {
        "en": "no order has a customer id yet: import order lines with a customer_id column first "
        "(tendero import FILE --entity order_lines --tenant {tenant})",
        "es": "ningún pedido tiene todavía un id de cliente: importa primero líneas de pedido con una columna "
        "customer_id (tendero import FICHERO --entity order_lines --tenant {tenant})",
    },
    "no_data": {
        "en": "there are no sales to learn from yet: import order lines first "
        "(tendero import FILE --entity order_lines --tenant {tenant})",
        "es": "todavía no hay ventas de las que aprender: importa primero líneas de pedido "
        "(tendero import FICHERO --entity order_lines --tenant {tenant})",
    },
    "bug": {
        "en": "internal error ({kind}): {detail}. This is a bug in tendero, not your mistake; the details are "
        "in {log} (or run again with --debug)",
        "es": "error interno ({kind}): {detail}. Es un fallo de tendero, no tuyo; los detalles están en {log} "
        "(o vuelve a ejecutarlo con --debug)",
    },
    "choice": {
        "en": "{option} {value!r} is not one of: {choices}",
        "es": "{option} {value!r} no es ninguno de: {choices}",
    },
    "choice.near": {"en": " (did you mean {near}?)", "es": " (¿querías decir {near}?)"},
    "pair": {
        "en": "{option} {value!r} must be written {form}",
        "es": "{option} {value!r} debe escribirse {form}",
    },
    "param.unknown": {
        "en": "the algorithm {algorithm} has no hyperparameter {name!r}; it has: {names}",
        "es": "el algoritmo {algorithm} no tiene el hiperparámetro {name!r}; tiene: {names}",
    },
    "param.invalid": {
        "en": "hyperparameter {name}={value}: {reason}; allowed: {allowed} (default {default})",
        "es": "hiperparámetro {name}={value}: {reason}; admitido: {allowed} (por defecto {default})",
    },
    "param.not_allowed": {"en": "not allowed", "es": "no admitido"},
    "param.task": {
        "en": "the algorithm {algorithm} does not do {task}; for {task} use: {choices}",
        "es": "el algoritmo {algorithm} no hace {task}; para {task} usa: {choices}",
    },
    "field.invalid": {"en": "{field}: {reason} (got {value})", "es": "{field}: {reason} (llegó {value})"},
    "sql.needs": {
        "en": "tendero import sql needs --query and one of --source NAME or --url URL",
        "es": "tendero import sql necesita --query y una de --source NOMBRE o --url URL",
    },
    "import.rule.negative_quantity": {
        "en": "negative quantity (a return: import again with --returns keep to keep it)",
        "es": "cantidad negativa (una devolución: vuelve a importar con --returns keep para conservarla)",
    },
    "db.newest": {"en": "database at the newest schema: {url}", "es": "base de datos en el esquema más nuevo: {url}"},
    "tenant.created": {"en": "tenant {name} created (id {id})", "es": "negocio (tenant) {name} creado (id {id})"},
    "tenant.key_once": {
        "en": "admin API key (shown only now, store it safely):",
        "es": "clave API de administración (solo se muestra ahora, guárdala en un lugar seguro):",
    },
    "key.created": {
        "en": "{role} key {prefix} for {tenant} (shown only now):",
        "es": "clave {role} {prefix} para {tenant} (solo se muestra ahora):",
    },
    "key.revoked": {"en": "key {prefix} revoked", "es": "clave {prefix} revocada"},
    "user.created": {
        "en": "user {name} ({role}) created in {tenant}",
        "es": "usuario {name} ({role}) creado en {tenant}",
    },
    "model.deployed": {"en": "{model} {version} deployed", "es": "{model} {version} desplegada"},
    "model.rolled_back": {"en": "{model} rolled back to {version}", "es": "{model} vuelve a la versión {version}"},
    "file.written": {"en": "{path}: {rows} rows", "es": "{path}: {rows} filas"},
    "search.tenant": {"en": "give --tenant", "es": "indica --tenant"},
    "search.no_query": {
        "en": "give a query, or --reindex / --rebuild",
        "es": "indica una búsqueda, o --reindex / --rebuild",
    },
    "search.empty": {
        "en": "the query is empty: give the words to search for",
        "es": "la búsqueda está vacía: indica las palabras que buscas",
    },
    "search.no_terms": {
        "en": "the query has no words to search for (only stop words or symbols)",
        "es": "la búsqueda no tiene palabras que buscar (solo palabras vacías o símbolos)",
    },
    "search.building": {
        "en": "the semantic index is being built: only words were searched",
        "es": "el índice semántico se está construyendo: solo se buscaron las palabras",
    },
    "search.indexed": {
        "en": "index: {products} products, {embedded} embedded now, {removed} removed ({model}, {seconds} s)",
        "es": "índice: {products} productos, {embedded} incorporados ahora, {removed} quitados ({model}, {seconds} s)",
    },
    "source.added": {
        "en": "source {name} added for {tenant}: {url}",
        "es": "fuente {name} añadida para {tenant}: {url}",
    },
    "source.unknown": {
        "en": "no stored source named {name!r} for {tenant}",
        "es": "no hay ninguna fuente guardada llamada {name!r} para {tenant}",
    },
    "source.removed": {"en": "source {name} removed", "es": "fuente {name} quitada"},
    "serve.refused": {"en": "not serving on {host}: {reason}", "es": "no se sirve en {host}: {reason}"},
    "worker.needs": {
        "en": "tendero worker needs TENDERO_JOB_RUNNER=procrastinate and a PostgreSQL TENDERO_DATABASE_URL",
        "es": "tendero worker necesita TENDERO_JOB_RUNNER=procrastinate y una TENDERO_DATABASE_URL de PostgreSQL",
    },
    "demo.ready": {
        "en": "tendero demo: dashboard at {url}/app  (API docs: {url}/docs)",
        "es": "demo de tendero: panel en {url}/app  (documentación de la API: {url}/docs)",
    },
    "demo.sign_in": {
        "en": "sign in with tenant {tenant} and the admin API key:",
        "es": "entra con el negocio (tenant) {tenant} y la clave API de administración:",
    },
    "demo.training": {
        "en": "models training now: {models} — follow them at {url}/v1/jobs",
        "es": "modelos entrenándose ahora: {models} — síguelos en {url}/v1/jobs",
    },
    "experiment.needs": {
        "en": "give a spec file, or --name, at least two --variant KEY=WEIGHT and a --metric",
        "es": "indica un fichero de especificación, o --name, al menos dos --variant CLAVE=PESO y una --metric",
    },
    "experiment.running": {
        "en": "experiment {name} ({id}) running: {variants}",
        "es": "experimento {name} ({id}) en marcha: {variants}",
    },
    "experiment.summary": {
        "en": "{name} · {status} · {units} units · split p = {p}",
        "es": "{name} · {status} · {units} unidades · p del reparto = {p}",
    },
    "experiment.control": {"en": "control", "es": "control"},
    "experiment.promoted": {"en": "deployed version: {version}", "es": "versión desplegada: {version}"},
    "experiment.no_winner": {"en": "unchanged (no winner)", "es": "sin cambios (no hay ganador)"},
    "events.stored": {
        "en": "{accepted} events stored, {duplicates} duplicates skipped, {new} new units, {rejected} rejected",
        "es": "{accepted} eventos guardados, {duplicates} duplicados omitidos, {new} unidades nuevas, "
        "{rejected} rechazados",
    },
    "events.rejected": {"en": "  row {row}: {field}: {message}", "es": "  fila {row}: {field}: {message}"},
    "job_status.queued": {"en": "queued", "es": "en cola"},
    "job_status.running": {"en": "running", "es": "en curso"},
    "job_status.completed": {"en": "completed", "es": "terminado"},
    "job_status.failed": {"en": "failed", "es": "fallido"},
    "job_status.cancelled": {"en": "cancelled", "es": "cancelado"},
    "status.completed": {"en": "completed", "es": "completada"},
    "status.validated": {"en": "validated", "es": "validada"},
    "status.failed": {"en": "failed", "es": "fallida"},
    "yes": {"en": "yes", "es": "sí"},
    "no": {"en": "no", "es": "no"},
    "deleted": {"en": "deleted", "es": "borrado"},
    "written": {"en": "written to {path}", "es": "escrito en {path}"},
    "schedule.created": {
        "en": "schedule {name} ({id}): {description}",
        "es": "programación {name} ({id}): {description}",
    },
    "schedule.next": {"en": "  next: {when}", "es": "  próxima: {when}"},
    "schedule.params": {"en": "params: {params}", "es": "parámetros: {params}"},
    "schedule.updated": {"en": "{name}: next run {when} UTC", "es": "{name}: próxima ejecución {when} UTC"},
    "schedule.unknown": {
        "en": "no schedule named or numbered {ref!r}; see them with: tendero schedules list --tenant T",
        "es": "no hay ninguna programación con el nombre o id {ref!r}; míralas con: tendero schedules list --tenant T",
    },
    "channel.unknown": {
        "en": "no channel named or numbered {ref!r}; see them with: tendero channels list --tenant T",
        "es": "no hay ningún canal con el nombre o id {ref!r}; míralos con: tendero channels list --tenant T",
    },
    "channel.created": {"en": "channel {name} ({id})", "es": "canal {name} ({id})"},
    "channel.test_queued": {
        "en": "test message queued: delivery {id}",
        "es": "mensaje de prueba en cola: envío {id}",
    },
    "run.queued": {"en": "run {id} queued (job {job})", "es": "ejecución {id} en cola (trabajo {job})"},
    "deliveries.total": {"en": "{total} deliveries", "es": "{total} envíos"},
    "delivery.replay_queued": {"en": "replay queued: delivery {id}", "es": "reenvío en cola: envío {id}"},
    "retention.days": {"en": "retention: {days} days", "es": "conservación: {days} días"},
    # ---- outcomes ----------------------------------------------------------------------------------------
    "import.title": {"en": "{entity} from {source}: {status}", "es": "{entity} desde {source}: {status}"},
    "import.dry_run": {"en": " (dry run: nothing written)", "es": " (simulación: no se escribió nada)"},
    "import.rejected_title": {
        "en": "rejected rows (first {count})",
        "es": "filas rechazadas (las primeras {count})",
    },
    "import.report": {
        "en": "report id {id}: GET /v1/data/imports/{id}",
        "es": "id del informe {id}: GET /v1/data/imports/{id}",
    },
    "training": {"en": "training {name} ...", "es": "entrenando {name} ..."},
    "training.customers": {
        "en": "no customer model deployed yet: training one now ...",
        "es": "todavía no hay un modelo de clientes desplegado: entrenando uno ahora ...",
    },
    "job.queued": {
        "en": "job {id} queued: follow it with GET /v1/jobs/{id}/progress",
        "es": "trabajo {id} en cola: síguelo con GET /v1/jobs/{id}/progress",
    },
    "model.trained": {
        "en": "model {model} version {version} ({state})",
        "es": "modelo {model} versión {version} ({state})",
    },
    "deployed": {"en": "deployed", "es": "desplegada"},
    "not_deployed": {"en": "not deployed", "es": "no desplegada"},
    "chart.written": {"en": "chart written to {path}", "es": "gráfico escrito en {path}"},
    "forecast.title": {
        "en": "{name} {version} ({measure}{unit}): backtest MASE {mase}",
        "es": "{name} {version} ({measure}{unit}): MASE en el backtest {mase}",
    },
    "measure.quantity": {"en": "units sold", "es": "unidades vendidas"},
    "measure.revenue": {"en": "revenue", "es": "ingresos"},
    "segments.title": {"en": "segments (model {version})", "es": "segmentos (modelo {version})"},
    "at_risk.title": {"en": "customers at risk", "es": "clientes en riesgo"},
    "likely.title": {
        "en": "likely buyers in the next {days} days",
        "es": "compradores probables en los próximos {days} días",
    },
    "problems": {"en": "problems", "es": "problemas"},
    "dataset.line": {
        "en": "dataset {name} ({id}): {status}, {rows} rows, task {task}, target {target}",
        "es": "dataset {name} ({id}): {status}, {rows} filas, tarea {task}, objetivo {target}",
    },
    # ---- column headers ----------------------------------------------------------------------------------
    "col.prefix": {"en": "prefix", "es": "prefijo"},
    "col.role": {"en": "role", "es": "rol"},
    "col.last_used": {"en": "last used (UTC)", "es": "último uso (UTC)"},
    "col.revoked": {"en": "revoked (UTC)", "es": "revocada (UTC)"},
    "col.default": {"en": "default", "es": "por defecto"},
    "col.allowed": {"en": "allowed", "es": "admitido"},
    "col.meaning": {"en": "meaning", "es": "significado"},
    "col.rank": {"en": "#", "es": "#"},
    "col.product": {"en": "product", "es": "producto"},
    "col.category": {"en": "category", "es": "categoría"},
    "col.price": {"en": "price", "es": "precio"},
    "col.score": {"en": "score", "es": "puntuación"},
    "col.matched": {"en": "matched", "es": "coincide en"},
    "col.origin": {"en": "origin", "es": "origen"},
    "col.open_to": {"en": "open to", "es": "abierta a"},
    "col.url_hidden": {"en": "url (password hidden)", "es": "url (contraseña oculta)"},
    "col.unit": {"en": "unit", "es": "unidad"},
    "col.variants": {"en": "variants", "es": "variantes"},
    "col.started": {"en": "started (UTC)", "es": "inicio (UTC)"},
    "col.winner": {"en": "winner", "es": "ganadora"},
    "col.metric": {"en": "metric", "es": "métrica"},
    "col.variant": {"en": "variant", "es": "variante"},
    "col.units": {"en": "units", "es": "unidades"},
    "col.mean": {"en": "mean", "es": "media"},
    "col.effect": {"en": "effect", "es": "efecto"},
    "col.interval95": {"en": "95 % interval", "es": "intervalo del 95 %"},
    "col.p": {"en": "p", "es": "p"},
    "col.decision": {"en": "decision", "es": "decisión"},
    "col.action_name": {"en": "action", "es": "acción"},
    "col.cron": {"en": "cron", "es": "cron"},
    "col.timezone": {"en": "time zone", "es": "zona horaria"},
    "col.next_run": {"en": "next run (UTC)", "es": "próxima ejecución (UTC)"},
    "col.last_run": {"en": "last run (UTC)", "es": "última ejecución (UTC)"},
    "col.enabled": {"en": "enabled", "es": "activa"},
    "col.run": {"en": "run", "es": "ejecución"},
    "col.trigger": {"en": "trigger", "es": "disparador"},
    "col.due": {"en": "due (UTC)", "es": "prevista (UTC)"},
    "col.missed": {"en": "missed", "es": "perdidas"},
    "col.summary": {"en": "summary", "es": "resumen"},
    "col.language": {"en": "language", "es": "idioma"},
    "col.address": {"en": "address", "es": "dirección"},
    "col.events": {"en": "events", "es": "eventos"},
    "col.event": {"en": "event", "es": "evento"},
    "col.channel": {"en": "channel", "es": "canal"},
    "col.attempts": {"en": "attempts", "es": "intentos"},
    "col.http_code": {"en": "HTTP code", "es": "código HTTP"},
    "col.error": {"en": "error", "es": "error"},
    "col.id": {"en": "id", "es": "id"},
    "col.name": {"en": "name", "es": "nombre"},
    "col.status": {"en": "status", "es": "estado"},
    "col.task": {"en": "task", "es": "tarea"},
    "col.target": {"en": "target", "es": "objetivo"},
    "col.rows": {"en": "rows", "es": "filas"},
    "col.created": {"en": "created (UTC)", "es": "creado (UTC)"},
    "col.type": {"en": "type", "es": "tipo"},
    "col.cardinality": {"en": "distinct values", "es": "valores distintos"},
    "col.missing_share": {"en": "missing", "es": "vacíos"},
    "col.row": {"en": "row", "es": "fila"},
    "col.column": {"en": "column", "es": "columna"},
    "col.value": {"en": "value", "es": "valor"},
    "col.reason": {"en": "reason", "es": "motivo"},
    "col.message": {"en": "message", "es": "mensaje"},
    "col.series": {"en": "series", "es": "serie"},
    "col.period": {"en": "period", "es": "periodo"},
    "col.forecast": {"en": "forecast", "es": "pronóstico"},
    "col.low": {"en": "low {level}%", "es": "mín. {level}%"},
    "col.high": {"en": "high {level}%", "es": "máx. {level}%"},
    "col.segment": {"en": "segment", "es": "segmento"},
    "col.customers": {"en": "customers", "es": "clientes"},
    "col.revenue_share": {"en": "revenue share", "es": "parte de los ingresos"},
    "col.recency": {"en": "mean recency", "es": "recencia media"},
    "col.frequency": {"en": "mean orders", "es": "pedidos medios"},
    "col.monetary": {"en": "mean spend", "es": "gasto medio"},
    "col.repeat_rate": {"en": "repeat rate", "es": "tasa de repetición"},
    "col.action": {"en": "what to do", "es": "qué hacer"},
    "col.customer": {"en": "customer", "es": "cliente"},
    "col.churn": {"en": "churn risk", "es": "riesgo de abandono"},
    "col.value_at_risk": {"en": "value at risk", "es": "valor en riesgo"},
    "col.clv": {"en": "lifetime value", "es": "valor de vida"},
    "col.last_purchase": {"en": "last purchase", "es": "última compra"},
    "col.reasons": {"en": "top reasons", "es": "motivos principales"},
    "col.p_purchase": {"en": "chance to buy", "es": "probabilidad de compra"},
    "col.expected_purchases": {"en": "expected orders", "es": "pedidos esperados"},
    "col.model": {"en": "model", "es": "modelo"},
    "col.kind": {"en": "kind", "es": "tipo"},
    "col.deployed": {"en": "deployed", "es": "desplegada"},
    "col.latest": {"en": "latest", "es": "última"},
    "col.versions": {"en": "versions", "es": "versiones"},
    "col.flags": {"en": "flags", "es": "avisos"},
    "col.version": {"en": "version", "es": "versión"},
    "col.aliases": {"en": "aliases", "es": "alias"},
    "col.algorithm": {"en": "algorithm", "es": "algoritmo"},
    "col.metrics": {"en": "metrics", "es": "métricas"},
    "col.table": {"en": "table", "es": "tabla"},
    "col.count": {"en": "count", "es": "cantidad"},
    # ---- units -------------------------------------------------------------------------------------------
    "unit.days": {"en": "days", "es": "días"},
    "unit.rows": {"en": "rows", "es": "filas"},
    "unit.units": {"en": "units", "es": "unidades"},
    # ---- report counts (import) --------------------------------------------------------------------------
    "count.rows_read": {"en": "rows read", "es": "filas leídas"},
    "count.inserted": {"en": "inserted", "es": "insertadas"},
    "count.updated": {"en": "updated", "es": "actualizadas"},
    "count.unchanged": {"en": "unchanged", "es": "sin cambios"},
    "count.merged": {"en": "merged", "es": "fusionadas"},
    "count.rejected": {"en": "rejected", "es": "rechazadas"},
}

# Help texts by command path ("" is the root; "import --entity" an option; "* --tenant" an option of every
# command). A command or option without an entry keeps its docstring's English.
_HELP: dict[str, tuple[str, str]] = {
    "": (
        "tendero: self-hosted machine learning for commerce data.",
        "tendero: aprendizaje automático autoalojado para datos de comercio.",
    ),
    " --lang": (
        "language of the output: es or en (default: the locale, LANG)",
        "idioma de la salida: es o en (por defecto, el de la configuración regional, LANG)",
    ),
    " --debug": (
        "print the trace of an internal error (always kept in the log)",
        "muestra la traza de un error interno (siempre queda en el registro)",
    ),
    "* --tenant": ("tenant name or id", "nombre o id del negocio (tenant)"),
    "* --json": ("print JSON", "imprime JSON"),
    "db": ("Database schema.", "Esquema de la base de datos."),
    "tenant": ("Tenants (businesses).", "Negocios (tenants)."),
    "tenant create": (
        "Create a tenant and print its first admin API key (shown only this once).",
        "Crea un negocio e imprime su primera clave API de administración (solo se muestra esta vez).",
    ),
    "tenant list": ("The tenants, with their ids.", "Los negocios, con sus ids."),
    "key": ("API keys of a tenant.", "Claves API de un negocio."),
    "key create": (
        "Create an API key and print it (shown only this once).",
        "Crea una clave API y la imprime (solo se muestra esta vez).",
    ),
    "key create --role": ("admin, analyst or service", "admin, analyst o service"),
    "key list": ("A tenant's keys (prefixes only).", "Las claves de un negocio (solo sus prefijos)."),
    "key revoke": ("Revoke a key by its prefix or id.", "Revoca una clave por su prefijo o id."),
    "user": ("Dashboard users.", "Usuarios del panel."),
    "bench": (
        "Benchmarks on real data; --json prints one JSON object.",
        "Pruebas de rendimiento con datos reales; --json imprime un objeto JSON.",
    ),
    "data": ("Commerce data.", "Datos de comercio."),
    "data profile": (
        "Counts, date range, activity, missing values and warnings for a tenant's data.",
        "Recuentos, rango de fechas, actividad, valores vacíos y avisos de los datos de un negocio.",
    ),
    "models": ("The model registry.", "El registro de modelos."),
    "models list": (
        "Models of a tenant with their deployed and latest versions.",
        "Los modelos de un negocio con sus versiones desplegada y última.",
    ),
    "models versions": (
        "A model's versions with their metrics; the deployed one marked.",
        "Las versiones de un modelo con sus métricas; la desplegada, marcada.",
    ),
    "models deploy": (
        "Deploy a version (the one deployed version of the model).",
        "Despliega una versión (la única versión desplegada del modelo).",
    ),
    "models rollback": (
        "Deploy again the version deployed before the current one.",
        "Vuelve a desplegar la versión desplegada antes que la actual.",
    ),
    "serve": (
        "Serve the API (and, by default, run jobs in-process).",
        "Sirve la API (y, por defecto, ejecuta los trabajos en el mismo proceso).",
    ),
    "worker": (
        "Run queued jobs from PostgreSQL through Procrastinate (start as many as you like, anywhere).",
        "Ejecuta trabajos en cola desde PostgreSQL con Procrastinate (arranca tantos como quieras, donde quieras).",
    ),
    "demo": (
        "The whole product on the embedded default: demo tenant, demo store, every model kind, served.",
        "Todo el producto con la configuración integrada: negocio y tienda de demostración, todos los tipos de "
        "modelo, servido.",
    ),
    "import": (
        "Import commerce data; prints the validation report (every rejected row with its reason).",
        "Importa datos de comercio; imprime el informe de validación (cada fila rechazada con su motivo).",
    ),
    "import SOURCE": (
        "a CSV/JSON lines/Parquet/Excel file, or the word sql",
        "un fichero CSV/JSON lines/Parquet/Excel, o la palabra sql",
    ),
    "import --entity": (
        "customers, products, orders, order_items, interactions, order_lines",
        "customers, products, orders, order_items, interactions, order_lines",
    ),
    "import --map": ("your_column=field (repeatable)", "tu_columna=campo (se puede repetir)"),
    "import --set": ("field=value for every row (repeatable)", "campo=valor para cada fila (se puede repetir)"),
    "import --dry-run": ("validate and count, write nothing", "valida y cuenta, sin escribir nada"),
    "import --returns": (
        "negative quantities: reject, or keep as returns",
        "cantidades negativas: reject (rechazar) o keep (conservar como devoluciones)",
    ),
    "import --source": (
        "with sql: a named source (tendero sources add)",
        "con sql: una fuente con nombre (tendero sources add)",
    ),
    "import --url": (
        "with sql: a SQLite or PostgreSQL URL of your database (read-only)",
        "con sql: la URL SQLite o PostgreSQL de tu base de datos (solo lectura)",
    ),
    "import --query": (
        "with sql: the query returning the entity's rows",
        "con sql: la consulta que devuelve las filas de la entidad",
    ),
    "import --json": ("print the report as JSON", "imprime el informe como JSON"),
    "forecast": (
        "Forecast sales at a level and frequency (training the model first if none is deployed, or if the "
        "deployed one forecasts another measure or fewer periods).",
        "Pronostica las ventas a un nivel y una frecuencia (entrenando antes el modelo si no hay ninguno "
        "desplegado, o si el desplegado pronostica otra medida o menos periodos).",
    ),
    "forecast --level": (
        "total, category, product, store, store_product",
        "total, category, product, store, store_product",
    ),
    "forecast --freq": ("D, W or M", "D (días), W (semanas) o M (meses)"),
    "forecast --horizon": ("periods ahead", "periodos hacia delante"),
    "forecast --measure": (
        "quantity (units sold) or revenue (money), as the API's measure",
        "quantity (unidades vendidas) o revenue (dinero), como la medida de la API",
    ),
    "forecast --retrain": ("train a new version first", "entrena antes una versión nueva"),
    "forecast --plot": (
        "write a PNG chart of history and forecast",
        "escribe un gráfico PNG del historial y el pronóstico",
    ),
    "customers": (
        "Customer segments, churn risk, likely buyers.",
        "Segmentos de clientes, riesgo de abandono, compradores probables.",
    ),
    "customers segments": (
        "The RFM segments: customers, revenue share, mean R/F/M, repeat rate, what to do.",
        "Los segmentos RFM: clientes, parte de los ingresos, R/F/M medios, tasa de repetición, qué hacer.",
    ),
    "customers at-risk": (
        "Customers by value at risk, with the top reasons.",
        "Clientes por valor en riesgo, con los motivos principales.",
    ),
    "customers likely-buyers": (
        "Customers most likely to buy in the next DAYS days.",
        "Los clientes con más probabilidad de comprar en los próximos DAYS días.",
    ),
    "datasets": ("Training-platform datasets.", "Datasets de la plataforma de entrenamiento."),
    "datasets upload": (
        "Upload a CSV/JSON/JSON lines/Parquet file as a dataset; prints its schema or what is wrong.",
        "Sube un fichero CSV/JSON/JSON lines/Parquet como dataset; imprime su esquema o lo que está mal.",
    ),
    "datasets upload --name": (
        "a name to find it by (tendero train tabular --dataset NAME)",
        "un nombre para encontrarlo (tendero train tabular --dataset NOMBRE)",
    ),
    "datasets upload --task": (
        "classification, regression, clustering, text_classification",
        "classification, regression, clustering, text_classification",
    ),
    "datasets upload --target": (
        "the column to predict (not for clustering)",
        "la columna que se predice (no para clustering)",
    ),
    "datasets list": (
        "The tenant's datasets, newest first; ids in full (a dataset is found by its id or its name).",
        "Los datasets del negocio, los más nuevos primero; ids completos (un dataset se encuentra por su id o su "
        "nombre).",
    ),
    "datasets show": (
        "One dataset: its schema, size and the problems found in it.",
        "Un dataset: su esquema, su tamaño y los problemas encontrados en él.",
    ),
    "datasets show DATASET": ("the dataset's name or id", "el nombre o el id del dataset"),
    "train": ("Train models.", "Entrena modelos."),
    "train tabular": (
        "Train a tabular model on a dataset (queued for the server's runner, or run here with --follow).",
        "Entrena un modelo tabular con un dataset (en cola para el servidor, o aquí mismo con --follow).",
    ),
    "train tabular --dataset": ("the dataset's name or id", "el nombre o el id del dataset"),
    "train tabular --param": ("name=value (repeatable)", "nombre=valor (se puede repetir)"),
    "train tabular --name": (
        "model name; default: dataset name + algorithm",
        "nombre del modelo; por defecto: nombre del dataset + algoritmo",
    ),
    "train tabular --follow": (
        "run here with a live progress bar",
        "ejecútalo aquí con una barra de progreso en vivo",
    ),
    "train algorithms": (
        "The algorithms, the tasks each does, and each hyperparameter's default, allowed values and meaning.",
        "Los algoritmos, las tareas de cada uno y, de cada hiperparámetro, su valor por defecto, los valores "
        "admitidos y su significado.",
    ),
    "train algorithms ALGORITHM": ("one algorithm (default: all)", "un algoritmo (por defecto, todos)"),
    "search": (
        "Search a tenant's products (words and meaning); --reindex/--rebuild bring its index up to date.",
        "Busca productos de un negocio (por palabras y significado); --reindex/--rebuild ponen al día su índice.",
    ),
    "ask": (
        "Ask the assistant; prints the answer, the figures behind it and their sources.",
        "Pregunta al asistente; imprime la respuesta, las cifras en que se basa y sus fuentes.",
    ),
    "sources": (
        "Named SQL sources a tenant's analysts may query (read-only; never tendero's own database).",
        "Fuentes SQL con nombre que los analistas de un negocio pueden consultar (solo lectura; nunca la base de "
        "datos de tendero).",
    ),
    "experiments": (
        "A/B experiments: sticky assignment, events, results with a verdict.",
        "Experimentos A/B: asignación estable, eventos, resultados con un veredicto.",
    ),
    "schedules": (
        "Schedules: retraining, churn-risk lists, likely buyers, drift checks.",
        "Programaciones: reentrenamiento, listas de riesgo de abandono, compradores probables, controles de deriva.",
    ),
    "channels": (
        "Channels: webhooks (Slack or signed JSON) and email.",
        "Canales: webhooks (Slack o JSON firmado) y correo electrónico.",
    ),
    "deliveries": (
        "Deliveries: what was sent, the dead-letter list, replay.",
        "Envíos: lo que se envió, la lista de fallidos, reenviar.",
    ),
    "retention": (
        "How long jobs, audit rows and deliveries are kept.",
        "Cuánto tiempo se conservan los trabajos, las filas de auditoría y los envíos.",
    ),
    "insights": ("Sales analysis and product suggestions.", "Análisis de ventas y sugerencias de productos."),
}
CLI_HELP: dict[str, dict[str, str]] = {key: {"en": en, "es": es} for key, (en, es) in {**_HELP, **COMMAND_HELP}.items()}
