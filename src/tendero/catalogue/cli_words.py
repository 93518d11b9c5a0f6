"""The words the command-line library (Typer's Click and its Rich help) writes around ours, in English and Spanish:
help panels, usage line, defaults, and its usage errors rebuilt from their parts (``tendero.cli.click_words``).

``{value}`` is what the user wrote, ``{names}`` the option's or argument's names as Click quotes them.
"""

from __future__ import annotations

CLICK_WORDS: dict[str, dict[str, str]] = {
    "usage": {"en": "Usage: ", "es": "Uso: "},
    "panel.arguments": {"en": "Arguments", "es": "Argumentos"},
    "panel.options": {"en": "Options", "es": "Opciones"},
    "panel.commands": {"en": "Commands", "es": "Órdenes"},
    "panel.error": {"en": "Error", "es": "Error"},
    "aborted": {"en": "Aborted.", "es": "Cancelado."},
    "try_help": {
        "en": "Try [blue]'{command_path} {help_option}'[/] for help.",
        "es": "Prueba [blue]'{command_path} {help_option}'[/] para ver la ayuda.",
    },
    "default": {"en": "[default: {}]", "es": "[por defecto: {}]"},
    "required": {"en": "[required]", "es": "[obligatorio]"},
    "envvar": {"en": "[env var: {}]", "es": "[variable de entorno: {}]"},
    "deprecated": {"en": "(deprecated) ", "es": "(obsoleto) "},
    "help": {"en": "Show this message and exit.", "es": "Muestra esta ayuda y termina."},
    "metavar.options": {"en": "[OPTIONS]", "es": "[OPCIONES]"},
    "metavar.command": {"en": "COMMAND [ARGS]...", "es": "ORDEN [ARGUMENTOS]..."},
    # ---- usage errors -------------------------------------------------------------------------------------
    "missing.option": {"en": "Missing option {names}.", "es": "Falta la opción {names}."},
    "missing.argument": {"en": "Missing argument {names}.", "es": "Falta el argumento {names}."},
    "missing.parameter": {"en": "Missing parameter {names}.", "es": "Falta el parámetro {names}."},
    "missing.choices": {"en": " Choose from: {choices}.", "es": " Elige entre: {choices}."},
    "invalid.for": {"en": "Invalid value for {names}: {reason}", "es": "Valor no válido para {names}: {reason}"},
    "invalid": {"en": "Invalid value: {reason}", "es": "Valor no válido: {reason}"},
    "no_such_option": {"en": "No such option: {option}", "es": "No existe la opción: {option}"},
    "no_such_option.near": {"en": " (Possible options: {choices})", "es": " (opciones posibles: {choices})"},
    "option.needs_value": {
        "en": "Option {option!r} requires an argument.",
        "es": "La opción {option!r} necesita un valor.",
    },
    "option.needs_values": {
        "en": "Option {option!r} requires {count} arguments.",
        "es": "La opción {option!r} necesita {count} valores.",
    },
    "option.no_value": {
        "en": "Option {option!r} does not take a value.",
        "es": "La opción {option!r} no admite ningún valor.",
    },
    "extra_arguments": {
        "en": "Got unexpected extra argument(s) ({args})",
        "es": "Sobran argumentos que no se esperaban ({args})",
    },
    "no_such_command": {"en": "No such command {name!r}.", "es": "No existe la orden {name!r}."},
    "missing_command": {"en": "Missing command.", "es": "Falta la orden."},
    # why a value is refused (from the value's type and limits)
    "value.integer": {"en": "{value!r} is not a whole number", "es": "{value!r} no es un número entero"},
    "value.number": {"en": "{value!r} is not a number", "es": "{value!r} no es un número"},
    "value.boolean": {
        "en": "{value!r} is not true or false (true, false, yes, no, 1, 0)",
        "es": "{value!r} no es verdadero ni falso (true, false, yes, no, 1, 0)",
    },
    "value.date": {"en": "{value!r} is not a date (YYYY-MM-DD)", "es": "{value!r} no es una fecha (AAAA-MM-DD)"},
    "value.at_least": {
        "en": "{value} is below the minimum, {limit}",
        "es": "{value} está por debajo del mínimo, {limit}",
    },
    "value.at_most": {
        "en": "{value} is above the maximum, {limit}",
        "es": "{value} está por encima del máximo, {limit}",
    },
    "value.above": {"en": "{value} must be greater than {limit}", "es": "{value} tiene que ser mayor que {limit}"},
    "value.below": {"en": "{value} must be less than {limit}", "es": "{value} tiene que ser menor que {limit}"},
    "value.choice": {"en": "{value!r} is not one of: {choices}", "es": "{value!r} no es ninguno de: {choices}"},
    "value.other": {"en": "{value!r} is not a valid value here", "es": "{value!r} no es un valor válido aquí"},
}
