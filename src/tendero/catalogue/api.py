"""The API's texts, in Spanish and English (part of ``tendero.catalogue``)."""

from __future__ import annotations

# The API's problem details that people read.
API: dict[str, dict[str, str]] = {
    "rate_limited": {
        "en": "rate limit exceeded: {limit} requests a minute per {scope}; retry in {wait} s",
        "es": "límite de peticiones superado: {limit} por minuto por {scope}; reintenta en {wait} s",
    },
    "scope.key": {"en": "API key", "es": "clave de API"},
    "scope.ip": {"en": "client address (before the key is verified)", "es": "dirección (antes de verificar la clave)"},
    "body_too_large": {
        "en": "request body of {size} bytes exceeds the limit of {limit} bytes",
        "es": "el cuerpo de la petición ({size} bytes) supera el límite de {limit} bytes",
    },
    "body_too_large_streamed": {
        "en": "request body exceeds the limit of {limit} bytes",
        "es": "el cuerpo de la petición supera el límite de {limit} bytes",
    },
    "nul_text": {
        "en": "text contains a NUL character (\\u0000), which cannot be stored: remove it",
        "es": "el texto contiene un carácter NUL (\\u0000), que no se puede guardar: quítalo",
    },
    "surrogate_text": {
        "en": "text contains an unpaired surrogate ({char}), which is not valid Unicode: send the whole character",
        "es": "el texto contiene un sustituto sin pareja ({char}), que no es Unicode válido: envía el carácter "
        "completo",
    },
    "bad_utf8": {
        "en": "the JSON body is not valid UTF-8 (byte {offset}): send UTF-8 text",
        "es": "el cuerpo JSON no es UTF-8 válido (byte {offset}): envía texto en UTF-8",
    },
    "invalid_text_in": {
        "en": "invalid text in: {fields}",
        "es": "texto no válido en: {fields}",
    },
    "number_out_of_range": {
        "en": "a number in the request is out of range (at most 9223372036854775807 for whole numbers)",
        "es": "un número de la petición está fuera de rango (como mucho 9223372036854775807 para enteros)",
    },
    "metrics_token": {
        "en": "/metrics needs 'Authorization: Bearer <TENDERO_METRICS_TOKEN>'",
        "es": "/metrics necesita 'Authorization: Bearer <TENDERO_METRICS_TOKEN>'",
    },
    "deploy_admin_only": {
        "en": 'deploying is for admin keys: your key ({role}) may train with "deploy": "never" (the default for '
        "your role), and an admin deploys the version (POST /v1/models/{{name}}/versions/{{version}}/deploy)",
        "es": 'desplegar es cosa de claves admin: tu clave ({role}) puede entrenar con "deploy": "never" (lo '
        "predeterminado para tu rol) y un admin despliega la versión "
        "(POST /v1/models/{{name}}/versions/{{version}}/deploy)",
    },
    "training_running": {
        "en": "model {model!r} is already being trained by job {job} ({state}): follow it at "
        "/v1/jobs/{job}/progress, or cancel it before training again",
        "es": "el modelo {model!r} ya se está entrenando en el trabajo {job} ({state}): síguelo en "
        "/v1/jobs/{job}/progress, o cancélalo antes de volver a entrenar",
    },
    "training_running_field": {
        "en": "job {job} is training this model",
        "es": "el trabajo {job} está entrenando este modelo",
    },
    "training_state.pending": {"en": "queued", "es": "en cola"},
    "training_state.running": {"en": "running", "es": "en marcha"},
    "last_admin_key": {
        "en": "key {prefix} is the last active admin key of this tenant: revoking it would lock the tenant out of "
        "key management; create another admin key first",
        "es": "la clave {prefix} es la última clave admin activa de este tenant: revocarla lo dejaría sin poder "
        "gestionar claves; crea antes otra clave admin",
    },
    "artifact_corrupted": {
        "en": "the model's stored files failed their integrity check ({what}); train it again or deploy another "
        "version",
        "es": "los ficheros guardados del modelo no pasaron la comprobación de integridad ({what}); vuelve a "
        "entrenarlo o despliega otra versión",
    },
    "unexpected": {
        "en": "an unexpected error occurred; it has been logged (request {request_id})",
        "es": "ocurrió un error inesperado; ha quedado registrado (petición {request_id})",
    },
}
