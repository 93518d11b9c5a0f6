"""The dashboard's words in Spanish and English: a small catalogue, no gettext build step.

A missing translation falls back to English, and a missing key shows itself, so gaps are visible, not fatal.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

LANGUAGES = ("es", "en")
DEFAULT = "en"

CATALOGUE: dict[str, dict[str, str]] = {
    # frame
    "app.tagline": {"en": "Your shop's data, working for you", "es": "Los datos de tu tienda, trabajando para ti"},
    "nav.overview": {"en": "Overview", "es": "Resumen"},
    "nav.data": {"en": "Data", "es": "Datos"},
    "nav.models": {"en": "Models", "es": "Modelos"},
    "nav.jobs": {"en": "Jobs", "es": "Trabajos"},
    "nav.settings": {"en": "Settings", "es": "Ajustes"},
    "nav.signout": {"en": "Sign out", "es": "Cerrar sesión"},
    "nav.language": {"en": "Language", "es": "Idioma"},
    "role.admin": {"en": "admin", "es": "administrador"},
    "role.analyst": {"en": "analyst", "es": "analista"},
    "role.service": {"en": "service", "es": "servicio"},
    # sign-in
    "login.title": {"en": "Sign in", "es": "Iniciar sesión"},
    "login.tenant": {"en": "Shop (tenant)", "es": "Tienda (tenant)"},
    "login.with_key": {"en": "With an API key", "es": "Con una clave de API"},
    "login.with_password": {"en": "With a user and password", "es": "Con usuario y contraseña"},
    "login.key": {"en": "API key", "es": "Clave de API"},
    "login.username": {"en": "User", "es": "Usuario"},
    "login.password": {"en": "Password", "es": "Contraseña"},
    "login.submit": {"en": "Sign in", "es": "Entrar"},
    "login.failed": {
        "en": "Those details do not match an active key or user of that shop.",
        "es": "Esos datos no corresponden a una clave o usuario activo de esa tienda.",
    },
    "login.hint": {
        "en": "Create a user with: tendero user create <user> --tenant <shop> --role admin",
        "es": "Crea un usuario con: tendero user create <usuario> --tenant <tienda> --role admin",
    },
    "login.signed_out": {"en": "You have signed out.", "es": "Has cerrado la sesión."},
    "login.expired": {
        "en": "Your session ended; sign in again.",
        "es": "Tu sesión terminó; vuelve a iniciarla.",
    },
    # overview
    "overview.title": {"en": "Overview", "es": "Resumen"},
    "overview.period": {
        "en": "Last {days} days vs the {days} before",
        "es": "Últimos {days} días frente a los {days} anteriores",
    },
    "overview.until": {"en": "data until {day}", "es": "datos hasta el {day}"},
    "kpi.revenue": {"en": "Revenue", "es": "Ventas"},
    "kpi.orders": {"en": "Orders", "es": "Pedidos"},
    "kpi.customers": {"en": "Customers", "es": "Clientes"},
    "kpi.ticket": {"en": "Average ticket", "es": "Ticket medio"},
    "kpi.vs": {"en": "vs {value} before", "es": "frente a {value} antes"},
    "kpi.new": {"en": "new", "es": "nuevo"},
    "overview.sales_chart": {"en": "Daily sales", "es": "Ventas diarias"},
    "overview.weekly": {"en": "7-day average", "es": "Media de 7 días"},
    "overview.top_categories": {"en": "Top categories in the period", "es": "Categorías principales del periodo"},
    "overview.model_health": {"en": "Model health", "es": "Estado de los modelos"},
    "overview.no_data": {
        "en": "No sales yet. Import your orders (a CSV, Excel or Parquet file) on the Data page, "
        "or run `tendero demo` to try a generated shop.",
        "es": "Aún no hay ventas. Importa tus pedidos (un fichero CSV, Excel o Parquet) en la página Datos, "
        "o ejecuta `tendero demo` para probar con una tienda generada.",
    },
    "overview.go_import": {"en": "Import data", "es": "Importar datos"},
    "overview.no_models": {
        "en": "No model trained yet. Train the baseline: it learns your usual sales per weekday in seconds.",
        "es": "Aún no hay modelos. Entrena la referencia: aprende tus ventas habituales por día de la semana "
        "en segundos.",
    },
    "overview.train_baseline": {"en": "Train the baseline", "es": "Entrenar la referencia"},
    "overview.no_models_reader": {
        "en": "No model trained yet. Ask an analyst or admin to train one.",
        "es": "Aún no hay modelos. Pide a un analista o administrador que entrene uno.",
    },
    "overview.service_note": {
        "en": "Your role sends data and asks for predictions; the Data page takes your uploads.",
        "es": "Tu rol envía datos y pide predicciones; en la página Datos puedes subir ficheros.",
    },
    # models
    "models.title": {"en": "Models", "es": "Modelos"},
    "models.kind": {"en": "Kind", "es": "Tipo"},
    "models.deployed": {"en": "deployed", "es": "desplegado"},
    "models.none_deployed": {"en": "nothing deployed", "es": "nada desplegado"},
    "models.version": {"en": "Version", "es": "Versión"},
    "models.status": {"en": "Status", "es": "Estado"},
    "models.algorithm": {"en": "Algorithm", "es": "Algoritmo"},
    "models.metrics": {"en": "Metrics", "es": "Métricas"},
    "models.created": {"en": "Created", "es": "Creado"},
    "models.actions": {"en": "Actions", "es": "Acciones"},
    "models.deploy": {"en": "Deploy", "es": "Desplegar"},
    "models.rollback": {"en": "Roll back", "es": "Revertir"},
    "models.archive": {"en": "Archive", "es": "Archivar"},
    "models.deployed_ok": {
        "en": "Version {version} of {model} is deployed.",
        "es": "La versión {version} de {model} está desplegada.",
    },
    "models.rolled_back": {
        "en": "{model} rolled back to version {version}.",
        "es": "{model} ha vuelto a la versión {version}.",
    },
    "models.archived": {
        "en": "Version {version} of {model} archived.",
        "es": "Versión {version} de {model} archivada.",
    },
    "models.flag": {"en": "flag", "es": "aviso"},
    "models.train_title": {"en": "Train a model", "es": "Entrenar un modelo"},
    "models.name": {"en": "Model name", "es": "Nombre del modelo"},
    "models.params": {"en": "Parameters (JSON, optional)", "es": "Parámetros (JSON, opcional)"},
    "models.deploy_mode": {"en": "Deploy when done", "es": "Desplegar al terminar"},
    "models.deploy.if_better": {"en": "if better", "es": "si es mejor"},
    "models.deploy.always": {"en": "always", "es": "siempre"},
    "models.deploy.never": {"en": "never", "es": "nunca"},
    "models.train": {"en": "Train", "es": "Entrenar"},
    "models.queued": {"en": "Training queued: follow it below.", "es": "Entrenamiento en cola: síguelo abajo."},
    "models.bad_params": {
        "en": "The parameters must be a JSON object.",
        "es": "Los parámetros deben ser un objeto JSON.",
    },
    "models.empty": {
        "en": "No models yet. Train one with the form above; the baseline needs only your orders.",
        "es": "Aún no hay modelos. Entrena uno con el formulario; la referencia solo necesita tus pedidos.",
    },
    # jobs
    "jobs.title": {"en": "Jobs", "es": "Trabajos"},
    "jobs.model": {"en": "Model", "es": "Modelo"},
    "jobs.progress": {"en": "Progress", "es": "Progreso"},
    "jobs.cancel": {"en": "Cancel", "es": "Cancelar"},
    "jobs.cancel_sent": {"en": "Cancel requested.", "es": "Cancelación solicitada."},
    "jobs.empty": {
        "en": "No jobs yet. Training a model on the Models page starts one.",
        "es": "Aún no hay trabajos. Entrenar un modelo en la página Modelos inicia uno.",
    },
    "jobs.loss": {"en": "Training curves", "es": "Curvas de entrenamiento"},
    "status.pending": {"en": "pending", "es": "en cola"},
    "status.running": {"en": "running", "es": "en curso"},
    "status.completed": {"en": "completed", "es": "completado"},
    "status.failed": {"en": "failed", "es": "fallido"},
    "status.cancelled": {"en": "cancelled", "es": "cancelado"},
    "status.ready": {"en": "ready", "es": "listo"},
    "status.deployed": {"en": "deployed", "es": "desplegado"},
    "status.archived": {"en": "archived", "es": "archivado"},
    "status.training": {"en": "training", "es": "entrenando"},
    # data
    "data.title": {"en": "Data", "es": "Datos"},
    "data.upload": {"en": "Import a file", "es": "Importar un fichero"},
    "data.entity": {"en": "What the rows are", "es": "Qué son las filas"},
    "data.file": {"en": "File (CSV, JSON lines, Parquet, Excel)", "es": "Fichero (CSV, JSON lines, Parquet, Excel)"},
    "data.mapping": {"en": "Column mapping (your_column=field, …)", "es": "Columnas (tu_columna=campo, …)"},
    "data.dry_run": {"en": "Only check, do not save", "es": "Solo comprobar, no guardar"},
    "data.returns": {"en": "Negative quantities", "es": "Cantidades negativas"},
    "data.returns.reject": {"en": "reject", "es": "rechazar"},
    "data.returns.keep": {"en": "keep as returns", "es": "guardar como devoluciones"},
    "data.import": {"en": "Import", "es": "Importar"},
    "data.imported": {
        "en": "Imported {rows} rows: {inserted} new, {updated} updated, {rejected} rejected.",
        "es": "Importadas {rows} filas: {inserted} nuevas, {updated} actualizadas, {rejected} rechazadas.",
    },
    "data.imports": {"en": "Imports", "es": "Importaciones"},
    "data.no_imports": {
        "en": "No imports yet. Start with products, then customers, then orders and their items.",
        "es": "Aún no hay importaciones. Empieza por productos, luego clientes, luego pedidos y sus líneas.",
    },
    "data.source": {"en": "Source", "es": "Origen"},
    "data.rows": {"en": "Rows", "es": "Filas"},
    "data.inserted": {"en": "New", "es": "Nuevas"},
    "data.updated": {"en": "Updated", "es": "Actualizadas"},
    "data.rejected": {"en": "Rejected", "es": "Rechazadas"},
    "data.when": {"en": "When", "es": "Cuándo"},
    "data.report": {"en": "Report", "es": "Informe"},
    "data.profile": {"en": "Your data", "es": "Tus datos"},
    "data.warnings": {"en": "Warnings", "es": "Avisos"},
    "data.no_warnings": {"en": "No warnings: the data looks sound.", "es": "Sin avisos: los datos parecen correctos."},
    "data.missing": {"en": "Missing values", "es": "Valores ausentes"},
    "data.range": {
        "en": "Orders from {first} to {last} ({days} days)",
        "es": "Pedidos del {first} al {last} ({days} días)",
    },
    "data.row": {"en": "Row", "es": "Fila"},
    "data.column": {"en": "Column", "es": "Columna"},
    "data.value": {"en": "Value", "es": "Valor"},
    "data.reason": {"en": "Reason", "es": "Motivo"},
    "data.reasons": {"en": "Why rows were rejected", "es": "Por qué se rechazaron filas"},
    "data.no_rejections": {"en": "Every row was valid.", "es": "Todas las filas eran válidas."},
    "data.dry": {"en": "check only", "es": "solo comprobación"},
    "data.back": {"en": "Back to Data", "es": "Volver a Datos"},
    "data.pick_file": {"en": "Choose a file to import.", "es": "Elige un fichero para importar."},
    "entity.customers": {"en": "customers", "es": "clientes"},
    "entity.products": {"en": "products", "es": "productos"},
    "entity.orders": {"en": "orders", "es": "pedidos"},
    "entity.order_items": {"en": "order items", "es": "líneas de pedido"},
    "entity.order_lines": {
        "en": "order lines (orders + items in one file)",
        "es": "líneas (pedidos y líneas en un fichero)",
    },
    "entity.interactions": {"en": "interactions (views, ratings)", "es": "interacciones (visitas, valoraciones)"},
    # settings
    "settings.title": {"en": "Settings", "es": "Ajustes"},
    "settings.keys": {"en": "API keys", "es": "Claves de API"},
    "settings.name": {"en": "Name", "es": "Nombre"},
    "settings.role": {"en": "Role", "es": "Rol"},
    "settings.prefix": {"en": "Prefix", "es": "Prefijo"},
    "settings.last_used": {"en": "Last used", "es": "Último uso"},
    "settings.revoked": {"en": "revoked", "es": "revocada"},
    "settings.active": {"en": "active", "es": "activa"},
    "settings.create": {"en": "Create key", "es": "Crear clave"},
    "settings.revoke": {"en": "Revoke", "es": "Revocar"},
    "settings.revoked_ok": {"en": "Key {prefix} revoked.", "es": "Clave {prefix} revocada."},
    "settings.shown_once": {
        "en": "Copy this key now: it is shown only once and cannot be recovered.",
        "es": "Copia esta clave ahora: solo se muestra una vez y no se puede recuperar.",
    },
    "common.never": {"en": "never", "es": "nunca"},
    # errors
    "error.title": {"en": "Something went wrong", "es": "Algo salió mal"},
    "error.forbidden": {
        "en": "Your role ({role}) cannot do this. Ask an admin of your shop.",
        "es": "Tu rol ({role}) no puede hacer esto. Pídeselo a un administrador de tu tienda.",
    },
    "error.not_found": {"en": "Not found: {detail}", "es": "No encontrado: {detail}"},
    "error.csrf": {
        "en": "The form expired or came from another site; reload the page and try again.",
        "es": "El formulario caducó o vino de otro sitio; recarga la página e inténtalo de nuevo.",
    },
    "error.unexpected": {
        "en": "An unexpected error occurred; it has been logged. Try again, or tell your administrator.",
        "es": "Ocurrió un error inesperado; ha quedado registrado. Inténtalo de nuevo o avisa a tu administrador.",
    },
    "error.invalid": {"en": "Invalid input: {detail}", "es": "Datos no válidos: {detail}"},
    "error.home": {"en": "Back to the dashboard", "es": "Volver al panel"},
}


def pick_language(accept_language: str | None) -> str:
    """The first of our languages the browser asks for (honouring q weights), else English."""
    choices: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        base = tag.strip().lower().split("-")[0]
        if base in LANGUAGES and weight > 0:
            choices.append((-weight, index, base))
    return min(choices)[2] if choices else DEFAULT


def translator(lang: str) -> Callable[..., str]:
    def translate(key: str, **values: object) -> str:
        entry = CATALOGUE.get(key)
        if entry is None:
            return key
        text = entry.get(lang) or entry[DEFAULT]
        return text.format(**values) if values else text

    return translate


def format_number(value: float | int | None, lang: str, decimals: int = 0) -> str:
    """1,234.5 in English, 1.234,5 in Spanish."""
    if value is None or value != value:
        return "—"
    text = f"{value:,.{decimals}f}"
    if lang == "es":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def format_metric(value: float | int | None, lang: str) -> str:
    """Whole numbers plainly, large ones with one decimal, small ones with three (0.123, 12.4, 8)."""
    if value is None or value != value:
        return "—"
    if float(value).is_integer():
        return format_number(value, lang, 0)
    return format_number(value, lang, 1 if abs(value) >= 100 else 3)


def format_when(value: datetime | None, lang: str) -> str:
    if value is None:
        return "—"
    return value.strftime("%d/%m/%Y %H:%M" if lang == "es" else "%Y-%m-%d %H:%M")
