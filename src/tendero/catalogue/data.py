"""The data layer's texts, in Spanish and English (part of ``tendero.catalogue``)."""

from __future__ import annotations

# What the data layer says about files, rows, columns, imports and SQL sources.
DATA: dict[str, dict[str, str]] = {
    # the file as a whole
    "file.empty": {"en": "the file is empty", "es": "el archivo está vacío"},
    "file.too_large": {
        "en": "the file is {size} bytes; the limit is {limit} bytes",
        "es": "el archivo tiene {size} bytes; el límite es {limit} bytes",
    },
    "file.binary": {
        "en": "the file is not text: it contains binary data (byte {byte}, line {line}); upload CSV, JSON, "
        "JSON lines, Parquet or Excel .xlsx",
        "es": "el archivo no es texto: contiene datos binarios (byte {byte}, línea {line}); sube CSV, JSON, "
        "JSON lines, Parquet o Excel .xlsx",
    },
    "file.binary_kind": {
        "en": "the file is not text: it is {kind}; upload CSV, JSON, JSON lines, Parquet or Excel .xlsx",
        "es": "el archivo no es texto: es {kind}; sube CSV, JSON, JSON lines, Parquet o Excel .xlsx",
    },
    "file.not_readable_text": {
        "en": "the file is not readable text in UTF-8 or Windows-1252; is it a binary file?",
        "es": "el archivo no es texto legible en UTF-8 ni en Windows-1252; ¿es un archivo binario?",
    },
    "file.encoding_changes": {
        "en": "the file is not valid utf-8 text after byte {byte} (line {line}): the lines before it are UTF-8, "
        "this one is not; it mixes encodings: save it again as UTF-8",
        "es": "el archivo no es texto utf-8 válido a partir del byte {byte} (línea {line}): las líneas anteriores "
        "están en UTF-8 y esta no; mezcla codificaciones: guárdalo de nuevo como UTF-8",
    },
    "file.utf8_inside_cp1252": {
        "en": "line {line} (byte {byte}) is UTF-8 text ({sample!r}) but earlier lines are Windows-1252: the file "
        "mixes encodings, and reading it either way would corrupt accents; save it again as UTF-8",
        "es": "la línea {line} (byte {byte}) está en UTF-8 ({sample!r}) pero las anteriores están en Windows-1252: "
        "el archivo mezcla codificaciones y leerlo de cualquiera de las dos formas estropearía los acentos; "
        "guárdalo de nuevo como UTF-8",
    },
    "file.undecodable": {
        "en": "the file is not valid {encoding} text at byte {byte} (line {line})",
        "es": "el archivo no es texto {encoding} válido en el byte {byte} (línea {line})",
    },
    "file.named_but_not": {
        "en": "the file is named .{suffix} but its content is not a valid {suffix} file",
        "es": "el archivo se llama .{suffix} pero su contenido no es un archivo {suffix} válido",
    },
    "file.bad_parquet": {"en": "not a valid Parquet file", "es": "no es un archivo Parquet válido"},
    "file.bad_excel": {"en": "not a valid Excel .xlsx file", "es": "no es un archivo Excel .xlsx válido"},
    "file.excel_empty": {
        "en": "the first sheet of the workbook is empty",
        "es": "la primera hoja del libro está vacía",
    },
    "file.bad_json": {
        "en": "not valid JSON: {reason} (line {line}, column {column})",
        "es": "no es JSON válido: {reason} (línea {line}, columna {column})",
    },
    "file.json_shape": {
        "en": "JSON must be a list of objects, or an object holding exactly one list",
        "es": "el JSON debe ser una lista de objetos, o un objeto con exactamente una lista",
    },
    "file.json_first_line": {
        "en": "the first line is not a JSON object",
        "es": "la primera línea no es un objeto JSON",
    },
    "file.no_objects": {"en": "the file has no JSON objects", "es": "el archivo no tiene objetos JSON"},
    "file.no_header": {"en": "the file has no header row", "es": "el archivo no tiene fila de encabezado"},
    "file.no_rows": {"en": "the file has no usable rows", "es": "el archivo no tiene filas utilizables"},
    "file.csv_unparsable": {
        "en": "the CSV cannot be read at row {row}: {reason}",
        "es": "el CSV no se puede leer en la fila {row}: {reason}",
    },
    "file.field_too_long": {
        "en": "a field at row {row} is longer than {limit} characters; is the delimiter or a quote wrong?",
        "es": "un campo de la fila {row} tiene más de {limit} caracteres; ¿el delimitador o unas comillas están mal?",
    },
    # header and columns
    "header.too_many_columns": {
        "en": "the file has {columns} columns; the limit is {limit} (TENDERO_MAX_COLUMNS)",
        "es": "el archivo tiene {columns} columnas; el límite es {limit} (TENDERO_MAX_COLUMNS)",
    },
    "header.too_many_columns_at_least": {
        "en": "the file has more than {columns} columns (its first line alone is longer than {bytes} bytes); "
        "the limit is {limit} (TENDERO_MAX_COLUMNS)",
        "es": "el archivo tiene más de {columns} columnas (solo su primera línea ocupa más de {bytes} bytes); "
        "el límite es {limit} (TENDERO_MAX_COLUMNS)",
    },
    "header.line_too_long": {
        "en": "the first line is longer than {bytes} bytes; a header that long is not a table header",
        "es": "la primera línea ocupa más de {bytes} bytes; un encabezado tan largo no es el de una tabla",
    },
    "header.name_too_long": {
        "en": "column {position}'s name is {length} characters long; the limit is {limit}",
        "es": "el nombre de la columna {position} tiene {length} caracteres; el límite es {limit}",
    },
    "header.duplicate": {
        "en": "the header is not usable: column name {name!r} appears twice (columns {first} and {second})",
        "es": "el encabezado no sirve: el nombre de columna {name!r} aparece dos veces (columnas {first} y {second})",
    },
    "header.unnamed": {
        "en": "column {position} has no name; it is called {name}",
        "es": "la columna {position} no tiene nombre; se llama {name}",
    },
    # rows and budgets
    "read.too_many_rows": {
        "en": "the file has more than {limit} rows (TENDERO_MAX_ROWS); split it or raise the limit",
        "es": "el archivo tiene más de {limit} filas (TENDERO_MAX_ROWS); divídelo o sube el límite",
    },
    "read.too_many_cells": {
        "en": "the table has {cells} cells ({rows} rows × {columns} columns); the limit for a dataset is {limit}",
        "es": "la tabla tiene {cells} celdas ({rows} filas × {columns} columnas); el límite de un dataset es {limit}",
    },
    "read.too_slow": {
        "en": "reading took longer than {seconds} seconds (TENDERO_MAX_READ_SECONDS) and was stopped at row {row}",
        "es": "la lectura tardó más de {seconds} segundos (TENDERO_MAX_READ_SECONDS) y se detuvo en la fila {row}",
    },
    "read.stopped": {
        "en": "the server is shutting down: reading stopped; send the file again",
        "es": "el servidor se está deteniendo: la lectura se interrumpió; vuelve a enviar el archivo",
    },
    "read.interrupted": {
        "en": "reading was interrupted (the server stopped or crashed while reading it); send it again",
        "es": "la lectura se interrumpió (el servidor se detuvo o falló mientras lo leía); vuelve a enviarlo",
    },
    "read.failed": {
        "en": "the file could not be read because of an unexpected error (it has been logged)",
        "es": "el archivo no se pudo leer por un error inesperado (ha quedado registrado)",
    },
    "row.fields": {
        "en": "unreadable CSV line: row has {count} fields, header has {width}; row skipped",
        "es": "línea CSV ilegible: la fila tiene {count} campos y el encabezado {width}; fila omitida",
    },
    "row.json_invalid": {
        "en": "line is not valid JSON ({reason}); skipped",
        "es": "la línea no es JSON válido ({reason}); omitida",
    },
    "row.not_object": {"en": "row is not a JSON object; skipped", "es": "la fila no es un objeto JSON; omitida"},
    "row.nested": {
        "en": "nested value flattened to JSON text",
        "es": "valor anidado convertido en texto JSON",
    },
    # cells
    "cell.formula": {
        "en": "looks like a spreadsheet formula (possible formula injection)",
        "es": "parece una fórmula de hoja de cálculo (posible inyección de fórmulas)",
    },
    "cell.formula_set_missing": {
        "en": "looks like a spreadsheet formula (possible formula injection); set missing",
        "es": "parece una fórmula de hoja de cálculo (posible inyección de fórmulas); se deja vacío",
    },
    "cell.not_number_set_missing": {"en": "not a number; set missing", "es": "no es un número; se deja vacío"},
    "cell.not_date_set_missing": {"en": "not a date; set missing", "es": "no es una fecha; se deja vacío"},
    "cell.date_out_of_range_set_missing": {
        "en": "date out of range (year {year}; dates go from 1900 to 2262); set missing",
        "es": "fecha fuera de rango (año {year}; las fechas van de 1900 a 2262); se deja vacío",
    },
    # import rules
    "rule.missing": {"en": "missing required field {field}", "es": "falta el campo obligatorio {field}"},
    "rule.missing_or": {
        "en": "missing required field {field} (or {other})",
        "es": "falta el campo obligatorio {field} (o {other})",
    },
    "rule.choices": {"en": "must be one of {choices}", "es": "debe ser uno de {choices}"},
    "rule.date_unparseable": {"en": "unparseable date", "es": "fecha ilegible"},
    "rule.date_future": {"en": "date is in the future", "es": "la fecha está en el futuro"},
    "rule.date_before_1900": {
        "en": "date out of range: year {year} is before 1900",
        "es": "fecha fuera de rango: el año {year} es anterior a 1900",
    },
    "rule.date_placeholder": {
        "en": "date out of range: year {year} is a placeholder for 'no date', not a date; leave the cell empty",
        "es": "fecha fuera de rango: el año {year} es un marcador de 'sin fecha', no una fecha; deja la celda vacía",
    },
    "rule.date_after_2262": {
        "en": "date out of range: year {year} is after 2262",
        "es": "fecha fuera de rango: el año {year} es posterior a 2262",
    },
    "rule.not_number": {"en": "not a number", "es": "no es un número"},
    "rule.at_least": {
        "en": "value out of range: {field} must be at least {limit}",
        "es": "valor fuera de rango: {field} debe ser al menos {limit}",
    },
    "rule.at_most": {
        "en": "value out of range: {field} must be at most {limit}",
        "es": "valor fuera de rango: {field} debe ser como mucho {limit}",
    },
    "rule.not_bool": {"en": "not a yes/no value", "es": "no es un valor sí/no"},
    "rule.zero_quantity": {
        "en": "value out of range: quantity must not be zero",
        "es": "valor fuera de rango: la cantidad no puede ser cero",
    },
    "rule.negative_quantity": {
        "en": "negative quantity (a return: import with returns=keep to keep it)",
        "es": "cantidad negativa (una devolución: importa con returns=keep para conservarla)",
    },
    "rule.rating_needs_value": {"en": "a rating needs a value", "es": "una valoración necesita un valor"},
    "rule.rating_range": {
        "en": "value out of range: ratings go from 0 to 10",
        "es": "valor fuera de rango: las valoraciones van de 0 a 10",
    },
    "rule.duplicate_id": {
        "en": "duplicate id in file (first at row {first})",
        "es": "id repetido en el archivo (primero en la fila {first})",
    },
    "rule.duplicate_line": {
        "en": "duplicate line: order and product already seen (first at row {first})",
        "es": "línea repetida: pedido y producto ya vistos (primero en la fila {first})",
    },
    "rule.unknown_reference": {
        "en": "unknown {noun} {value}: import {target} first",
        "es": "{noun} desconocido {value}: importa primero {target}",
    },
    "rule.other_customer": {
        "en": "conflicts with row {first} of the same order (another customer_id)",
        "es": "contradice la fila {first} del mismo pedido (otro customer_id)",
    },
    "rule.lines_add_to_zero": {
        "en": "value out of range: the order's lines of this product add up to zero",
        "es": "valor fuera de rango: las líneas de este producto en el pedido suman cero",
    },
    # mapping the columns of an import
    "map.unknown_set": {
        "en": "set fields {names} are not fields of {entity}; fields are: {fields}",
        "es": "los campos fijados {names} no son campos de {entity}; los campos son: {fields}",
    },
    "map.unknown_targets": {
        "en": "mapping targets {names} are not fields of {entity}; fields are: {fields}",
        "es": "los destinos del mapeo {names} no son campos de {entity}; los campos son: {fields}",
    },
    "map.missing_sources": {
        "en": "mapped columns {names} are not in the file; its columns are: {columns}",
        "es": "las columnas mapeadas {names} no están en el archivo; sus columnas son: {columns}",
    },
    "map.no_header": {
        "en": "the file has no header row: its first row ({first}) looks like data; add a header naming the "
        "columns ({fields})",
        "es": "el archivo no tiene fila de encabezado: su primera fila ({first}) parece datos; añade un encabezado "
        "con los nombres de las columnas ({fields})",
    },
    "map.missing_required": {
        "en": "missing required columns for {entity}: {missing}; the file has {columns}; map yours with "
        "--map your_column=field",
        "es": "faltan columnas obligatorias para {entity}: {missing}; el archivo tiene {columns}; mapea las tuyas "
        "con --map tu_columna=campo",
    },
    "import.nothing": {"en": "nothing was imported: {reason}", "es": "no se importó nada: {reason}"},
    # datasets and tasks
    "task.no_target_for_clustering": {
        "en": "clustering takes no target column",
        "es": "el clustering no lleva columna objetivo (target)",
    },
    "task.needs_target": {
        "en": "task {task} needs a target column",
        "es": "la tarea {task} necesita una columna objetivo (target)",
    },
    "task.target_not_found": {
        "en": "target column not found; columns are {columns}",
        "es": "no se encuentra la columna objetivo (target); las columnas son {columns}",
    },
    "task.feature_not_found": {"en": "feature column not found", "es": "no se encuentra la columna"},
    "task.target_is_feature": {
        "en": "the target cannot also be a feature",
        "es": "la columna objetivo (target) no puede ser también una variable",
    },
    "task.no_features": {"en": "no feature columns left", "es": "no quedan columnas de entrada"},
    "task.target_empty": {"en": "target column is empty", "es": "la columna objetivo (target) está vacía"},
    "task.regression_numeric": {
        "en": "regression needs a numeric target, found {found}",
        "es": "la regresión necesita un objetivo (target) numérico; es {found}",
    },
    "task.single_value": {"en": "target has a single value", "es": "el objetivo (target) tiene un solo valor"},
    "task.two_classes": {
        "en": "classification needs at least 2 classes",
        "es": "la clasificación necesita al menos 2 clases",
    },
    "task.too_many_classes": {
        "en": "target has {count} classes (limit {limit}): try regression",
        "es": "el objetivo (target) tiene {count} clases (límite {limit}): prueba con regresión",
    },
    "task.continuous": {
        "en": "target looks continuous: use regression",
        "es": "el objetivo (target) parece continuo: usa regresión",
    },
    "task.needs_text": {
        "en": "text classification needs at least one text column among the features",
        "es": "la clasificación de texto necesita al menos una columna de texto entre las variables",
    },
    "dataset.entity": {
        "en": "entity must be one of {entities}",
        "es": "la entidad debe ser una de {entities}",
    },
    # SQL sources
    "source.unknown": {
        "en": "no SQL source named {name!r} for this tenant; an operator adds one with `tendero sources add` "
        "or TENDERO_SQL_SOURCES",
        "es": "no hay ninguna fuente SQL llamada {name!r} para este tenant; un operador la añade con "
        "`tendero sources add` o TENDERO_SQL_SOURCES",
    },
    "source.bad_name": {
        "en": "a source name is 1 to 63 lowercase letters, digits, '-' or '_', starting with a letter or digit",
        "es": "el nombre de una fuente tiene de 1 a 63 minúsculas, dígitos, '-' o '_', y empieza por letra o dígito",
    },
    "source.exists": {
        "en": "a SQL source named {name!r} already exists for this tenant",
        "es": "ya existe una fuente SQL llamada {name!r} para este tenant",
    },
    "source.bad_url": {
        "en": "not a database URL tendero can read: {reason}",
        "es": "no es una URL de base de datos que tendero pueda leer: {reason}",
    },
    "source.dialect": {
        "en": "SQL sources are SQLite or PostgreSQL databases, not {dialect}",
        "es": "las fuentes SQL son bases de datos SQLite o PostgreSQL, no {dialect}",
    },
    "source.server_database": {
        "en": "that is tendero's own database: it can never be a SQL source",
        "es": "esa es la base de datos de tendero: nunca puede ser una fuente SQL",
    },
    "source.sqlite_missing": {
        "en": "the SQLite database of source {name!r} does not exist",
        "es": "la base de datos SQLite de la fuente {name!r} no existe",
    },
    "source.connect": {
        "en": "could not connect to SQL source {name!r}: {reason}",
        "es": "no se pudo conectar con la fuente SQL {name!r}: {reason}",
    },
    "source.read_only": {
        "en": "SQL sources are read-only: only a single SELECT query runs ({reason})",
        "es": "las fuentes SQL son de solo lectura: solo se ejecuta una consulta SELECT ({reason})",
    },
    "source.timeout": {
        "en": "the query ran longer than {seconds} seconds (TENDERO_SQL_TIMEOUT_SECONDS) and was stopped",
        "es": "la consulta tardó más de {seconds} segundos (TENDERO_SQL_TIMEOUT_SECONDS) y se detuvo",
    },
    "source.too_many_rows": {
        "en": "the query returned more than {limit} rows (TENDERO_SQL_MAX_ROWS); add a WHERE or a LIMIT",
        "es": "la consulta devolvió más de {limit} filas (TENDERO_SQL_MAX_ROWS); añade un WHERE o un LIMIT",
    },
    "source.query_failed": {
        "en": "the query failed on SQL source {name!r}: {reason}",
        "es": "la consulta falló en la fuente SQL {name!r}: {reason}",
    },
    "source.needs_query": {"en": "sql_source needs a query", "es": "sql_source necesita una consulta (query)"},
    "source.one_source": {
        "en": "give exactly one source: file, entity, or sql_source with query",
        "es": "indica exactamente un origen: file, entity, o sql_source con query",
    },
    # output files
    "list.more": {"en": "{shown} and {more} more", "es": "{shown} y {more} más"},
}
