"""A question (and the conversation's previous turn) → ``Understanding``: intent, slots, language.

One ``Understander`` per tenant vocabulary: it builds the typo lexicon once, then each question costs a few
hundred regular-expression scans over a short string (well under a millisecond).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from tendero.insights.assistant import intents as cues
from tendero.insights.assistant import periods
from tendero.insights.assistant.periods import NUMBER_WORDS, Resolved
from tendero.insights.assistant.schema import (
    ALLOWED_SLOTS,
    ASSISTANT_TYPES,
    INTENTS,
    Horizon,
    Period,
    Slots,
    Understanding,
)
from tendero.insights.assistant.text import (
    ENGLISH_WORDS,
    SPANISH_WORDS,
    Corrector,
    detect_language,
    fold,
    tokens,
    words,
)
from tendero.insights.assistant.vocabulary import Vocabulary

MAX_QUERY_CHARS = 2000
FUTURE_INTENTS = frozenset({"forecast", "product_demand", "likely_buyers"})
RANKING_INTENTS = frozenset({"top_products", "top_categories", "top_customers"})
CODE = re.compile(
    r"^\s*(?:select|with|insert|update|delete|drop|alter|create|truncate|grant|exec)\b.*\b(?:from|into|table|set|"
    r"where|as|values)\b|;\s*(?:--|drop|delete|select|insert|update)\b|\bunion\s+(?:all\s+)?select\b|"
    r"\bdrop\s+table\b|<script\b|\{\{|\$\{",
    re.DOTALL,
)
FOLLOW_UP_START = re.compile(
    r"^(?:y|e|and|what about|how about|what of|solo|only|just|pero|but|tambien|also|ahora|now|ok y|vale y|"
    r"ok and|entonces|then)\b"
)
PREVIOUS_WORDS = re.compile(r"\b(?:anterior|previo|previa|previous|before|prior|antes)\b")
BOTTOM_WORDS = re.compile(
    r"\b(?:peor|peores|worst|menos|least|bottom|lowest|slowest|menor|menores|fewest|less|flojos)\b"
)
TOP_WORDS = re.compile(
    r"\b(?:top|mejor|mejores|best|mas|most|biggest|highest|mayor|mayores|principales|more|lideres|mas vendidos)\b"
)
SINGULAR_NOUNS = {
    "top_products": re.compile(r"\b(?:producto|product|articulo|item|referencia)\b"),
    "top_categories": re.compile(r"\b(?:categoria|category|familia|seccion)\b"),
    "top_customers": re.compile(r"\b(?:cliente|customer|client|comprador|buyer)\b"),
}
MEASURES: list[tuple[str, re.Pattern[str]]] = [
    (
        "average_ticket",
        re.compile(
            r"\b(?:ticket (?:medio|promedio)|average (?:order|ticket|basket)|aov|order value|"
            r"valor medio|gasto medio|importe medio|avg order|mean ticket|ticket size|"
            r"basket value|cesta media)\b"
        ),
    ),
    (
        "customers",
        re.compile(
            r"\b(?:cuantos|numero de|how many|number of|cantidad de) (?:clientes|customers|"
            r"compradores|buyers|shoppers|clients)\b|\b(?:unique|distinct) customers\b|"
            r"\bclientes (?:unicos|distintos)\b"
        ),
    ),
    (
        "revenue",
        re.compile(
            r"\b(?:factur\w*|ingres\w*|revenue|turnover|euros?|dinero|money|income|importe|"
            r"by value|en valor|recaud\w*)\b"
        ),
    ),
    ("units", re.compile(r"\b(?:unidades|unidad|units|uds|piezas|cantidad|quantity|quantities)\b")),
    (
        "orders",
        re.compile(
            r"\b(?:pedidos|orders|transacciones|transactions|tickets|numero de compras|"
            r"number of purchases|order count)\b"
        ),
    ),
]
SUGGESTION_TOPICS: list[tuple[str, re.Pattern[str]]] = [
    (
        "price",
        re.compile(
            r"\b(?:(?:a )?que precio|precio (?:optimo|sugerido|ideal|recomendado)|mejor precio|"
            r"sugerencia de precio|sugiere un precio|(?:subir|bajar|subo|bajo) el precio|"
            r"(?:what|which|optimal|suggested|best|ideal) price|price suggestion|suggest a price|"
            r"(?:raise|lower) (?:the|its) price|elasticidad|elasticity)\b"
        ),
    ),
    ("bundles", re.compile(r"\b(?:packs?|bundles?|lotes?|armar|juntos|together)\b")),
    ("cross_sell", re.compile(r"\b(?:venta cruzada|cross sell\w*|cross selling)\b")),
    ("seasonal", re.compile(r"\b(?:temporada|season\w*|que vienen)\b")),
    ("slow_movers", re.compile(r"\b(?:rebaj\w*|descuentos?|discount\w*|slow\w*|lentos|liquidar)\b")),
    ("falling", re.compile(r"\b(?:cayendo|declin\w*|falling|bajando)\b")),
    ("rising", re.compile(r"\b(?:subiendo|trending|rising|crecen|creciendo|promocion\w*|promote)\b")),
]
SEARCH_COMMAND = words(
    "busca buscar busco buscame encuentra encontrar encuentrame search for find look up looking lookup teneis "
    "tienes tienen venden do you have got hay algo quiero im i'm i am me some any is there containing que "
    "contenga please por favor"
)
LEXICON_EXTRA = words(
    "vendimos vendido vendida vendidos vendidas vendemos vender vendio vendieron vendiste vendo vende venden "
    "venderemos vendere venderan venderia ventas venta facturamos facturado facturacion facturo facturar "
    "ingresos ingresamos compraron compro compran compra compras comprar comprado compren compraran "
    "cuanto cuanta cuantos cuantas pedidos pedido unidades unidad clientes cliente clienta productos producto "
    "categoria categorias semana semanas mes meses ano anos dia dias hoy ayer anteayer manana trimestre "
    "trimestres pasado pasada anterior proximo proxima proximos proximas ultimo ultima ultimos ultimas "
    "evolucion evolucionado evoluciona tendencia prevision pronostico previsto comparado compara comparar "
    "comparame frente contra respecto segmento segmentos recomienda recomiendo recomendaciones recomendar "
    "parecidos parecido similares similar alternativas sustitutos juntos junto together bought busca buscar "
    "encuentra search find sold sales sell selling customers customer products product categories category "
    "revenue units orders order month months week weeks year years day days today yesterday tomorrow last "
    "next previous compare compared versus trend forecast predict prediction average ticket value churn "
    "risk likely buyers buy segments segment recommend recommendations similar alternatives together "
    "search insights summary report analysis models model drift accurate accuracy reliable help examples "
    "what which who how much many show list give tell top best worst most least bottom"
)


class Understander:
    """Reads questions for one tenant's vocabulary."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        lexicon = set(cues.CUE_WORDS) | set(vocabulary.words()) | set(periods.MONTHS) | set(NUMBER_WORDS)
        lexicon |= set(periods.UNIT_WORDS) | periods.PERIOD_WORDS | SPANISH_WORDS | ENGLISH_WORDS | LEXICON_EXTRA
        lexicon |= RULE_WORDS
        self.corrector = Corrector(w for w in lexicon if " " not in w)

    def understand(
        self,
        query: str,
        today: date,
        previous: Understanding | dict[str, Any] | None = None,
        *,
        language: str | None = None,
        assistant_type: str | None = None,
    ) -> Understanding:
        """The intent and slots of ``query`` on ``today``; ``previous`` is the conversation's last understood turn."""
        raw = (query or "").strip()[:MAX_QUERY_CHARS]
        lang = detect_language(raw, language or "es")
        if not raw:
            return Understanding(intent="unknown", language=lang, confidence=1.0)  # type: ignore[arg-type]
        folded = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", fold(raw))
        if CODE.search(folded):
            return Understanding(intent="unknown", language=lang, confidence=1.0)  # type: ignore[arg-type]
        words = [self.corrector.correct(w) for w in tokens(folded)]
        text = " ".join(words)
        prior = _as_understanding(previous)
        mentions = periods.find_mentions(text)
        plain_words = tokens(periods.masked_text(text, mentions))
        customer = self.vocabulary.find_customer(plain_words)
        product = self.vocabulary.find_product(plain_words)
        category = self.vocabulary.find_category(plain_words)
        if (
            product is not None
            and category is not None
            and product.start < category.end
            and category.start < product.end
        ):
            if product.end - product.start > category.end - category.start:
                category = None
            else:
                product = None
        segment = self.vocabulary.find_segment(plain_words)
        measure = _measure(text, raw)
        is_product_id = product is not None and product.value in self.vocabulary.product_ids()
        direction = _direction(text)
        evidence = cues.Evidence(
            customer=customer is not None,
            product=is_product_id,
            family=product is not None and not is_product_id,
            category=category is not None,
            periods=sum(1 for m in mentions if m.kind not in _NOT_PERIODS),
            shift=any(m.kind in ("shift_year", "shift_week", "before_n") for m in mentions),
            horizon=any(m.kind in _HORIZONS for m in mentions),
            segment=segment.value if segment else None,
            measure=measure,
            direction=direction,
            past=any(
                m.kind in _PAST or (m.kind == "day_word" and dict(m.spec)["word"] not in ("hoy", "today"))
                for m in mentions
            ),
        )
        scores = cues.score_intents(text, evidence)
        preferred = ASSISTANT_TYPES.get(assistant_type or "", ())
        for intent in preferred:
            if intent in scores:
                scores[intent] += 1.0
        intent, confidence = cues.decide(scores, INTENTS)

        follow_up = prior is not None and prior.intent not in ("unknown", "help") and _is_follow_up(text, words, scores)
        base: dict[str, Any] = {}
        if follow_up and prior is not None:
            own = cues.score_intents(text, cues.Evidence())
            if intent == "unknown" or own.get(intent, 0.0) < 4.0:
                intent = prior.intent
            base = {k: v for k, v in prior.slots.as_json().items() if k in ALLOWED_SLOTS[intent]}
            confidence = max(confidence, 0.6)

        slots = dict(base)
        if category is not None:
            slots["category"] = category.value
            if follow_up:
                slots.pop("product", None)
        if product is not None:
            slots["product"] = product.value
            if follow_up:
                slots.pop("category", None)
        if customer is not None:
            slots["customer"] = customer.value
        if segment is not None and not (intent == "customers_at_risk" and segment.value == "at_risk"):
            slots["segment"] = segment.value  # "clientes en riesgo" is the question, not a segment filter
        if measure is not None:
            slots["measure"] = measure
        if direction is not None:
            slots["direction"] = direction
        n = _count(plain_words, {m for m in (customer, product, category) if m is not None})
        if n is None and intent in RANKING_INTENTS and "direction" in slots and "n" not in base:
            pattern = SINGULAR_NOUNS[intent]
            plural = re.compile(pattern.pattern.replace(r")\b", r")(?:s|es)\b"))
            if pattern.search(text) and not plural.search(text):
                n = 1
        if n is not None:
            slots["n"] = n

        self._place_periods(slots, mentions, intent, today, text, follow_up, prior)
        understood = Understanding(
            intent=intent,  # type: ignore[arg-type]
            slots=Slots.model_validate(slots),
            language=lang,  # type: ignore[arg-type]
            confidence=confidence,
            follow_up=follow_up,
            terms=_search_terms(raw) if intent == "product_search" else None,
            topic=_topic(text) if intent == "product_suggestions" else None,
        )
        return understood.keep_allowed()

    def canonical(self, understood: Understanding) -> Understanding:
        """Names written freely (a language model's reading) as the tenant writes them: "bebidas" → "Bebidas"."""
        found: dict[str, Any] = {}
        s = understood.slots
        lookups = (
            ("category", s.category, self.vocabulary.find_category),
            ("product", s.product, self.vocabulary.find_product),
            ("customer", s.customer, self.vocabulary.find_customer),
            ("segment", s.segment, self.vocabulary.find_segment),
        )
        for name, value, find in lookups:
            if value:
                match = find([self.corrector.correct(w) for w in tokens(fold(value))])
                if match is not None:
                    found[name] = match.value
        return understood.model_copy(update={"slots": understood.slots.model_copy(update=found)})

    def _place_periods(
        self,
        slots: dict[str, Any],
        mentions: list[periods.Mention],
        intent: str,
        today: date,
        text: str,
        follow_up: bool,
        prior: Understanding | None,
    ) -> None:
        future = intent in FUTURE_INTENTS
        found: list[Resolved] = []
        horizon: Horizon | None = None
        shifts: list[periods.Mention] = []
        for mention in mentions:
            if mention.kind in _NOT_PERIODS:
                if mention.kind in _HORIZONS:
                    resolved = periods.resolve(mention, today, future)
                    if isinstance(resolved, Horizon) and horizon is None:
                        horizon = resolved
                else:
                    shifts.append(mention)
                continue
            resolved = periods.resolve(mention, today, future)
            if isinstance(resolved, Resolved):
                found.append(resolved)
        if horizon is not None:
            slots["horizon"] = horizon.model_dump()
        if follow_up and prior is not None and prior.slots.period is not None and PREVIOUS_WORDS.search(text):
            before = periods.from_dates(prior.slots.period.start, prior.slots.period.end, today)
            slots["period"] = _period_json(periods.previous_period(before))
            if prior.slots.compare_to is not None:
                other = periods.from_dates(prior.slots.compare_to.start, prior.slots.compare_to.end, today)
                slots["compare_to"] = _period_json(periods.previous_period(other))
            return
        if not found:
            if intent == "sales_compare" and "period" in slots and "compare_to" not in slots:
                current = Period.model_validate(slots["period"])
                resolved_prior = periods.from_dates(current.start, current.end, today)
                slots["compare_to"] = _period_json(periods.previous_period(resolved_prior))
            return
        period = found[0]
        slots["period"] = _period_json(period)
        compare: Resolved | None = None
        if len(found) > 1:
            compare = periods.like_for_like(period, found[1])
        for shift in shifts:
            spec = dict(shift.spec)
            if shift.kind == "shift_year":
                compare = periods.shift_period(period, years=-1)
            elif shift.kind == "shift_week":
                compare = periods.shift_period(period, days=-7)
            elif shift.kind == "before_n":
                n = periods._number(spec.get("num") or spec.get("num2") or "")
                unit = periods.UNIT_WORDS.get(spec.get("unit") or spec.get("unit2") or "", "day")
                if n:
                    compare = periods.before_n(period, n, unit)
        if compare is None and intent == "sales_compare":
            compare = periods.previous_period(period)
        if compare is not None:
            slots["compare_to"] = _period_json(compare)
        elif follow_up:
            slots.pop("compare_to", None)


_HORIZONS = frozenset({"next_n", "next_unit", "tomorrow"})
RULE_WORDS = (
    frozenset(
        w
        for pattern in (
            CODE,
            FOLLOW_UP_START,
            PREVIOUS_WORDS,
            BOTTOM_WORDS,
            TOP_WORDS,
            *SINGULAR_NOUNS.values(),
            *(p for _, p in MEASURES),
            *(p for _, p in SUGGESTION_TOPICS),
        )
        for w in re.findall(r"[a-z]{2,}", pattern.pattern)
    )
    | SEARCH_COMMAND
)
_NOT_PERIODS = _HORIZONS | {"shift_year", "shift_week", "before_n"}
_PAST = frozenset({"last_unit", "last_n", "weekend", "since_month", "month_last_year", "last_month_name"})


def _period_json(period: Resolved) -> dict[str, str]:
    return period.as_json()


def _as_understanding(previous: Understanding | dict[str, Any] | None) -> Understanding | None:
    if previous is None or isinstance(previous, Understanding):
        return previous
    try:
        return Understanding(intent=previous["intent"], slots=Slots.model_validate(previous.get("slots") or {}))
    except Exception:  # a stored turn from an older schema: no follow-up rather than an error
        return None


def _is_follow_up(text: str, words: list[str], scores: dict[str, float]) -> bool:
    if FOLLOW_UP_START.search(text):
        return True
    strongest = max((s for s in scores.values()), default=0.0)
    return len(words) <= 4 and strongest < 4.0


def _measure(text: str, raw: str) -> str | None:
    first: tuple[int, str] | None = None
    for name, pattern in MEASURES:
        match = pattern.search(text)
        if match and name == "average_ticket":
            return name
        if match and (first is None or match.start() < first[0]):
            first = (match.start(), name)
    if first is None and "€" in raw:
        return "revenue"
    return first[1] if first else None


def _direction(text: str) -> str | None:
    bottom, top = BOTTOM_WORDS.search(text), TOP_WORDS.search(text)
    if bottom and (not top or bottom.start() <= top.start() or top.group(0) in ("mas", "more")):
        return "bottom"
    if top:
        return "top"
    return None


_NOT_COUNTS = re.compile(
    r"^(?:ml|l|g|kg|gr|cl|litros?|kilos?|gramos|%|euros?|eur|x|dias|days|semanas|weeks|meses|"
    r"months|anos|years|horas|hours|minutos|lineas|lines|veces|times|trimestres|quarters)$"
)


def _count(words: list[str], entities: set[Any]) -> int | None:
    """The first count in the question ("top 5", "los diez"), not a size, a date or part of a name or id."""
    taken: set[int] = set()
    for match in entities:
        taken.update(range(match.start, match.end))
    for i, word in enumerate(words):
        if i in taken:
            continue
        value: int | None = None
        if word.isdigit() and len(word) <= 3:
            value = int(word)
        elif word in NUMBER_WORDS and word not in ("un", "uno", "una", "a", "one"):
            value = NUMBER_WORDS[word]
        if value is None or not 1 <= value <= 500:
            continue
        if i + 1 < len(words) and _NOT_COUNTS.match(words[i + 1]):
            continue
        return value
    return None


def _search_terms(raw: str) -> str:
    kept = [w for w in re.findall(r"[\w'-]+", raw) if fold(w) not in SEARCH_COMMAND]
    return " ".join(kept) or raw


def _topic(text: str) -> str | None:
    for name, pattern in SUGGESTION_TOPICS:
        if pattern.search(text):
            return name
    return None
