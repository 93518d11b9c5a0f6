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
    "nav.insights": {"en": "Insights", "es": "Análisis"},
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
    "login.too_many": {
        "en": "Too many failed sign-ins from here or for this account. Try again in {seconds} s.",
        "es": "Demasiados intentos fallidos desde aquí o para esta cuenta. Vuelve a intentarlo en {seconds} s.",
    },
    "login.insecure_secret": {
        "en": "Sign-in is off: this server signs sessions with a publicly known key. The operator must set "
        "TENDERO_SECRET_KEY to a private value (or unset it) and restart.",
        "es": "El inicio de sesión está desactivado: este servidor firma las sesiones con una clave conocida. "
        "Quien lo administra debe poner en TENDERO_SECRET_KEY un valor privado (o quitarla) y reiniciar.",
    },
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
    "health.backtest_wape": {"en": "average error", "es": "error medio"},
    "health.backtest_mase": {
        "en": "MASE (under 1 beats a naive forecast)",
        "es": "MASE (bajo 1 mejora la previsión ingenua)",
    },
    "health.backtest_coverage_80": {"en": "actuals inside the 80 % range", "es": "reales dentro del rango del 80 %"},
    "health.customers": {"en": "customers", "es": "clientes"},
    "health.churn_auc": {"en": "churn ranking (AUC)", "es": "acierto en abandono (AUC)"},
    "health.ndcg@10": {"en": "ranking quality (NDCG@10)", "es": "calidad del ranking (NDCG@10)"},
    "health.popularity_ndcg@10": {"en": "popular items alone", "es": "solo los más populares"},
    "health.coverage": {"en": "catalogue recommended", "es": "catálogo recomendado"},
    "health.accuracy": {"en": "accuracy", "es": "exactitud"},
    "health.f1": {"en": "F1", "es": "F1"},
    "health.roc_auc": {"en": "ROC-AUC", "es": "ROC-AUC"},
    "health.r2": {"en": "R²", "es": "R²"},
    "health.rmse": {"en": "RMSE", "es": "RMSE"},
    "health.silhouette": {"en": "silhouette", "es": "silueta"},
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
    # forecast
    "nav.forecast": {"en": "Forecast", "es": "Previsión"},
    "nav.customers": {"en": "Customers", "es": "Clientes"},
    "nav.recommendations": {"en": "Recommendations", "es": "Recomendaciones"},
    # experiments
    "nav.experiments": {"en": "Experiments", "es": "Experimentos"},
    "experiments.title": {"en": "Experiments", "es": "Experimentos"},
    "experiments.none": {
        "en": "No experiments yet. Start one from the API (POST /v1/experiments) or the command line:",
        "es": "Aún no hay experimentos. Empieza uno desde la API (POST /v1/experiments) o la línea de comandos:",
    },
    "experiments.name": {"en": "Experiment", "es": "Experimento"},
    "experiments.status": {"en": "Status", "es": "Estado"},
    "experiments.status.running": {"en": "running", "es": "en marcha"},
    "experiments.status.stopped": {"en": "stopped", "es": "terminado"},
    "experiments.unit": {"en": "Unit", "es": "Unidad"},
    "experiments.unit.customer": {"en": "customer", "es": "cliente"},
    "experiments.unit.session": {"en": "session", "es": "sesión"},
    "experiments.unit.request": {"en": "request", "es": "petición"},
    "experiments.variants": {"en": "Variants", "es": "Variantes"},
    "experiments.started": {"en": "Started", "es": "Inicio"},
    "experiments.winner": {"en": "Winner", "es": "Ganadora"},
    "experiments.verdict": {"en": "Verdict", "es": "Veredicto"},
    "experiments.no_events": {"en": "No units or outcomes yet.", "es": "Aún no hay unidades ni resultados."},
    "experiments.sequential_note": {
        "en": "Always-valid 95 % intervals: you may look every day and stop whenever the verdict is clear.",
        "es": "Intervalos del 95 % siempre válidos: puedes mirar cada día y parar en cuanto el veredicto sea claro.",
    },
    "experiments.fixed_note": {
        "en": "Fixed-horizon 95 % intervals: read them once, at the planned end.",
        "es": "Intervalos del 95 % de horizonte fijo: léelos una vez, al final previsto.",
    },
    "experiments.srm_warning": {
        "en": "The split of units does not match the weights (p = {p}): check the assignment before trusting it.",
        "es": "El reparto de unidades no coincide con los pesos (p = {p}): revisa la asignación antes de fiarte.",
    },
    "experiments.effect_over_time": {"en": "Effect over time", "es": "Efecto a lo largo del tiempo"},
    "experiments.effect": {"en": "Effect", "es": "Efecto"},
    "experiments.interval": {"en": "95 % interval", "es": "Intervalo del 95 %"},
    "experiments.interval_fixed": {"en": "95 % interval (fixed)", "es": "Intervalo del 95 % (fijo)"},
    "experiments.interval_sequential": {
        "en": "95 % interval (always valid)",
        "es": "Intervalo del 95 % (siempre válido)",
    },
    "experiments.metric": {"en": "Metric", "es": "Métrica"},
    "experiments.variant": {"en": "Variant", "es": "Variante"},
    "experiments.units": {"en": "units", "es": "unidades"},
    "experiments.mean": {"en": "Mean", "es": "Media"},
    "experiments.control": {"en": "control", "es": "control"},
    "experiments.decision": {"en": "Decision", "es": "Decisión"},
    "experiments.decision.better": {"en": "better", "es": "mejor"},
    "experiments.decision.worse": {"en": "worse", "es": "peor"},
    "experiments.decision.inconclusive": {"en": "no evidence yet", "es": "sin evidencia aún"},
    "experiments.decision.not_enough_data": {"en": "not enough data", "es": "faltan datos"},
    "experiments.role.primary": {"en": "primary", "es": "principal"},
    "experiments.role.guardrail": {"en": "guardrail", "es": "de control"},
    "experiments.role.secondary": {"en": "secondary", "es": "secundaria"},
    "forecast.title": {"en": "Forecast", "es": "Previsión de ventas"},
    "forecast.level": {"en": "Level", "es": "Nivel"},
    "forecast.level.total": {"en": "whole shop", "es": "toda la tienda"},
    "forecast.level.category": {"en": "by category", "es": "por categoría"},
    "forecast.level.product": {"en": "by product", "es": "por producto"},
    "forecast.freq": {"en": "Period", "es": "Periodo"},
    "forecast.freq.D": {"en": "daily", "es": "diaria"},
    "forecast.freq.W": {"en": "weekly", "es": "semanal"},
    "forecast.freq.M": {"en": "monthly", "es": "mensual"},
    "forecast.periods.D": {"en": "days", "es": "días"},
    "forecast.periods.W": {"en": "weeks", "es": "semanas"},
    "forecast.periods.M": {"en": "months", "es": "meses"},
    "forecast.period.D": {"en": "day", "es": "día"},
    "forecast.period.W": {"en": "week", "es": "semana"},
    "forecast.period.M": {"en": "month", "es": "mes"},
    "forecast.series": {"en": "Series", "es": "Serie"},
    "forecast.all": {"en": "All together", "es": "Todo junto"},
    "forecast.horizon": {"en": "Ahead", "es": "Horizonte"},
    "forecast.show": {"en": "Show", "es": "Mostrar"},
    "forecast.deployed": {"en": "Forecasts ready:", "es": "Previsiones listas:"},
    "forecast.history": {"en": "Sold", "es": "Vendido"},
    "forecast.forecast": {"en": "Forecast", "es": "Previsión"},
    "forecast.band": {"en": "{level} % range", "es": "Rango del {level} %"},
    "forecast.bands_note": {
        "en": "The shaded ranges aim to hold the real figure 8 and 19 times in 20, sized from the errors of past"
        " tests; how often they did is measured below.",
        "es": "Las zonas sombreadas buscan contener la cifra real 8 y 19 de cada 20 veces, según los errores de"
        " las pruebas con el pasado; abajo se mide cuántas veces lo lograron.",
    },
    "forecast.accuracy": {"en": "How good is it?", "es": "¿Cuánto acierta?"},
    "forecast.accuracy_overall": {
        "en": "In the tests on past data, the average error was {pct} %.",
        "es": "En las pruebas con datos pasados, el error medio fue del {pct} %.",
    },
    "forecast.accuracy_series": {
        "en": "For this series it was off by {mae} {unit} per {period} on average.",
        "es": "Para esta serie se desvió de media {mae} {unit} por {period}.",
    },
    "forecast.beats_naive": {
        "en": "That is better than simply repeating last season.",
        "es": "Eso es mejor que repetir sin más la temporada anterior.",
    },
    "forecast.not_beats_naive": {
        "en": "That is no better than repeating last season: treat it with care.",
        "es": "No mejora a repetir la temporada anterior: tómala con cautela.",
    },
    "forecast.engine_for_series": {"en": "Method chosen: {engine}.", "es": "Método elegido: {engine}."},
    "forecast.coverage": {
        "en": "The {level} % range held the real figure {pct} % of the time.",
        "es": "El rango del {level} % contuvo la cifra real el {pct} % de las veces.",
    },
    "forecast.next": {"en": "Coming periods", "es": "Próximos periodos"},
    "forecast.when": {"en": "Period", "es": "Periodo"},
    "forecast.unit.quantity": {"en": "units", "es": "unidades"},
    "forecast.unit.revenue": {"en": "of revenue", "es": "de ventas"},
    "forecast.engines": {"en": "Method chosen per series", "es": "Método elegido por serie"},
    "forecast.group": {"en": "Pattern", "es": "Patrón"},
    "forecast.engine": {"en": "Method", "es": "Método"},
    "forecast.mae": {"en": "Average error", "es": "Error medio"},
    "forecast.mase_note": {
        "en": "MASE below 1: better than repeating last season. Each method was chosen by backtests on your history.",
        "es": "MASE por debajo de 1: mejor que repetir la temporada anterior. Cada método se eligió probándolo "
        "sobre tu historial.",
    },
    "forecast.no_model": {
        "en": "No forecast at this level and period yet ({model}). Training one takes about a minute.",
        "es": "Aún no hay previsión a este nivel y periodo ({model}). Entrenarla tarda alrededor de un minuto.",
    },
    "forecast.train": {"en": "Train {model}", "es": "Entrenar {model}"},
    "overview.next_forecast": {"en": "Next month's forecast", "es": "Previsión del próximo mes"},
    "overview.forecast_line": {
        "en": "{period}: about {value} {unit} (80 % range {lo}–{hi}).",
        "es": "{period}: unas {value} {unit} (rango del 80 %: {lo}–{hi}).",
    },
    "overview.no_forecast": {
        "en": "No monthly forecast yet: train it to see next month's sales by category.",
        "es": "Aún no hay previsión mensual: entrénala para ver las ventas del próximo mes por categoría.",
    },
    "overview.at_risk": {"en": "Customers at risk", "es": "Clientes en riesgo"},
    "overview.no_customers_model": {
        "en": "No customer model yet: train it to see who is about to leave and how much they are worth.",
        "es": "Aún no hay modelo de clientes: entrénalo para ver quién está a punto de irse y cuánto vale.",
    },
    "overview.see_all": {"en": "See all", "es": "Ver todo"},
    # customers
    "customers.title": {"en": "Customers", "es": "Clientes"},
    "customers.segments": {"en": "Customers per segment", "es": "Clientes por segmento"},
    "customers.segment_table": {"en": "Segments", "es": "Segmentos"},
    "customers.segment": {"en": "Segment", "es": "Segmento"},
    "customers.revenue_share": {"en": "Share of sales", "es": "Parte de las ventas"},
    "customers.recency": {"en": "Days since last purchase", "es": "Días desde la última compra"},
    "customers.orders": {"en": "Orders", "es": "Pedidos"},
    "customers.spend": {"en": "Average spend", "es": "Gasto medio"},
    "customers.action": {"en": "What to do", "es": "Qué hacer"},
    "customers.at_risk": {"en": "At risk, by value", "es": "En riesgo, por valor"},
    "customers.at_risk_note": {
        "en": "Value at risk = chance of leaving × what they would spend if they stay.",
        "es": "Valor en riesgo = probabilidad de irse × lo que gastaría si se queda.",
    },
    "customers.churn": {"en": "leaving", "es": "abandono"},
    "customers.likely_buyers": {"en": "Likely to buy this week", "es": "Probables compradores esta semana"},
    "customers.p_purchase": {"en": "Chance of buying", "es": "Probabilidad de compra"},
    "customers.expected_week": {"en": "Expected purchases", "es": "Compras esperadas"},
    "customers.customer": {"en": "Customer", "es": "Cliente"},
    "customers.last_purchase": {"en": "Last purchase", "es": "Última compra"},
    "customers.no_model": {
        "en": "No customer model yet. Training it (about a minute) finds segments, who is at risk and who will buy.",
        "es": "Aún no hay modelo de clientes. Entrenarlo (alrededor de un minuto) encuentra segmentos, quién está "
        "en riesgo y quién comprará.",
    },
    "customers.no_model_short": {"en": "no customer model is deployed", "es": "no hay modelo de clientes desplegado"},
    "customers.train": {"en": "Train the customer model", "es": "Entrenar el modelo de clientes"},
    "customers.churn_probability": {"en": "Chance of leaving", "es": "Probabilidad de abandono"},
    "customers.window": {"en": "in the next {days} days", "es": "en los próximos {days} días"},
    "customers.p_alive": {"en": "Still a customer", "es": "Sigue siendo cliente"},
    "customers.expected": {"en": "Purchases in 30 · 90 days", "es": "Compras en 30 · 90 días"},
    "customers.expected_note": {"en": "expected", "es": "esperadas"},
    "customers.clv": {"en": "Lifetime value", "es": "Valor de vida (CLV)"},
    "customers.value_at_risk": {"en": "value at risk", "es": "valor en riesgo"},
    "customers.reasons": {"en": "Why", "es": "Por qué"},
    "customers.what_to_offer": {"en": "What to offer them", "es": "Qué ofrecerle"},
    "customers.spend_by_month": {"en": "Spend per month", "es": "Gasto por mes"},
    "customers.model_note": {
        "en": "Churn model: {churn}; purchase model: {btyd}; version {version}.",
        "es": "Modelo de abandono: {churn}; modelo de compras: {btyd}; versión {version}.",
    },
    # recommendations
    "recs.title": {"en": "Recommendations", "es": "Recomendaciones"},
    "recs.customer": {"en": "Customer", "es": "Cliente"},
    "recs.show": {"en": "Show", "es": "Mostrar"},
    "recs.most_active": {"en": "Most active:", "es": "Más activos:"},
    "recs.for": {"en": "What to offer {user}", "es": "Qué ofrecer a {user}"},
    "recs.product": {"en": "Product", "es": "Producto"},
    "recs.reason": {"en": "Why", "es": "Por qué"},
    "recs.source": {"en": "Source", "es": "Origen"},
    "recs.score": {"en": "Score", "es": "Puntuación"},
    "recs.source.hybrid": {"en": "model", "es": "modelo"},
    "recs.source.fold_in": {"en": "model (recent)", "es": "modelo (reciente)"},
    "recs.source.popular": {"en": "popular", "es": "popular"},
    "recs.source.rules": {"en": "rules", "es": "reglas"},
    "recs.source.collaborative": {"en": "similar customers", "es": "clientes parecidos"},
    "recs.source.content": {"en": "similar description", "es": "descripción parecida"},
    "recs.source.bought_together": {"en": "bought together", "es": "comprados juntos"},
    "recs.history": {"en": "Bought lately", "es": "Compras recientes"},
    "recs.no_history": {
        "en": "No purchases yet: popular products are shown.",
        "es": "Aún sin compras: se muestran los productos populares.",
    },
    "recs.nothing": {"en": "Nothing to show.", "es": "Nada que mostrar."},
    "recs.similar_to": {"en": "Like {name}", "es": "Parecidos a {name}"},
    "recs.similar": {"en": "Similar products", "es": "Productos parecidos"},
    "recs.together": {"en": "Often bought together", "es": "Se compran juntos"},
    "recs.rules": {"en": "rules (no trained model)", "es": "reglas (sin modelo entrenado)"},
    "recs.no_model": {
        "en": "These come from simple rules (same category, popular). A trained recommender learns from every "
        "customer's purchases and usually does much better.",
        "es": "Estas salen de reglas simples (misma categoría, populares). Un recomendador entrenado aprende de las "
        "compras de todos los clientes y suele acertar mucho más.",
    },
    "recs.train": {"en": "Train the recommender", "es": "Entrenar el recomendador"},
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
    "models.queued_not_deployed": {
        "en": "Training queued: follow it below. The new version will not go live until an admin deploys it.",
        "es": "Entrenamiento en cola: síguelo abajo. La nueva versión no se usará hasta que un administrador la "
        "despliegue.",
    },
    "models.deploy_note": {
        "en": "New versions are kept ready; an admin decides which one goes live.",
        "es": "Las versiones nuevas quedan listas; un administrador decide cuál se usa.",
    },
    "models.deploy_admin_only": {
        "en": "Only an admin can put a version live. Train without deploying, and ask an admin to deploy it.",
        "es": "Solo un administrador puede poner en uso una versión. Entrena sin desplegar y pide a un "
        "administrador que la despliegue.",
    },
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
    "settings.last_admin": {
        "en": "Key {prefix} is the shop's last active admin key: without it nobody could manage keys. Create another "
        "admin key first.",
        "es": "La clave {prefix} es la última clave de administrador activa de la tienda: sin ella nadie podría "
        "gestionar claves. Crea antes otra clave de administrador.",
    },
    "settings.shown_once": {
        "en": "Copy this key now: it is shown only once and cannot be recovered.",
        "es": "Copia esta clave ahora: solo se muestra una vez y no se puede recuperar.",
    },
    "common.never": {"en": "never", "es": "nunca"},
    # insights
    "insights.title": {"en": "Sales analysis", "es": "Análisis de ventas"},
    "insights.run": {"en": "Analyse a period", "es": "Analizar un periodo"},
    "insights.period": {"en": "Period", "es": "Periodo"},
    "insights.compare_to": {"en": "Compared with", "es": "Comparado con"},
    "insights.previous": {"en": "the previous period", "es": "el periodo anterior"},
    "insights.currency": {"en": "Currency", "es": "Moneda"},
    "insights.analyse": {"en": "Analyse", "es": "Analizar"},
    "insights.period_help": {
        "en": "2026-11 (a month), 2026-Q4, 2026-W45, 2026, or 2026-11-01..2026-11-15.",
        "es": "2026-11 (un mes), 2026-Q4, 2026-W45, 2026, o 2026-11-01..2026-11-15.",
    },
    "insights.none": {"en": "No analyses yet.", "es": "Aún no hay análisis."},
    "insights.headline": {"en": "Headline", "es": "Titular"},
    "insights.created": {"en": "Made", "es": "Hecho"},
    "insights.partial": {"en": "partial", "es": "incompleto"},
    "insights.compared_with": {"en": "compared with {label}", "es": "comparado con {label}"},
    "insights.found": {"en": "What we found", "es": "Lo que hemos encontrado"},
    "insights.movers": {"en": "Products behind the change", "es": "Productos que explican el cambio"},
    "insights.product": {"en": "Product", "es": "Producto"},
    "insights.change": {"en": "Change", "es": "Cambio"},
    "insights.share": {"en": "Share of change", "es": "Parte del cambio"},
    "insights.anomalies": {"en": "Days out of the ordinary", "es": "Días fuera de lo normal"},
    "insights.anomalies_method.forecast": {
        "en": "Judged against the deployed forecast's interval.",
        "es": "Comparados con el intervalo de la previsión desplegada.",
    },
    "insights.anomalies_method.robust": {
        "en": "Judged against the median and MAD of the same weekday in the weeks before.",
        "es": "Comparados con la mediana y la MAD del mismo día de la semana en las semanas anteriores.",
    },
    "insights.no_anomalies": {
        "en": "None: every day was within its normal range.",
        "es": "Ninguno: cada día estuvo en su rango normal.",
    },
    "insights.date": {"en": "Date", "es": "Fecha"},
    "insights.actual": {"en": "Actual", "es": "Real"},
    "insights.expected": {"en": "Expected", "es": "Esperado"},
    "insights.impact": {"en": "Impact", "es": "Impacto"},
    "insights.kpi.revenue": {"en": "Net sales", "es": "Ventas netas"},
    "insights.kpi.orders": {"en": "Orders", "es": "Pedidos"},
    "insights.kpi.customers": {"en": "Customers", "es": "Clientes"},
    "insights.kpi.average_ticket": {"en": "Average ticket", "es": "Ticket medio"},
    "insights.kpi.units": {"en": "Units", "es": "Unidades"},
    "insights.kpi.new_customers": {"en": "New customers", "es": "Clientes nuevos"},
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
    "error.unstorable": {
        "en": "Invalid input: the text contains a character that cannot be stored (NUL or a broken Unicode "
        "character), or a number is too large.",
        "es": "Datos no válidos: el texto contiene un carácter que no se puede guardar (NUL o un carácter Unicode "
        "roto), o un número es demasiado grande.",
    },
    "error.home": {"en": "Back to the dashboard", "es": "Volver al panel"},
    # product search (the header's box and its page)
    "search.label": {"en": "Search products", "es": "Buscar productos"},
    "search.placeholder": {"en": "Search products…", "es": "Buscar productos…"},
    "nav.assistant": {"en": "Assistant", "es": "Asistente"},
    "assistant.title": {"en": "Assistant", "es": "Asistente"},
    "assistant.new": {"en": "New conversation", "es": "Nueva conversación"},
    "assistant.question": {"en": "Your question", "es": "Tu pregunta"},
    "assistant.ask": {"en": "Ask", "es": "Preguntar"},
    "assistant.try": {"en": "For example:", "es": "Por ejemplo:"},
    "assistant.meta": {"en": "{intent} · {ms} ms", "es": "{intent} · {ms} ms"},
    "assistant.by_llm": {"en": "read by the language model", "es": "leída por el modelo de lenguaje"},
    "assistant.sources": {"en": "Figures and their sources", "es": "Cifras y de dónde salen"},
    "assistant.conversations": {"en": "Conversations", "es": "Conversaciones"},
    "assistant.first_question": {"en": "First question", "es": "Primera pregunta"},
    "assistant.questions": {"en": "Questions", "es": "Preguntas"},
    "assistant.updated": {"en": "Last", "es": "Última"},
    "assistant.filter": {"en": "Filter", "es": "Filtrar"},
    "assistant.none": {"en": "No conversations yet.", "es": "Aún no hay conversaciones."},
    "assistant.type": {"en": "Type", "es": "Tipo"},
    "assistant.type.any": {"en": "Any", "es": "Cualquiera"},
    "assistant.type.GENERAL_QUERY": {"en": "General", "es": "General"},
    "assistant.type.SALES_ANALYSIS": {"en": "Sales analysis", "es": "Análisis de ventas"},
    "assistant.type.PRODUCT_SUGGESTION": {"en": "Product suggestions", "es": "Sugerencias de productos"},
    "assistant.type.CUSTOMER_INSIGHT": {"en": "Customers", "es": "Clientes"},
    "search.title": {"en": "Search", "es": "Búsqueda"},
    "search.button": {"en": "Search", "es": "Buscar"},
    "search.results": {"en": "{total} results for “{query}”", "es": "{total} resultados para «{query}»"},
    "search.none": {"en": "No product matches “{query}”.", "es": "Ningún producto coincide con «{query}»."},
    "search.no_terms": {
        "en": "The query has no words to search for (only stop words or symbols).",
        "es": "La búsqueda no tiene palabras que buscar (solo palabras vacías o símbolos).",
    },
    "search.building": {
        "en": "The semantic index is being built: only words are searched for now.",
        "es": "El índice semántico se está construyendo: por ahora solo se buscan palabras.",
    },
    "search.too_long": {
        "en": "The query is too long (at most 500 characters).",
        "es": "La búsqueda es demasiado larga (500 caracteres como máximo).",
    },
    "search.product": {"en": "Product", "es": "Producto"},
    "search.category": {"en": "Category", "es": "Categoría"},
    "search.price": {"en": "Price", "es": "Precio"},
    "search.score": {"en": "Score", "es": "Puntuación"},
    "search.matched": {"en": "Matched on", "es": "Coincide en"},
    "search.matched.name": {"en": "name", "es": "nombre"},
    "search.matched.brand": {"en": "brand", "es": "marca"},
    "search.matched.category": {"en": "category", "es": "categoría"},
    "search.matched.description": {"en": "description", "es": "descripción"},
    "search.matched.attributes": {"en": "attributes", "es": "atributos"},
    "search.matched.meaning": {"en": "meaning", "es": "significado"},
    # automation: schedules, channels, deliveries
    "nav.schedules": {"en": "Automation", "es": "Automatización"},
    "schedules.title": {"en": "Automation", "es": "Automatización"},
    "schedules.none": {
        "en": "No schedules yet: retrain models, send the churn-risk list or the likely buyers on a timetable.",
        "es": "Aún no hay programaciones: reentrena modelos o envía la lista de riesgo de abandono o los "
        "compradores probables según un calendario.",
    },
    "schedules.name": {"en": "Name", "es": "Nombre"},
    "schedules.action": {"en": "Action", "es": "Acción"},
    "schedules.action.retrain": {"en": "retrain (champion/challenger)", "es": "reentrenar (champion/challenger)"},
    "schedules.action.churn_risk": {"en": "churn-risk list", "es": "lista de riesgo de abandono"},
    "schedules.action.likely_buyers": {"en": "likely buyers", "es": "compradores probables"},
    "schedules.action.drift_check": {"en": "drift check", "es": "control de deriva"},
    "schedules.action.sales_analysis": {"en": "sales analysis", "es": "análisis de ventas"},
    "schedules.when": {"en": "When", "es": "Cuándo"},
    "schedules.next_runs": {"en": "Next runs", "es": "Próximas ejecuciones"},
    "schedules.last_run": {"en": "Last run", "es": "Última ejecución"},
    "schedules.channels": {"en": "Channels", "es": "Canales"},
    "schedules.disabled": {"en": "off", "es": "desactivada"},
    "schedules.times_note": {
        "en": "Next runs in each schedule's own time zone. Each due time runs once, whatever the number of "
        "servers; times missed while tendero was down run once when it is back.",
        "es": "Próximas ejecuciones en la zona horaria de cada programación. Cada hora prevista se ejecuta una "
        "vez, haya los servidores que haya; las perdidas mientras tendero estaba parado se ejecutan una vez "
        "al volver.",
    },
    "schedules.no_channels": {
        "en": "No channels: add a webhook (Slack or JSON) or an email list with tendero channels.",
        "es": "No hay canales: añade un webhook (Slack o JSON) o una lista de correo con tendero channels.",
    },
    "schedules.kind": {"en": "Kind", "es": "Tipo"},
    "schedules.events": {"en": "Events heard", "es": "Eventos que recibe"},
    "schedules.deliveries": {"en": "Recent deliveries", "es": "Envíos recientes"},
    "schedules.no_deliveries": {"en": "Nothing sent yet.", "es": "Aún no se ha enviado nada."},
    "schedules.dead_letter": {"en": "{n} undelivered", "es": "{n} sin entregar"},
    "schedules.event": {"en": "Event", "es": "Evento"},
    "schedules.channel": {"en": "Channel", "es": "Canal"},
    "schedules.status": {"en": "Status", "es": "Estado"},
    "schedules.attempts": {"en": "Attempts", "es": "Intentos"},
    "schedules.when_sent": {"en": "Created", "es": "Creado"},
    "schedules.retention": {
        "en": "Jobs, progress, audit rows and deliveries are kept {days} days.",
        "es": "Los trabajos, el progreso, la auditoría y los envíos se guardan {days} días.",
    },
    "schedules.run_now": {"en": "Run now", "es": "Ejecutar ahora"},
    "schedules.queued": {"en": "Run queued (job {job}).", "es": "Ejecución en cola (trabajo {job})."},
    "schedules.params": {"en": "Settings", "es": "Ajustes"},
    "schedules.history": {"en": "History", "es": "Historial"},
    "schedules.no_runs": {"en": "It has not run yet.", "es": "Aún no se ha ejecutado."},
    "schedules.due": {"en": "Due", "es": "Prevista"},
    "schedules.trigger": {"en": "Trigger", "es": "Origen"},
    "schedules.trigger.cron": {"en": "timetable", "es": "calendario"},
    "schedules.trigger.manual": {"en": "by hand", "es": "a mano"},
    "schedules.trigger.drift": {"en": "drift", "es": "deriva"},
    "schedules.result": {"en": "Result", "es": "Resultado"},
    "schedules.missed": {"en": "+{n} missed", "es": "+{n} perdidas"},
    "schedules.report": {"en": "Report", "es": "Informe"},
    "schedules.no_report": {"en": "No report yet.", "es": "Aún no hay informe."},
    "status.unknown": {"en": "unknown", "es": "desconocido"},
    "delivery.pending": {"en": "pending", "es": "pendiente"},
    "delivery.sending": {"en": "sending", "es": "enviando"},
    "delivery.retrying": {"en": "retrying", "es": "reintentando"},
    "delivery.delivered": {"en": "delivered", "es": "entregado"},
    "delivery.dead": {"en": "undelivered", "es": "no entregado"},
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
