"""Time phrases in Spanish and English → inclusive ``{start, end}`` days, given today.

The conventions (the README lists them too), chosen to match what shop owners mean:

- A named unit that contains today ("this month", "noviembre" in November, "Q4" in November, "este año")
  runs from its first day up to today: it is *to date*.
- A month, quarter or season named alone is the most recent one that has begun ("noviembre" in November is
  this November so far; "diciembre" in November is last December). When the question is about the future
  (forecasts), it is the next one that has not ended.
- "last N days/weeks" are the N×1 or N×7 complete days before today; "last N months/quarters/years" are the
  N complete calendar units before the current one. "last month", "last week" (Monday–Sunday), "last year",
  "yesterday" are the previous complete unit.
- A period *to date* compared with a named unit of the same kind is compared like for like: "este mes vs el
  mes pasado" on the 18th compares the 1st–18th with the 1st–18th.
- "next month", "los próximos 7 días", "mañana" are horizons (``{n, unit}``), not periods; a quarter ahead is
  3 months, a year 12.
- Numeric dates are ISO (2026-10-05) or day first (5/10/2026), the Spanish and European habit.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from tendero.insights.assistant.schema import Horizon

MONTHS: dict[str, int] = {
    "enero": 1, "january": 1, "jan": 1, "ene": 1,
    "febrero": 2, "february": 2, "feb": 2,
    "marzo": 3, "march": 3,
    "abril": 4, "april": 4, "apr": 4, "abr": 4,
    "mayo": 5, "may": 5,
    "junio": 6, "june": 6, "jun": 6,
    "julio": 7, "july": 7, "jul": 7,
    "agosto": 8, "august": 8, "aug": 8,
    "septiembre": 9, "setiembre": 9, "september": 9, "sep": 9, "sept": 9,
    "octubre": 10, "october": 10, "oct": 10,
    "noviembre": 11, "november": 11, "nov": 11,
    "diciembre": 12, "december": 12, "dec": 12, "dic": 12,
}  # fmt: skip
NUMBER_WORDS: dict[str, int] = {
    "un": 1, "uno": 1, "una": 1, "one": 1, "a": 1, "dos": 2, "two": 2, "tres": 3, "three": 3, "cuatro": 4, "four": 4,
    "cinco": 5, "five": 5, "seis": 6, "six": 6, "siete": 7, "seven": 7, "ocho": 8, "eight": 8, "nueve": 9,
    "nine": 9, "diez": 10, "ten": 10, "once": 11, "eleven": 11, "doce": 12, "twelve": 12, "trece": 13,
    "thirteen": 13, "catorce": 14, "fourteen": 14, "quince": 15, "fifteen": 15, "veinte": 20, "twenty": 20,
    "treinta": 30, "thirty": 30, "cuarenta": 40, "forty": 40, "cincuenta": 50, "fifty": 50, "sesenta": 60,
    "sixty": 60, "noventa": 90, "ninety": 90, "cien": 100, "hundred": 100, "docena": 12, "dozen": 12,
}  # fmt: skip
_MONTH = r"(?P<{name}>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")"
_NUM = r"(?P<num>\d{1,3}|" + "|".join(sorted((w for w in NUMBER_WORDS if len(w) > 1), key=len, reverse=True)) + r")"
_YEAR = r"(?P<{name}>(?:19|20)\d{{2}})"
_ORDINAL_QUARTER = {"primer": 1, "primero": 1, "first": 1, "1er": 1, "1st": 1, "segundo": 2, "second": 2, "2o": 2,
                    "2nd": 2, "tercer": 3, "tercero": 3, "third": 3, "3er": 3, "3rd": 3, "cuarto": 4, "fourth": 4,
                    "4o": 4, "4th": 4}  # fmt: skip
# abbreviations and English "may" count as months only beside a date word (not "what may happen")
_WEAK_MONTHS = {"may", "jan", "ene", "feb", "apr", "abr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
                "dic"}  # fmt: skip
_MONTH_CONTEXT = re.compile(r"(?:\b(?:in|of|since|from|during|for|until|to|de|en|desde|hasta|del|vs|and|y)\s+$)")
UNIT_WORDS = {
    "dia": "day", "dias": "day", "day": "day", "days": "day", "jornadas": "day",
    "semana": "week", "semanas": "week", "week": "week", "weeks": "week",
    "mes": "month", "meses": "month", "month": "month", "months": "month",
    "trimestre": "quarter", "trimestres": "quarter", "quarter": "quarter", "quarters": "quarter",
    "ano": "year", "anos": "year", "year": "year", "years": "year",
}  # fmt: skip
_UNITS = r"(?P<unit>" + "|".join(sorted(UNIT_WORDS, key=len, reverse=True)) + r")"


@dataclass(frozen=True)
class Resolved:
    """An inclusive range, the calendar unit it is (day, week, month, quarter, year, season or range), and
    whether it is a current unit cut at today."""

    start: date
    end: date
    unit: str = "range"
    to_date: bool = False

    def as_json(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


@dataclass(frozen=True)
class Mention:
    """A time phrase found in the text: where it is and what it means before today is known."""

    start: int
    end: int
    kind: str  # "period", "horizon", "shift", "before"
    spec: tuple = field(default_factory=tuple)


def _number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    return NUMBER_WORDS.get(text)


def month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    first = 3 * (quarter - 1) + 1
    return date(year, first, 1), month_bounds(year, first + 2)[1]


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _cut(start: date, end: date, today: date, unit: str) -> Resolved:
    if start <= today <= end:
        return Resolved(start, today, unit, to_date=True)
    return Resolved(start, end, unit)


# --- the phrases, longest and most specific first; each match hides its text from the later ones ---

_P: list[tuple[str, re.Pattern[str]]] = []


def _pattern(kind: str, regex: str) -> None:
    _P.append((kind, re.compile(regex)))


_ISO = r"(?P<{name}>\d{{4}}-\d{{1,2}}-\d{{1,2}})"
_DMY = r"(?P<{name}>\d{{1,2}}/\d{{1,2}}/\d{{4}})"
_TO = r"(?:al|a|to|and|y|hasta|until|till|through|-)"
_FROM = r"(?:(?:del|de|from|between|entre|desde)\s+)?(?:el\s+|the\s+)?"

# shifts of the other period: "the same month last year", "el mismo día de la semana pasada"
_pattern("shift_year", r"\b(?:(?:el|la|the)\s+)?(?:mismo|misma|same)\s+(?:mes|semana|dia|periodo|trimestre|month|week|"
                       r"day|period|quarter|time|fechas|dates)\s+(?:del?|of|in)?\s*(?:el\s+|the\s+)?"
                       r"(?:ano|year)\s+(?:pasado|anterior|before|previo)\b|"
                       r"\b(?:(?:el|la|the)\s+)?(?:mismo|misma|same)\s+(?:mes|semana|dia|periodo|trimestre|month|week|"
                       r"day|period|quarter|time)\s+(?:last|previous|the\s+previous|of\s+last|of\s+the\s+previous)"
                       r"\s+year\b")  # fmt: skip
_pattern("shift_week", r"\b(?:(?:el|la|the)\s+)?(?:mismo|same)\s+(?:dia|day)\s+(?:de\s+la\s+|of\s+the\s+|of\s+)?"
                       r"(?:semana\s+(?:pasada|anterior)|last\s+week|previous\s+week|"
                       r"the\s+week\s+before)\b")  # fmt: skip
_pattern("before_n", r"\b(?:the\s+)?(?:previous|prior|preceding)\s+" + _NUM + r"\s+" + _UNITS + r"\b|"
                     r"\b(?:los|las)\s+" + _NUM.replace("num", "num2") + r"\s+"
                     + _UNITS.replace("unit", "unit2") + r"\s+(?:anteriores|previos|previas)\b")  # fmt: skip
# explicit dates and ranges
_pattern("iso_range", r"\b" + _FROM + _ISO.format(name="a") + r"\s+" + _TO + r"\s+(?:el\s+|the\s+)?"
         + _ISO.format(name="b") + r"\b")  # fmt: skip
_pattern("dmy_range", r"\b" + _FROM + _DMY.format(name="a") + r"\s+" + _TO + r"\s+(?:el\s+|the\s+)?"
         + _DMY.format(name="b") + r"\b")  # fmt: skip
_pattern("iso_day", r"\b" + _ISO.format(name="a") + r"\b")
_pattern("dmy_day", r"\b" + _DMY.format(name="a") + r"\b")
_pattern("day_range_month", r"\b" + _FROM + r"(?P<d1>\d{1,2})\s+" + _TO + r"\s+(?:el\s+|the\s+)?(?P<d2>\d{1,2})"
                            r"(?:st|nd|rd|th)?\s+(?:de\s+|of\s+)?" + _MONTH.format(name="m")
                            + r"(?:\s+(?:de\s+|del\s+)?" + _YEAR.format(name="y") + r")?\b")  # fmt: skip
_pattern("month_day_range", r"\b" + _FROM + _MONTH.format(name="m") + r"\s+(?P<d1>\d{1,2})(?:st|nd|rd|th)?\s+"
                            + _TO + r"\s+(?P<d2>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+" + _YEAR.format(name="y")
                            + r")?\b")  # fmt: skip
_pattern("month_range", r"\b" + _FROM + _MONTH.format(name="m1") + r"(?:\s+(?:de\s+|del\s+)?" + _YEAR.format(name="y1")
                        + r")?\s+" + _TO + r"\s+(?:el\s+mes\s+de\s+)?" + _MONTH.format(name="m2")
                        + r"(?:\s+(?:de\s+|del\s+)?" + _YEAR.format(name="y2") + r")?\b")  # fmt: skip
_pattern("day_month", r"\b(?:el\s+|the\s+)?(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?:de\s+|of\s+)?" + _MONTH.format(name="m")
                      + r"(?:\s+(?:de\s+|del\s+)?" + _YEAR.format(name="y") + r")?\b")  # fmt: skip
_pattern("month_day", r"\b" + _MONTH.format(name="m") + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?(?!\d)(?:,?\s+"
                      + _YEAR.format(name="y") + r")?\b")  # fmt: skip
_pattern("since_month", r"\b(?:desde|since|from|a\s+partir\s+de)\s+(?:el\s+mes\s+de\s+|principios\s+de\s+|"
                        r"the\s+start\s+of\s+|the\s+beginning\s+of\s+)?" + _MONTH.format(name="m")
                        + r"(?:\s+(?:de\s+|del\s+)?" + _YEAR.format(name="y") + r")?\b")  # fmt: skip
_pattern("month_last_year", r"\b" + _MONTH.format(name="m") + r"\s+(?:del?\s+|of\s+)?(?:el\s+|the\s+)?"
                            r"(?:ano\s+pasado|ano\s+anterior|last\s+year|previous\s+year|year\s+before)\b")  # fmt: skip
_pattern("last_month_name", r"\b(?:el\s+)?(?:pasado|ultimo)\s+" + _MONTH.format(name="m") + r"\b|\blast\s+"
                            + _MONTH.format(name="m2") + r"\b")  # fmt: skip
_pattern("month_year", r"\b" + _MONTH.format(name="m") + r"\s+(?:de\s+|del\s+|of\s+)?" + _YEAR.format(name="y") + r"\b")
_pattern("quarter", r"\b(?:el\s+|the\s+)?q(?P<q>[1-4])(?:\s+(?:de\s+|del\s+|of\s+)?" + _YEAR.format(name="y") + r")?\b|"
                    r"\b(?P<ord>primer|primero|segundo|tercer|tercero|cuarto|1er|2o|3er|4o)\s+trimestre"
                    r"(?:\s+(?:de\s+|del\s+)?" + _YEAR.format(name="y2") + r")?\b|"
                    r"\b(?P<ord2>first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter(?:\s+(?:of\s+)?"
                    + _YEAR.format(name="y3") + r")?\b")  # fmt: skip
# horizons (the future): before "last N" so that "los próximos 7 días" is not read as a period
_pattern("next_n", r"\b(?:(?:en|durante|para)\s+)?(?:(?:los|las|the)\s+)?(?:proximos|proximas|siguientes|next|coming|"
                   r"following|upcoming)\s+" + _NUM + r"\s+" + _UNITS + r"\b|"
                   r"\b(?:en|in|within)\s+(?:(?:los|las|the)\s+)?" + _NUM.replace("num", "num2") + r"\s+"
                   + _UNITS.replace("unit", "unit2") + r"\b")  # fmt: skip
_pattern("next_unit", r"\b(?:(?:el|la|the)\s+)?(?:proximo|proxima|next|coming|siguiente)\s+(?P<unit>mes|semana|"
                      r"trimestre|ano|month|week|quarter|year)\b|"
                      r"\b(?:(?:el|la)\s+)?(?P<unit2>mes|semana|trimestre|ano)\s+(?:que\s+viene|siguiente|entrante|"
                      r"proximo|proxima)\b")  # fmt: skip
_pattern("tomorrow", r"\b(?P<after>pasado\s+)?manana\b|\b(?P<after2>the\s+day\s+after\s+)?tomorrow\b")
# relative periods
_pattern("last_n", r"\b(?:(?:en|durante|for|in|over|during)\s+)?(?:(?:los|las|the)\s+)?"
                   r"(?:ultimos|ultimas|pasados|pasadas|last|past)\s+" + _NUM + r"\s+" + _UNITS + r"\b")  # fmt: skip
_pattern(
    "weekend",
    r"\b(?:el\s+)?(?:fin\s+de\s+semana|finde)\s+(?P<last>pasado|anterior)\b|"
    r"\b(?P<last2>last|previous)\s+weekend\b|\b(?:este\s+(?:fin\s+de\s+semana|finde)|this\s+weekend)\b",
)
_pattern("this_unit", r"\b(?:este|esta|this|current|el\s+actual|la\s+actual)\s+(?P<unit>semana|mes|trimestre|ano|week|"
                      r"month|quarter|year)\b|"
                      r"\b(?:en\s+)?lo\s+que\s+(?:va|llevamos)\s+(?:de|del)\s+(?P<unit2>semana|mes|trimestre|ano)\b|"
                      r"\b(?:so\s+far\s+)?(?:this|the)\s+(?P<unit3>week|month|quarter|year)\s+so\s+far\b|"
                      r"\b(?P<unit4>week|month|quarter|year)\s+to\s+date\b|\b(?P<abbr>wtd|mtd|qtd|ytd)\b")  # fmt: skip
_pattern("last_unit", r"\b(?:(?:el|la|the)\s+)?(?P<unit>semana|mes|trimestre|ano)\s+(?:pasado|pasada|anterior|previo|"
                      r"previa)\b|"
                      r"\b(?:(?:el|la)\s+)?(?:ultimo|ultima)\s+(?P<unit2>semana|mes|trimestre|ano)\b|"
                      r"\b(?:the\s+)?(?:last|previous|past|prior)\s+(?P<unit3>week|month|quarter|year)\b|"
                      r"\bthe\s+(?P<unit4>week|month|quarter|year)\s+before\b")  # fmt: skip
_pattern("day_word", r"\b(?P<word>hoy|today|ayer|yesterday|anteayer|antier|antes\s+de\s+ayer|"
                     r"the\s+day\s+before\s+yesterday)\b")  # fmt: skip
_pattern("season", r"\b(?:(?:este|el|en|this|last|the)\s+)?(?P<season>verano|summer|invierno|winter|primavera|spring|"
                   r"otono|autumn|fall|navidad|navidades|christmas)(?:\s+(?P<last>pasado|anterior))?\b")  # fmt: skip
_pattern("month", r"\b" + _MONTH.format(name="m") + r"\b")
_pattern("year", r"\b(?:(?:en|in|del|de|of|during|el|ano|year)\s+)?" + _YEAR.format(name="y") + r"\b")

SEASONS = {"verano": (6, 8), "summer": (6, 8), "invierno": (12, 2), "winter": (12, 2), "primavera": (3, 5),
           "spring": (3, 5), "otono": (9, 11), "autumn": (9, 11), "fall": (9, 11), "navidad": (12, 12),
           "navidades": (12, 12), "christmas": (12, 12)}  # fmt: skip


def find_mentions(text: str) -> list[Mention]:
    """Every time phrase of the (folded, corrected) text in reading order; a matched phrase is masked so that
    its words are not read twice ("el mismo mes del año pasado" is one shift, not a month and a year)."""
    masked = text
    found: list[Mention] = []
    for kind, pattern in _P:
        for match in pattern.finditer(masked):
            groups = {k: v for k, v in match.groupdict().items() if v is not None}
            if kind == "month" and groups["m"] in _WEAK_MONTHS and not _MONTH_CONTEXT.search(masked[: match.start()]):
                continue
            if kind == "year" and _inside_number(masked, match):
                continue
            found.append(Mention(match.start(), match.end(), kind, tuple(sorted(groups.items()))))
            masked = masked[: match.start()] + " " * (match.end() - match.start()) + masked[match.end() :]
    return sorted(found, key=lambda m: m.start)


def _inside_number(text: str, match: re.Match[str]) -> bool:
    before = text[max(0, match.start() - 1) : match.start()]
    after = text[match.end() : match.end() + 1]
    return bool(re.match(r"[\d/-]", before) or re.match(r"[\d/-]", after))


def masked_text(text: str, mentions: list[Mention]) -> str:
    """The text with the time phrases blanked (numbers in them are not counts)."""
    for mention in mentions:
        text = text[: mention.start] + " " * (mention.end - mention.start) + text[mention.end :]
    return text


# --- resolution ---


def _day(text: str) -> date | None:
    try:
        if "/" in text:
            d, m, y = (int(x) for x in text.split("/"))
            return date(y, m, d)
        y, m, d = (int(x) for x in text.split("-"))
        return date(y, m, d)
    except ValueError:
        return None


def _recent_month(month: int, today: date, future: bool) -> Resolved:
    """The most recent month of that name that has begun (cut at today); the next one not yet over if ``future``."""
    year = today.year
    if future:
        if month < today.month:
            year += 1
        return Resolved(*month_bounds(year, month), "month")
    if month > today.month:
        year -= 1
    return _cut(*month_bounds(year, month), today, "month")


def _recent_quarter(quarter: int, today: date, future: bool) -> Resolved:
    current = (today.month - 1) // 3 + 1
    year = today.year
    if future:
        if quarter < current:
            year += 1
        return Resolved(*quarter_bounds(year, quarter), "quarter")
    if quarter > current:
        year -= 1
    return _cut(*quarter_bounds(year, quarter), today, "quarter")


def unit_bounds(unit: str, day: date) -> tuple[date, date]:
    """The calendar unit (week from Monday, month, quarter, year) that contains ``day``."""
    if unit == "day":
        return day, day
    if unit == "week":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if unit == "month":
        return month_bounds(day.year, day.month)
    if unit == "quarter":
        return quarter_bounds(day.year, (day.month - 1) // 3 + 1)
    return date(day.year, 1, 1), date(day.year, 12, 31)


def resolve(mention: Mention, today: date, future: bool = False) -> Resolved | Horizon | None:
    """What a period or horizon phrase means on ``today``; None for shifts (they need the other period) and for
    impossible dates (the 31st of February)."""
    g = dict(mention.spec)
    kind = mention.kind
    try:
        return _resolve(kind, g, today, future)
    except ValueError:
        return None


def _year_of(g: dict[str, str], *names: str) -> int | None:
    for name in names:
        if name in g:
            return int(g[name])
    return None


def _resolve(kind: str, g: dict[str, str], today: date, future: bool) -> Resolved | Horizon | None:
    if kind in ("iso_range", "dmy_range"):
        first, last = _day(g["a"]), _day(g["b"])
        if first is None or last is None:
            return None
        return Resolved(min(first, last), max(first, last))
    if kind in ("iso_day", "dmy_day"):
        single = _day(g["a"])
        return Resolved(single, single, "day") if single else None
    if kind in ("day_range_month", "month_day_range"):
        month = MONTHS[g["m"]]
        in_year = _year_of(g, "y") or _recent_month(month, today, future).start.year
        low_day, high_day = sorted((int(g["d1"]), int(g["d2"])))
        return Resolved(date(in_year, month, low_day), date(in_year, month, high_day))
    if kind in ("day_month", "month_day"):
        month = MONTHS[g["m"]]
        given_year = _year_of(g, "y")
        day_year = given_year if given_year is not None else today.year
        if given_year is None:
            candidate = date(day_year, month, int(g["d"]))
            if (candidate > today and not future) or (candidate < today and future):
                day_year += 1 if future else -1
        single = date(day_year, month, int(g["d"]))
        return Resolved(single, single, "day")
    if kind == "month_range":
        m1, m2 = MONTHS[g["m1"]], MONTHS[g["m2"]]
        y2 = _year_of(g, "y2", "y1")
        y1 = _year_of(g, "y1")
        if y2 is None:
            y2 = _recent_month(m2, today, future).start.year
        if y1 is None:
            y1 = y2 if m1 <= m2 else y2 - 1
        start, end = month_bounds(y1, m1)[0], month_bounds(y2, m2)[1]
        return Resolved(start, min(end, today) if start <= today <= end and not future else end, "range",
                        to_date=start <= today <= end and not future)  # fmt: skip
    if kind == "since_month":
        month = MONTHS[g["m"]]
        since_year = _year_of(g, "y")
        start = date(since_year, month, 1) if since_year else _recent_month(month, today, False).start
        return Resolved(start, max(start, today), "range", to_date=True)
    if kind == "month_last_year":
        return Resolved(*month_bounds(today.year - 1, MONTHS[g["m"]]), "month")
    if kind == "last_month_name":
        month = MONTHS[g.get("m") or g["m2"]]
        year = today.year if month < today.month else today.year - 1
        return Resolved(*month_bounds(year, month), "month")
    if kind == "month_year":
        return _cut(*month_bounds(int(g["y"]), MONTHS[g["m"]]), today, "month")
    if kind == "month":
        return _recent_month(MONTHS[g["m"]], today, future)
    if kind == "quarter":
        quarter = int(g["q"]) if "q" in g else _ORDINAL_QUARTER[g.get("ord") or g["ord2"]]
        quarter_year = _year_of(g, "y", "y2", "y3")
        if quarter_year is not None:
            return _cut(*quarter_bounds(quarter_year, quarter), today, "quarter")
        return _recent_quarter(quarter, today, future)
    if kind == "year":
        year = int(g["y"])
        return _cut(date(year, 1, 1), date(year, 12, 31), today, "year")
    if kind == "day_word":
        word = g["word"]
        back = 0 if word in ("hoy", "today") else 1 if word in ("ayer", "yesterday") else 2
        day = today - timedelta(days=back)
        return Resolved(day, day, "day")
    if kind == "this_unit":
        word = g.get("unit") or g.get("unit2") or g.get("unit3") or g.get("unit4") or g["abbr"]
        unit = {"wtd": "week", "mtd": "month", "qtd": "quarter", "ytd": "year"}.get(word) or UNIT_WORDS[word]
        start, _ = unit_bounds(unit, today)
        return Resolved(start, today, unit, to_date=True)
    if kind == "last_unit":
        unit = UNIT_WORDS[g.get("unit") or g.get("unit2") or g.get("unit3") or g["unit4"]]
        start, _ = unit_bounds(unit, today)
        return Resolved(*unit_bounds(unit, start - timedelta(days=1)), unit)
    if kind == "last_n":
        n, unit = _number(g["num"]), UNIT_WORDS[g["unit"]]
        if not n or n > 3660:
            return None
        if unit in ("day", "week"):
            days = n * (7 if unit == "week" else 1)
            return Resolved(today - timedelta(days=days), today - timedelta(days=1), "range")
        current, _ = unit_bounds(unit, today)
        months = {"month": 1, "quarter": 3, "year": 12}[unit] * n
        return Resolved(add_months(current, -months), current - timedelta(days=1), "range")
    if kind == "weekend":
        saturday = today - timedelta(days=(today.weekday() - 5) % 7)
        if g.get("last") or g.get("last2"):
            saturday = saturday - timedelta(days=7) if today.weekday() >= 5 else saturday
            return Resolved(saturday, saturday + timedelta(days=1), "range")
        return Resolved(saturday, min(saturday + timedelta(days=1), today), "range")
    if kind == "season":
        first_month, last_month = SEASONS[g["season"]]
        wraps = first_month > last_month  # winter: December to February
        start = date(today.year - (1 if wraps else 0), first_month, 1)
        if start > today or (
            g.get("last") and today <= add_months(start, last_month - first_month + (12 if wraps else 0))
        ):
            start = date(start.year - 1, first_month, 1)
        end = month_bounds(start.year + (1 if wraps else 0), last_month)[1]
        return _cut(start, end, today, "season")
    if kind == "next_n":
        n = _number(g.get("num") or g["num2"])
        unit = UNIT_WORDS[g.get("unit") or g["unit2"]]
        if not n:
            return None
        return _horizon(n, unit)
    if kind == "next_unit":
        return _horizon(1, UNIT_WORDS[g.get("unit") or g["unit2"]])
    if kind == "tomorrow":
        return Horizon(n=2 if (g.get("after") or g.get("after2")) else 1, unit="day")
    return None


def _horizon(n: int, unit: str) -> Horizon | None:
    if unit == "quarter":
        n, unit = n * 3, "month"
    elif unit == "year":
        n, unit = n * 12, "month"
    if n > 366:
        return None
    return Horizon(n=n, unit=unit)  # type: ignore[arg-type]


# --- periods that depend on another one ---


def previous_period(period: Resolved) -> Resolved:
    """The period just before: the previous calendar unit for a unit (like for like when cut at today), the same
    number of days before it otherwise."""
    if period.unit in ("week", "month", "quarter", "year", "season"):
        unit = "month" if period.unit == "season" else period.unit
        months = {"month": 1, "quarter": 3, "year": 12}.get(unit)
        if period.unit == "season":
            months = 12
        if months is None:  # week
            start = period.start - timedelta(days=7)
            end = start + timedelta(days=6)
        else:
            start = add_months(period.start, -months)
            end = add_months(start, months) - timedelta(days=1)
        if period.to_date:
            end = min(end, start + (period.end - period.start))
        return Resolved(start, end, period.unit)
    if period.unit == "day":
        day = period.start - timedelta(days=1)
        return Resolved(day, day, "day")
    length = (period.end - period.start).days + 1
    return Resolved(period.start - timedelta(days=length), period.start - timedelta(days=1), period.unit)


def shift_period(period: Resolved, years: int = 0, days: int = 0) -> Resolved:
    if years:
        start, end = add_months(period.start, 12 * years), add_months(period.end, 12 * years)
        if period.unit == "month" and not period.to_date:
            end = month_bounds(start.year, start.month)[1]
        return Resolved(start, end, period.unit)
    return Resolved(period.start + timedelta(days=days), period.end + timedelta(days=days), period.unit)


def like_for_like(period: Resolved, other: Resolved) -> Resolved:
    """``other`` cut to as many days as ``period`` has, when ``period`` is a unit to date and ``other`` a whole unit
    of the same kind (this month so far against the same days of last month)."""
    if not period.to_date or other.to_date or other.unit != period.unit:
        return other
    return Resolved(other.start, min(other.end, other.start + (period.end - period.start)), other.unit)


def before_n(period: Resolved, n: int, unit: str) -> Resolved:
    """The ``n`` days/weeks/months just before ``period`` ("the previous 7 days")."""
    if unit in ("day", "week"):
        days = n * (7 if unit == "week" else 1)
        return Resolved(period.start - timedelta(days=days), period.start - timedelta(days=1))
    months = {"month": 1, "quarter": 3, "year": 12}[unit] * n
    return Resolved(add_months(period.start, -months), period.start - timedelta(days=1))


def unit_of(start: date, end: date) -> str:
    """The calendar unit a range of days is, when it is one; ``range`` otherwise (for follow-ups that only know the
    dates of the previous answer)."""
    if start == end:
        return "day"
    if start.weekday() == 0 and (end - start).days == 6:
        return "week"
    if start.day == 1 and end == month_bounds(start.year, start.month)[1]:
        return "month"
    if (
        start.day == 1
        and start.month in (1, 4, 7, 10)
        and end == quarter_bounds(start.year, (start.month - 1) // 3 + 1)[1]
    ):
        return "quarter"
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return "year"
    return "range"


def from_dates(start: date, end: date, today: date) -> Resolved:
    """A range of days as a ``Resolved``, recognising a whole unit and a unit to date."""
    unit = unit_of(start, end)
    if unit != "range":
        return Resolved(start, end, unit)
    for candidate in ("week", "month", "quarter", "year"):
        first, last = unit_bounds(candidate, start)
        if first == start and end == today and end < last:
            return Resolved(start, end, candidate, to_date=True)
    return Resolved(start, end, "range")


# every word the time phrases use, so that the typo corrector never "mends" one into something else
PERIOD_WORDS = frozenset(w for _, pattern in _P for w in re.findall(r"[a-z]{2,}", pattern.pattern))
