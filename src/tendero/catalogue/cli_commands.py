"""Help texts of the commands and options the ``cli`` module's first list left out (schedules, channels,
deliveries, retention, experiments, insights, sources, search, user, bench ...), in English and Spanish.

Keys are the command's path and, for an option, its first flag or, for an argument, its name in capitals, as in
``tendero.catalogue.cli.CLI_HELP`` (which merges these). ``{algorithms}`` is filled in with the algorithms' names.
"""

from __future__ import annotations

COMMAND_HELP: dict[str, tuple[str, str]] = {
    " --install-completion": (
        "Install completion for the current shell.",
        "Instala el autocompletado para la shell actual.",
    ),
    " --show-completion": (
        "Show completion for the current shell, to copy it or customize the installation.",
        "Muestra el autocompletado de la shell actual, para copiarlo o adaptar la instalación.",
    ),
    "recommend": (
        "Recommendations for a customer (the deployed recommender, or the business rules when none is).",
        "Recomendaciones para un cliente (el recomendador desplegado, o las reglas de negocio si no hay ninguno).",
    ),
    "recommend --user": (
        "the customer id exactly as your data writes it",
        "el id del cliente tal como lo escriben tus datos",
    ),
    "recommend --k": ("how many items", "cuántos artículos"),
    "search QUERY": ("what to search for", "lo que se busca"),
    "search --category": ("only this category", "solo esta categoría"),
    "search --reindex": ("embed new and changed products now", "indexa ahora los productos nuevos y cambiados"),
    "search --rebuild": ("re-embed every product now", "vuelve a indexar ahora todos los productos"),
    "ask QUESTION": ("the question, in Spanish or English", "la pregunta, en español o en inglés"),
    "ask --conversation": ("continue this conversation", "continúa esta conversación"),
    "ask --type": ("SALES_ANALYSIS, CUSTOMER_INSIGHT, ...", "SALES_ANALYSIS, CUSTOMER_INSIGHT, ..."),
    "ask --today": (
        "count 'last month' from this date (YYYY-MM-DD)",
        "cuenta «el mes pasado» desde esta fecha (AAAA-MM-DD)",
    ),
    "serve --host": ("default from TENDERO_HOST (127.0.0.1)", "por defecto, TENDERO_HOST (127.0.0.1)"),
    "serve --port": ("default from TENDERO_PORT (8000)", "por defecto, TENDERO_PORT (8000)"),
    "serve --jobs": (
        "run queued jobs in this process (embedded runner)",
        "ejecuta los trabajos en cola en este proceso (ejecutor integrado)",
    ),
    "demo --port": ("default from TENDERO_PORT (8000)", "por defecto, TENDERO_PORT (8000)"),
    "demo --seed": ("seed of the generated demo store", "semilla de la tienda de demostración generada"),
    "demo --serve": ("serve after setting up", "servir después de prepararla"),
    "db upgrade": (
        "Apply database migrations (also done on every start).",
        "Aplica las migraciones de la base de datos (también se hace en cada arranque).",
    ),
    "tenant settings": (
        "Show the tenant's currency and non-product rule (with every item it leaves out and why), or change them.",
        "Muestra la moneda del negocio y su regla de no-productos (con cada artículo que deja fuera y por qué), o "
        "las cambia.",
    ),
    "tenant settings --currency": (
        "ISO 4217 code of every money figure (EUR, USD, MXN...)",
        "código ISO 4217 de todas las cifras de dinero (EUR, USD, MXN...)",
    ),
    "tenant settings --exclude-non-products": (
        "leave postage, fees, discounts... out of recommendations, product lists and pricing",
        "deja los portes, comisiones, descuentos... fuera de las recomendaciones, las listas de productos y los "
        "precios",
    ),
    "tenant settings --mark-non-product": (
        "an item id to treat as a non-product",
        "id de un artículo que se trata como no-producto",
    ),
    "tenant settings --mark-product": (
        "an item id to treat as a product",
        "id de un artículo que se trata como producto",
    ),
    "tenant settings --clear-mark": (
        "an item id to leave to the flags again",
        "id de un artículo que vuelve a depender de las marcas automáticas",
    ),
    "tenant settings --lang": ("es or en", "es o en"),
    "key create --name": ("what the key is for", "para qué es la clave"),
    "key revoke PREFIX": ("the key's prefix or id", "el prefijo o el id de la clave"),
    "user create": (
        "Create a dashboard user (the password is asked for, never echoed).",
        "Crea un usuario del panel (la contraseña se pide y nunca se muestra).",
    ),
    "user create --role": ("admin, analyst or service", "admin, analyst o service"),
    "user create --password": ("the user's password (asked for when not given)", "la contraseña (se pide si no se da)"),
    "data generate": (
        "Write the generated demo store as CSV files (customers, products, orders, order_items, interactions).",
        "Escribe la tienda de demostración generada como ficheros CSV (customers, products, orders, order_items, "
        "interactions).",
    ),
    "data generate --out": ("folder for the CSV files", "carpeta para los ficheros CSV"),
    "data generate --seed": ("seed of the generated store", "semilla de la tienda generada"),
    "data generate --customers": ("how many customers", "cuántos clientes"),
    "data generate --days": ("days of history", "días de historial"),
    "customers show": (
        "One customer: segment, R/F/M, churn probability, expected purchases, CLV and the top reasons.",
        "Un cliente: segmento, R/F/M, probabilidad de abandono, compras esperadas, CLV y los motivos principales.",
    ),
    "customers show CUSTOMER_ID": (
        "the customer id exactly as your data writes it",
        "el id del cliente tal como lo escriben tus datos",
    ),
    "sources add": (
        "Store a source for one tenant; the URL is checked (dialect, not tendero's own database), never shown.",
        "Guarda una fuente para un negocio; la URL se comprueba (dialecto, que no sea la base de datos de tendero) "
        "y nunca se muestra.",
    ),
    "sources add NAME": (
        "the name requests use (sql_source=NAME)",
        "el nombre que usan las peticiones (sql_source=NOMBRE)",
    ),
    "sources add URL": (
        "a SQLite or PostgreSQL URL; - reads it from standard input",
        "una URL SQLite o PostgreSQL; - la lee de la entrada estándar",
    ),
    "sources list": (
        "Sources, where they come from and whom they are open to; URLs with the password hidden.",
        "Las fuentes, de dónde vienen y a quién están abiertas; las URL con la contraseña oculta.",
    ),
    "sources remove": (
        "Remove a stored source (sources from TENDERO_SQL_SOURCES are removed from the settings).",
        "Quita una fuente guardada (las de TENDERO_SQL_SOURCES se quitan de la configuración).",
    ),
    "train tabular --algorithm": (
        "one of: {algorithms} (tendero train algorithms: each one's hyperparameters)",
        "uno de: {algorithms} (tendero train algorithms: los hiperparámetros de cada uno)",
    ),
    # ---- experiments --------------------------------------------------------------------------------------
    "experiments create": (
        "Start an experiment from a spec file, or from --name, --variant and --metric.",
        "Empieza un experimento desde un fichero de especificación, o con --name, --variant y --metric.",
    ),
    "experiments create SPEC": (
        "a JSON file with the body of POST /v1/experiments",
        "un fichero JSON con el cuerpo de POST /v1/experiments",
    ),
    "experiments create --name": (
        "experiment name (without a spec file)",
        "nombre del experimento (sin fichero de especificación)",
    ),
    "experiments create --variant": ("KEY=WEIGHT; the first is the control", "CLAVE=PESO; la primera es el control"),
    "experiments create --metric": (
        "primary: name[:mean|proportion|ratio[:event]]",
        "principal: nombre[:mean|proportion|ratio[:evento]]",
    ),
    "experiments create --guardrail": ("guardrail metric, same form", "métrica de salvaguarda, con la misma forma"),
    "experiments create --unit": ("customer, session or request", "customer, session o request"),
    "experiments create --covariate": (
        "pre-period covariate event name (CUPED)",
        "nombre del evento covariable del periodo previo (CUPED)",
    ),
    "experiments list": (
        "The tenant's experiments, newest first.",
        "Los experimentos del negocio, los más nuevos primero.",
    ),
    "experiments show": (
        "Results per metric (effects, intervals, p-values, CUPED, SRM) and the verdict in words.",
        "Resultados por métrica (efectos, intervalos, valores p, CUPED, SRM) y el veredicto en palabras.",
    ),
    "experiments assign": (
        "The unit's variant (recorded on first call, the same ever after).",
        "La variante de la unidad (se registra la primera vez y es siempre la misma después).",
    ),
    "experiments events": (
        "Load events from a file, 10,000 at a time; rejected ones are listed with their row and reason.",
        "Carga eventos desde un fichero, de 10.000 en 10.000; los rechazados se listan con su fila y su motivo.",
    ),
    "experiments events FILE": (
        "events as JSON lines, a JSON array, or CSV with the same fields",
        "eventos en JSON lines, un array JSON o CSV con los mismos campos",
    ),
    "experiments weights": (
        "New weights for units not yet assigned (those assigned keep their variant).",
        "Pesos nuevos para las unidades aún no asignadas (las asignadas conservan su variante).",
    ),
    "experiments weights WEIGHT": ("KEY=WEIGHT", "CLAVE=PESO"),
    "experiments stop": (
        "End the experiment and keep its final results.",
        "Termina el experimento y conserva sus resultados finales.",
    ),
    "experiments promote": (
        "Model experiments: stop and deploy the winner's model version (or --variant's).",
        "Experimentos de modelos: lo detiene y despliega la versión del modelo ganador (o la de --variant).",
    ),
    # ---- schedules, channels, deliveries, retention -------------------------------------------------------
    "schedules list": (
        "Schedules with their next run and the last run's state.",
        "Las programaciones con su próxima ejecución y el estado de la última.",
    ),
    "schedules create": (
        "Create a schedule; prints its next five runs.",
        "Crea una programación; imprime sus cinco próximas ejecuciones.",
    ),
    "schedules create NAME": ("a name for the schedule", "un nombre para la programación"),
    "schedules create --action": (
        "retrain, churn_risk, likely_buyers, drift_check or sales_analysis",
        "retrain, churn_risk, likely_buyers, drift_check o sales_analysis",
    ),
    "schedules create --cron": (
        "5 fields, e.g. '0 8 * * 1' (Mondays 08:00), or @daily",
        "5 campos, p. ej. '0 8 * * 1' (lunes a las 08:00), o @daily",
    ),
    "schedules create --timezone": ("IANA time zone, e.g. Europe/Madrid", "zona horaria IANA, p. ej. Europe/Madrid"),
    "schedules create --param": (
        "KEY=VALUE (JSON values allowed), repeatable",
        "CLAVE=VALOR (se admiten valores JSON), se puede repetir",
    ),
    "schedules create --channel": ("channel id or name, repeatable", "id o nombre de un canal, se puede repetir"),
    "schedules create --disabled": ("create it switched off", "créala desactivada"),
    "schedules show": (
        "A schedule, its next runs and its recent runs.",
        "Una programación, sus próximas ejecuciones y las recientes.",
    ),
    "schedules update": (
        "Change the time, the params (merged into the current ones) or switch it on/off.",
        "Cambia la hora, los parámetros (se combinan con los actuales) o la activa o desactiva.",
    ),
    "schedules update --param": (
        "KEY=VALUE (JSON values allowed), repeatable",
        "CLAVE=VALOR (se admiten valores JSON), se puede repetir",
    ),
    "schedules delete": (
        "Delete a schedule (its past runs are kept).",
        "Borra una programación (sus ejecuciones pasadas se conservan).",
    ),
    "schedules run": (
        "Run a schedule now; with --follow (the default) it runs in this process and prints its report.",
        "Ejecuta ahora una programación; con --follow (por defecto) se ejecuta en este proceso e imprime su informe.",
    ),
    "schedules run --follow": ("run it here and wait for it", "ejecútala aquí y espera a que termine"),
    "schedules report": (
        "A run's report (Markdown; --json for the JSON).",
        "El informe de una ejecución (Markdown; --json para el JSON).",
    ),
    "schedules report RUN": ("the run's id", "el id de la ejecución"),
    "schedules report --output": ("write it to a file", "escríbelo en un fichero"),
    "channels list": ("The tenant's channels.", "Los canales del negocio."),
    "channels add-webhook": (
        "A webhook channel: a Slack incoming webhook or signed JSON.",
        "Un canal webhook: un webhook entrante de Slack o JSON firmado.",
    ),
    "channels add-webhook --url": ("where to POST (kept sealed)", "a dónde se hace el POST (se guarda cifrada)"),
    "channels add-webhook --style": ("slack or json", "slack o json"),
    "channels add-webhook --secret": (
        "HMAC signing secret, 16+ characters (json style)",
        "secreto de firma HMAC, 16 caracteres o más (estilo json)",
    ),
    "channels add-webhook --language": ("es or en", "es o en"),
    "channels add-webhook --event": ("events heard without a schedule", "eventos que recibe sin programación"),
    "channels add-email": (
        "An email channel through the installation's SMTP server (TENDERO_SMTP_*).",
        "Un canal de correo a través del servidor SMTP de la instalación (TENDERO_SMTP_*).",
    ),
    "channels add-email --to": ("recipient, repeatable", "destinatario, se puede repetir"),
    "channels add-email --language": ("es or en", "es o en"),
    "channels add-email --event": ("events heard without a schedule", "eventos que recibe sin programación"),
    "channels test": (
        "Send a test message; follow it with: tendero deliveries show.",
        "Envía un mensaje de prueba; síguelo con: tendero deliveries show.",
    ),
    "channels delete": ("Delete a channel.", "Borra un canal."),
    "deliveries list": ("What was sent, newest first.", "Lo que se envió, lo más nuevo primero."),
    "deliveries list --status": ("dead: the dead-letter list", "dead: la lista de envíos fallidos"),
    "deliveries show": ("One delivery with each attempt.", "Un envío con cada uno de sus intentos."),
    "deliveries replay": (
        "Send a dead-lettered delivery's event to its channel again.",
        "Vuelve a enviar a su canal el evento de un envío fallido.",
    ),
    "retention show": (
        "How many days jobs, audit rows and deliveries are kept.",
        "Cuántos días se conservan los trabajos, las filas de auditoría y los envíos.",
    ),
    "retention set": (
        "Set the days this tenant keeps jobs, audit rows and deliveries.",
        "Fija los días que este negocio conserva los trabajos, las filas de auditoría y los envíos.",
    ),
    "retention run": (
        "Delete what is older than the retention now, in this process.",
        "Borra ahora, en este proceso, lo que es más antiguo que la retención.",
    ),
    # ---- insights -----------------------------------------------------------------------------------------
    "insights sales": (
        "Analyse a period: KPIs, movers, anomalies, concentration, customers, outlook; ranked insights.",
        "Analiza un periodo: KPI, productos que más cambian, anomalías, concentración, clientes, perspectivas; "
        "hallazgos ordenados.",
    ),
    "insights sales --period": (
        "2011-11, 2011-Q4, 2011-W45, 2011 or 2011-11-01..2011-11-15",
        "2011-11, 2011-Q4, 2011-W45, 2011 o 2011-11-01..2011-11-15",
    ),
    "insights sales --compare-to": (
        "default: the previous period of the same shape",
        "por defecto, el periodo anterior de la misma forma",
    ),
    "insights sales --currency": (
        "ISO 4217 code of the shop's prices (default: its setting)",
        "código ISO 4217 de los precios de la tienda (por defecto, el de su configuración)",
    ),
    "insights sales --format": ("md or html: print the whole report", "md o html: imprime el informe entero"),
    "insights sales --no-store": ("do not keep the analysis", "no guarda el análisis"),
    "insights suggestions": (
        "Product suggestions: bundles, rising and falling products, slow movers, cross-sell, seasonal.",
        "Sugerencias de productos: packs, productos que suben y bajan, de venta lenta, venta cruzada, de temporada.",
    ),
    "insights suggestions --type": (
        "all, bundles, trends, slow_movers, cross_sell, seasonal",
        "all, bundles, trends, slow_movers, cross_sell, seasonal",
    ),
    "insights suggestions --as-of": (
        "YYYY-MM-DD; default: the last day with sales",
        "AAAA-MM-DD; por defecto, el último día con ventas",
    ),
    "insights suggestions --currency": (
        "ISO 4217 code (default: the shop's setting)",
        "código ISO 4217 (por defecto, el de la configuración de la tienda)",
    ),
    # ---- bench --------------------------------------------------------------------------------------------
    "bench api": (
        "Load-test the prediction path of a real server on loopback.",
        "Prueba de carga de las predicciones de un servidor real en loopback.",
    ),
    "bench api --rate": (
        "requests per second to offer; 0 = as fast as possible",
        "peticiones por segundo que se ofrecen; 0 = tan rápido como se pueda",
    ),
    "bench api --seconds": ("how long to load", "cuánto dura la carga"),
    "bench api --connections": ("keep-alive connections", "conexiones persistentes (keep-alive)"),
    "bench api --endpoint": (
        "which call to load: baseline or recommendations",
        "qué llamada se carga: baseline o recommendations",
    ),
    "bench eta": (
        "The ETA's error over a real recommender fit on the demo store, staged against equal steps.",
        "El error de la estimación del tiempo restante en un ajuste real del recomendador sobre la tienda de "
        "demostración, por etapas frente a pasos iguales.",
    ),
    "bench eta --seed": (
        "the demo store's seed (tendero demo uses 7)",
        "la semilla de la tienda de demostración (tendero demo usa 7)",
    ),
    "bench import": (
        "Import order lines into a fresh database and time it; pandas_to_sql writes the same rows unvalidated.",
        "Importa líneas de pedido en una base de datos nueva y lo cronometra; pandas_to_sql escribe las mismas filas "
        "sin validar.",
    ),
    "bench import --file": (
        "a CSV of order lines; default: generate --rows of them",
        "un CSV de líneas de pedido; por defecto, se generan --rows líneas",
    ),
    "bench import --rows": ("rows to generate when no --file is given", "filas que se generan si no se da --file"),
    "bench import --database-url": (
        "empty: a fresh SQLite file; or a PostgreSQL URL",
        "vacío: un fichero SQLite nuevo; o una URL PostgreSQL",
    ),
    "bench customers": (
        "Fit on the calibration period and score everything after it.",
        "Ajusta con el periodo de calibración y evalúa todo lo que viene después.",
    ),
    "bench customers --transactions": ("Transactions file", "Fichero de transacciones"),
    "bench customers --calibration-end": (
        "Last day of calibration, YYYY-MM-DD",
        "Último día de la calibración, AAAA-MM-DD",
    ),
    "bench customers --format": ("cdnow or csv (order lines)", "cdnow o csv (líneas de pedido)"),
    "bench customers --published-check": (
        "Print BG/NBD, Pareto/NBD, Gamma-Gamma parameters",
        "Imprime los parámetros BG/NBD, Pareto/NBD y Gamma-Gamma",
    ),
    "bench forecast": (
        "Score tendero's automatic forecaster and the baselines on the last --horizon periods.",
        "Evalúa el pronosticador automático de tendero y las referencias en los últimos --horizon periodos.",
    ),
    "bench forecast --data": (
        "long CSV/Parquet, Walmart/Rossmann/store-item train file or the M5 folder",
        "CSV/Parquet en formato largo, fichero de entrenamiento de Walmart/Rossmann/store-item o la carpeta de M5",
    ),
    "bench forecast --suite": (
        "run every set in ../shared/data/forecast",
        "ejecuta todos los conjuntos de ../shared/data/forecast",
    ),
    "bench forecast --sets": (
        "with --suite, only these (walmart, rossmann, store_item, m5)",
        "con --suite, solo estos (walmart, rossmann, store_item, m5)",
    ),
    "bench forecast --freq": ("D, W or M (the spacing of the series)", "D, W o M (el intervalo de las series)"),
    "bench forecast --horizon": ("periods held out as the test", "periodos reservados como prueba"),
    "bench forecast --windows": (
        "backtest windows for tendero's choice",
        "ventanas de backtest para la elección de tendero",
    ),
    "bench forecast --season": (
        "seasonal period (default: 52 W, 12 M, 7 D)",
        "periodo estacional (por defecto: 52 W, 12 M, 7 D)",
    ),
    "bench forecast --country": ("holidays of this country (ISO code)", "festivos de este país (código ISO)"),
    "bench forecast --only": (
        "run only these methods, e.g. tendero or tendero,seasonal_naive",
        "ejecuta solo estos métodos, p. ej. tendero o tendero,seasonal_naive",
    ),
    "bench forecast --baselines": (
        "comma-separated baselines beside tendero, or 'all' (seasonal_naive, auto_ets, auto_theta, mstl, lightgbm); "
        "auto_ets is left out by default outside --suite (slowest and least accurate on Walmart)",
        "referencias separadas por comas junto a tendero, o 'all' (seasonal_naive, auto_ets, auto_theta, mstl, "
        "lightgbm); auto_ets queda fuera por defecto sin --suite (la más lenta y la menos precisa en Walmart)",
    ),
    "bench forecast --save": (
        "write each method's forecast and tendero's backtest here",
        "escribe aquí el pronóstico de cada método y el backtest de tendero",
    ),
    "bench forecast --test-windows": (
        "rolling test windows of --horizon periods, newest first (default 3 with --suite, else 1)",
        "ventanas de prueba sucesivas de --horizon periodos, la más reciente primero (por defecto 3 con --suite, si "
        "no 1)",
    ),
    "bench forecast --rescore": (
        "fit nothing: score together the forecasts that earlier runs' --save wrote in these folders",
        "no ajusta nada: puntúa juntos los pronósticos que --save de ejecuciones anteriores dejó en estas carpetas",
    ),
    "bench forecast --threads": (
        "cores each method may use (the goals are for 2)",
        "núcleos que puede usar cada método (los objetivos son para 2)",
    ),
    "bench recommend": (
        "Compare recommenders on a ratings file; print ranking metrics, training time and latency.",
        "Compara recomendadores sobre un fichero de valoraciones; imprime métricas de ranking, tiempo de "
        "entrenamiento y latencia.",
    ),
    "bench recommend --ratings": (
        "ratings file (MovieLens u.data or CSV)",
        "fichero de valoraciones (u.data de MovieLens o CSV)",
    ),
    "bench recommend --items": ("item catalogue (u.item or CSV)", "catálogo de artículos (u.item o CSV)"),
    "bench recommend --format": ("movielens | csv", "movielens | csv"),
    "bench recommend --split": ("random | temporal", "random | temporal"),
    "bench recommend --seeds": ("number of random splits", "número de particiones aleatorias"),
    "bench recommend --test-fraction": (
        "share of each user's ratings held out (0.25 reproduces the 75/25 split of published tables)",
        "parte de las valoraciones de cada usuario reservada (0.25 reproduce la partición 75/25 de las tablas "
        "publicadas)",
    ),
    "bench recommend --latency-users": ("requests timed per method", "peticiones cronometradas por método"),
    "bench recommend --synthetic": (
        "USERSxITEMS instead of --ratings: Zipf-popular purchases without taste structure, to time fit and serving on "
        "a big catalogue (its quality figures mean nothing)",
        "USUARIOSxARTÍCULOS en lugar de --ratings: compras con popularidad de Zipf sin estructura de gustos, para "
        "cronometrar el ajuste y las respuestas con un catálogo grande (sus cifras de calidad no significan nada)",
    ),
    "bench recommend --readers": (
        "USERSxRATINGS instead of --ratings: simulated readers of the --items book catalogue (goodbooks-10k's "
        "books.csv), with taste by author and era: a 10k-item set whose quality means something",
        "USUARIOSxVALORACIONES en lugar de --ratings: lectores simulados del catálogo de libros de --items (books.csv "
        "de goodbooks-10k), con gustos por autor y época: un conjunto de 10.000 artículos cuya calidad sí significa "
        "algo",
    ),
    "bench recommend --ease-budget-seconds": (
        "tendero's time budget for EASE's solves (default: the model's own, 90 s as a probe predicts it)",
        "el tiempo que tendero da a las resoluciones de EASE (por defecto, el del modelo: 90 s según lo prevé una "
        "sonda)",
    ),
    "bench recommend --max-eval-users": (
        "test users scored per method (a seeded sample above this)",
        "usuarios de prueba evaluados por método (una muestra con semilla por encima de esto)",
    ),
    "bench tabular": (
        "Held-out metric, train seconds and predict latency per algorithm and dataset.",
        "Métrica en datos reservados, segundos de entrenamiento y latencia de predicción por algoritmo y dataset.",
    ),
    "bench tabular --data": (
        "the shared data folder (walmart and WANDS sets)",
        "la carpeta de datos compartida (conjuntos walmart y WANDS)",
    ),
    "bench tabular --repeats": (
        "seeded held-out splits per dataset (metrics averaged)",
        "particiones reservadas con semilla por dataset (métricas promediadas)",
    ),
    "bench tabular --trials": (
        "randomised-search trials for the tuned scikit-learn baselines",
        "pruebas de búsqueda aleatoria para las referencias de scikit-learn ajustadas",
    ),
    "bench tabular --datasets": (
        "comma-separated subset of breast_cancer,diabetes,walmart,wands",
        "subconjunto separado por comas de breast_cancer,diabetes,walmart,wands",
    ),
    "bench dashboard": (
        "Per page: median and slowest DOMContentLoaded (ms) over the warm visits, and the server's own time; the "
        "goal is every page under 1 s on the demo data.",
        "Por página: mediana y máximo de DOMContentLoaded (ms) en las visitas en caliente, y el tiempo del propio "
        "servidor; el objetivo es cada página por debajo de 1 s con los datos de demostración.",
    ),
    "bench dashboard --visits": (
        "visits per page; the first one warms up and is not counted",
        "visitas por página; la primera calienta y no cuenta",
    ),
    "bench dashboard --screenshots": (
        "also save a full-page screenshot of every page in es and en into this folder",
        "guarda también en esta carpeta una captura de página completa de cada página en es y en",
    ),
    "bench dashboard --setup-minutes": (
        "how long the demo's models may take to train before the bench gives up",
        "cuánto pueden tardar en entrenarse los modelos de la demostración antes de que el bench se rinda",
    ),
    "bench experiments": (
        "Simulate experiments on real outcomes; print false-positive rates, coverage, CUPED and SRM figures.",
        "Simula experimentos con resultados reales; imprime tasas de falsos positivos, cobertura y cifras de CUPED y "
        "SRM.",
    ),
    "bench experiments --cdnow": ("CDNOW_master.txt", "CDNOW_master.txt"),
    "bench experiments --ab-data": ("ab_data.csv.gz", "ab_data.csv.gz"),
    "bench experiments --cookie-cats": ("cookie_cats.csv", "cookie_cats.csv"),
    "bench experiments --calibration-end": ("CDNOW: end of the pre-period", "CDNOW: fin del periodo previo"),
    "bench experiments --simulations": ("simulated experiments per outcome", "experimentos simulados por resultado"),
    "bench experiments --lift": (
        "relative effect injected for coverage",
        "efecto relativo inyectado para la cobertura",
    ),
    "bench experiments --looks": (
        "peeks for the sequential false-positive rate",
        "miradas para la tasa secuencial de falsos positivos",
    ),
    "bench experiments --srm-loss": (
        "share of treatment units lost in the broken splits",
        "parte de las unidades de tratamiento perdidas en los repartos rotos",
    ),
    "bench experiments --assignment-units": (
        "units hashed for the assignment figures (0: skip)",
        "unidades con hash para las cifras de asignación (0: se omite)",
    ),
    "bench experiments --ingest-events": (
        "events ingested on SQLite for events/s (0: skip)",
        "eventos cargados en SQLite para eventos/s (0: se omite)",
    ),
    "bench pricing": (
        "Elasticity estimates per brand and a backtest of demand at the prices actually set.",
        "Estimaciones de elasticidad por marca y un backtest de la demanda a los precios que se pusieron de verdad.",
    ),
    "bench pricing --data": ("orangeJuice_yx.csv.gz (bayesm)", "orangeJuice_yx.csv.gz (bayesm)"),
    "bench pricing --holdout": ("last weeks predicted in the backtest", "últimas semanas predichas en el backtest"),
    "bench search": (
        "Rank a catalogue for every query; print nDCG@10, recall@100, MRR@10, latency, index time and memory.",
        "Ordena un catálogo para cada consulta; imprime nDCG@10, recall@100, MRR@10, latencia, tiempo de indexación "
        "y memoria.",
    ),
    "bench search --products": (
        "CSV: product_id,name[,description,category]",
        "CSV: product_id,name[,description,category]",
    ),
    "bench search --queries": ("CSV: query_id,query", "CSV: query_id,query"),
    "bench search --labels": ("CSV: query_id,product_id,gain", "CSV: query_id,product_id,gain"),
    "bench search --format": (
        "homedepot: read Home Depot's file (the argument)",
        "homedepot: lee el fichero de Home Depot (el argumento)",
    ),
    "bench search FILE": (
        "with --format homedepot: homedepot_relevance.csv.gz",
        "con --format homedepot: homedepot_relevance.csv.gz",
    ),
    "bench search --synthetic": ("a generated catalogue of N products", "un catálogo generado de N productos"),
    "bench search --part": (
        "all | tune | test (default: test for homedepot, else all)",
        "all | tune | test (por defecto: test para homedepot, si no all)",
    ),
    "bench search --sweep": (
        "also report every fusion setting tried",
        "informa también de cada ajuste de fusión probado",
    ),
    "bench search --latency-queries": ("queries timed one by one", "consultas cronometradas una a una"),
    "bench search --max-queries": (
        "only the first N queries of the part (file order)",
        "solo las N primeras consultas de la parte (en el orden del fichero)",
    ),
    "bench search --embeddings-cache": (
        "folder keeping catalogue embeddings between runs",
        "carpeta que guarda los embeddings del catálogo entre ejecuciones",
    ),
    "bench search --ceiling": (
        "also settings tuned on these answers and a per-query oracle (upper bounds)",
        "también ajustes afinados con estas respuestas y un oráculo por consulta (cotas superiores)",
    ),
    "bench search --query-type": (
        "only queries of this type (the queries file's type column)",
        "solo las consultas de este tipo (la columna type del fichero de consultas)",
    ),
    "bench assistant": (
        "Intent and slot accuracy, exact match, and understanding / answer latency on the golden questions.",
        "Precisión de intención y de campos, coincidencia exacta y latencia de comprensión y de respuesta en las "
        "preguntas de referencia.",
    ),
    "bench assistant --questions": (
        "JSON lines: query, intent, slots (today, previous, split)",
        "JSON lines: query, intent, slots (today, previous, split)",
    ),
    "bench assistant --today": (
        "the day questions are asked on (YYYY-MM-DD)",
        "el día en que se hacen las preguntas (AAAA-MM-DD)",
    ),
    "bench assistant --predictions": (
        "write one {query, intent, slots} line per question",
        "escribe una línea {query, intent, slots} por pregunta",
    ),
    "bench assistant --home": (
        "keep the prepared demo here and reuse it (default: a temp dir)",
        "guarda aquí la demostración preparada y la reutiliza (por defecto, una carpeta temporal)",
    ),
    "bench assistant --models": ("train the demo's models first", "entrena antes los modelos de la demostración"),
    "bench assistant --split": (
        "only questions of this split (dev, heldout)",
        "solo las preguntas de esta parte (dev, heldout)",
    ),
}
