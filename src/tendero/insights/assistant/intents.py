"""Which of the assistant's intents a question asks for: weighted cue phrases in Spanish and English, plus
what the question names (a customer id, a product, two periods), summed per intent.

Phrases are written folded (no accents) with ``*`` for "any ending" and ``~`` for "up to two words between";
each phrase counts once. The highest score wins; under ``MIN_SCORE`` the question is ``unknown``. Ties go to the
intent listed first in ``schema.INTENTS``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# weight: phrase; phrase; ...   (one block per intent)
CUE_TABLE = """
[sales_total]
3: venta; ventas; vendimos; vendido; vendida; vendidos; vendidas; vendemos; vendio; vendieron; vendo; vende;
    venden; vender; factur*; ingres*; sales; sold; revenue; turnover; sell; recaud*; compraron; compro; bought;
    purchased
2: gast*; spend; spent
1.5: cuanto*; how much; how many; numero de; number of; total*; cuantos pedidos; cuantas unidades
1: hubo; hicimos; hemos; did we; make; made

[sales_compare]
4: vs; versus; compar*; frente a; frente al; contra; respecto; en comparacion; than; comparado*; compair
4: han subido; han bajado; ha subido; ha bajado; subieron; crecimos; hemos crecido; go up; went up; gone up;
    go down; went down; grow*; grew; increase*; decrease*; aument*; mas que; more than; less than; menos que;
    mas ~ que; more ~ than; less ~ than; menos ~ que
4: frente al anterior; frente a la anterior; contra el anterior; contra la anterior; respecto al anterior;
    respecto a la anterior; vs el anterior; vs la anterior; than the previous; vs the previous; versus the previous;
    against the previous; compared to the previous; compared with the previous; than the one before

[sales_trend]
4: evoluci*; evolved; evolve*; tendencia de; tendencia; trend; trends; over time; a lo largo; mes a mes;
    month by month; dia a dia; semana a semana; week by week; day by day; hacia arriba o hacia abajo; up or down;
    grafic*; chart; plot; graph
4: por dia; por semana; por mes; per day; per week; per month; diari*; semanal*; mensual*; daily; weekly; monthly

[top_products]
3: best sellers; best seller; best selling; top sellers; top selling; mas vendid*; menos vendid*; most popular;
    least popular; que menos se venden; que mas se venden; sell the least; sell the most; sold the most;
    sold the least; mas se vend*; menos se vend*; vendo mas; vendo menos; vendio mas; vendio menos; vendieron mas;
    vendieron menos; top ~ productos; top ~ products
2: producto*; product; products; articulo*; item; items; referencias
1.5: top; mejor*; peor*; best; worst; ranking; bottom; slowest; most; least; mas; menos

[top_categories]
3.5: categori*; category; categories; familia; familias; por seccion; secciones
2: breakdown; desglose
1.5: top; mejor*; peor*; best; worst; ranking; most; least; mas; menos; por; by

[average_ticket]
4: ticket medio; ticket promedio; average ticket; average order; order value; aov; avg order; valor medio;
    gasto medio; importe medio; mean ticket; ticket size; basket value; average basket; cesta media; ticket;
    gasta de media
2.5: de media; en promedio; on average; per order; por pedido; por compra; average; promedio; medio

[forecast]
3.5: prevision*; previsto; prevista; pronostic*; forecast*; forcast; predic*; predict*; proyecc*; projected;
    projection; esperamos; expected; expect; venderemos; vendere; venderan; vamos a vender; will sell;
    will we sell; will sales; will we make; going to sell; look like; crees que
1: ventas; sales; vender; sell

[product_demand]
4: demanda; demand; reponer; repon*; restock*; stock; reabastec*; inventario; inventory; need to order;
    tengo que pedir; necesito pedir; cuanto pedir
2: prevision*; forecast*; predic*; predicted; expected; venderemos; vendere; venderan; will we sell; se venderan

[customers_at_risk]
4: riesgo de; en riesgo; at risk; churn*; abandon*; fuga; irse; se van; se vayan; se pueden ir; se puede ir;
    podemos perder; might we lose; might lose; could lose; lose; dejar de comprar; stop buying; stopped buying;
    en peligro; a punto de; churners; churning; perder
1: clientes; customers; clients; riesgo; risk

[customer_insight]
3: hablame; sabemos de; know about; perfil; profile; info; insights for; insight; valor de vida; clv;
    lifetime value; lifetime; que segmento; which segment; en que segmento; tell me about; se va a ir;
    going to churn; will churn

[likely_buyers]
4: probabilidad de comprar; probablemente compren; probables compradores; likely to buy; likely buyers;
    likely purchasers; likely to purchase; most likely; va a comprar; van a comprar; compraran; volveran a comprar;
    volver a comprar; come back; campana; campaign; target; will buy; who will buy; quien va a comprar;
    compradores probables; probable*
1: clientes; customers; pronto; soon

[segments]
4: segment*; rfm; reparten; repartidos; segmentacion; segmentation
1.5: clientes; customers; cuantos; how many; lista; list

[top_customers]
3: top ~ clientes; top ~ customers; top ~ clients; mejores clientes; mejor cliente; best customers; best customer;
    top clientes; top customers; top clients; biggest spenders; spenders; most valuable; mas valiosos;
    que mas gastan; que mas compran; que mas compraron; que mas gastaron; spent the most; spend the most;
    most orders; mas pedidos; ranking de clientes; mejores clinetes; clientes que mas
2: clientes; cliente; customers; customer; clients; client; compradores
1.5: top; mejor*; best; most; mas; biggest; mayores

[recommend_for_customer]
4: recomiend*; recomend*; recommend*; recomendacion*; personalizad*; personalised; personalized; picks; next best;
    ofrecer; le puedo vender; like to buy; would like; le gustaria
2: sugerencias para; suggest; sugiere; sugerir; productos para

[similar_products]
4: parecid*; similar*; similiar; alternativ*; sustitut*; substitut*; se parece; anything like; items like;
    products like; productos como; algo como; algo parecido

[bought_together]
4: junto; juntos; together; acompana; acompanan; goes with; go with; conjunt*; also buy; tambien compran;
    se suele llevar; suele llevar; se lleva con; purchased with; bought with; compran con; comprados con;
    comprado con; combina con

[product_search]
4: busca; buscar; busco; buscame; encuentra; encontrar; search; find; look up; looking for; teneis; tienes; tienen;
    venden; do you have; have you got; hay algo para; is there any; containing; que contenga*

[insights]
4.5: resumen; summary; summarize; summarise; como va el negocio; como van las cosas; como vamos;
    how is the business; business doing; how are we doing; que ha pasado; what happened; analisis; analysis;
    insights; informe; report; por que; why; deba saber; should know; unusual; raro; rara; anomal*; novedades;
    lately; ultimamente; algo que deba; destacable; negocio; business
4: analisis de; analisis del; analysis of; analysis for; sales analysis; informe de; informe del; report on;
    report for; sales report

[product_suggestions]
4: promocion*; promote; rebaj*; descuento*; discount*; sugerencias de productos; product suggestions; packs;
    bundle*; lotes; temporada; season; estan subiendo; trending; cayendo; declin*; falling; venta cruzada;
    cross sell; slow movers; slow moving; lentos; rising; que vienen; suggestions; sugerencias; sugerir productos;
    armar; liquidar
7: que precio; a que precio; precio optimo; precio sugerido; precio ideal; precio recomendado; mejor precio;
    sugerencia de precio; sugiere un precio; subir el precio; bajar el precio; subo el precio; bajo el precio;
    what price; which price; optimal price; suggested price; best price; ideal price; price suggestion;
    suggest a price; raise the price; lower the price; raise its price; lower its price; elasticidad; elasticity

[model_health]
5: modelo; modelos; model; models; drift; fiable; precision; accura*; reliab*; entrenaron; entrenado*; trained;
    que tan buena; que tan bueno; how good; error de

[help]
4: ayuda; help; que puedes hacer; what can you do; que sabes hacer; que te puedo preguntar; what can i ask;
    como funcionas; how do you work; ejemplos; example; examples; what do you know; que sabes
3: hola; hi; hello; hey; buenos dias; buenas tardes; buenas; good morning
"""
MIN_SCORE = 3.0


def _phrase_regex(phrase: str) -> str:
    out = ""
    for word in phrase.split():
        if word == "~":
            out += r"(?:\S+ ){0,2}"
        else:
            out += re.escape(word.rstrip("*")) + (r"\S*" if word.endswith("*") else "") + " "
    return r"(?:^| )" + out.rstrip(" ") + r"(?= |$)"


@dataclass(frozen=True)
class CueGroup:
    """One line of the table: any of its phrases adds ``weight`` to ``intent``, once."""

    intent: str
    weight: float
    phrases: tuple[str, ...]
    pattern: re.Pattern[str]


def _parse(table: str) -> list[CueGroup]:
    groups: list[CueGroup] = []
    pending: list[tuple[str, float, list[str]]] = []
    current: tuple[str, float, list[str]] = ("", 0.0, [])
    intent = ""
    for line in table.strip().splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("["):
            intent = line.strip("[]")
            continue
        head = re.match(r"^(\d+(?:\.\d+)?):", line)
        if head is None:  # a continuation of the previous weight's phrases
            current[2].extend(p.strip() for p in line.split(";") if p.strip())
            continue
        current = (intent, float(head.group(1)), [p.strip() for p in line[head.end() :].split(";") if p.strip()])
        pending.append(current)
    for intent, weight, phrases in pending:
        pattern = re.compile("|".join(_phrase_regex(p) for p in phrases))
        groups.append(CueGroup(intent, weight, tuple(phrases), pattern))
    return groups


CUES = _parse(CUE_TABLE)
CUE_WORDS = frozenset(
    w.rstrip("*") for group in CUES for p in group.phrases for w in p.split() if w != "~" and not w.endswith("*")
)


@dataclass(frozen=True)
class Evidence:
    """What the question names besides its words; each fact moves some intents up or down."""

    customer: bool = False
    product: bool = False  # one product (an id)
    family: bool = False  # several products by their shared first words
    category: bool = False
    periods: int = 0
    shift: bool = False  # "the same month last year", "the previous 7 days"
    horizon: bool = False
    segment: str | None = None
    measure: str | None = None
    past: bool = False  # a period that has begun (sales so far), not one ahead
    direction: str | None = None


def score_intents(text: str, evidence: Evidence) -> dict[str, float]:
    """Every intent's score for the folded, corrected text."""
    scores: dict[str, float] = {}
    for group in CUES:
        if group.pattern.search(text):
            scores[group.intent] = scores.get(group.intent, 0.0) + group.weight
    _adjust(scores, evidence)
    return scores


def matched_phrases(text: str) -> dict[str, list[str]]:
    """Which phrases matched, per intent (for explaining a decision and for tests)."""
    out: dict[str, list[str]] = {}
    for group in CUES:
        for phrase in group.phrases:
            if re.search(_phrase_regex(phrase), text):
                out.setdefault(group.intent, []).append(phrase)
    return out


def _add(scores: dict[str, float], intent: str, value: float) -> None:
    scores[intent] = scores.get(intent, 0.0) + value


def _adjust(scores: dict[str, float], e: Evidence) -> None:
    if e.customer:
        _add(scores, "customer_insight", 3.0)
        _add(scores, "recommend_for_customer", 1.5)
        _add(scores, "sales_total", 0.5)
        _add(scores, "customers_at_risk", -3.0)
        _add(scores, "top_customers", -3.0)
        _add(scores, "likely_buyers", -3.0)
        _add(scores, "segments", -3.0)
    if e.product:
        for intent in ("product_demand", "similar_products", "bought_together"):
            _add(scores, intent, 1.5)
        _add(scores, "forecast", -3.0)
        _add(scores, "top_products", -2.0)
    if e.family:
        _add(scores, "product_demand", 1.0)
        _add(scores, "forecast", -1.0)
    if e.periods >= 2 or e.shift:
        _add(scores, "sales_compare", 3.5)
    if e.periods >= 1:
        _add(scores, "sales_total", 0.5)
    if e.horizon:
        for intent in ("forecast", "product_demand", "likely_buyers"):
            _add(scores, intent, 1.0)
    if e.segment and e.segment != "at_risk":
        _add(scores, "segments", 3.0)
    if e.measure:
        _add(scores, "sales_total", 1.0)
    if e.horizon and not e.past:
        _add(scores, "sales_total", -1.5)
    if scores.get("customers_at_risk", 0.0) >= 4.0 or scores.get("likely_buyers", 0.0) >= 4.0:
        _add(scores, "top_customers", -3.0)  # "top 5 customers at risk" ranks risk, not spend
    for intent in ("top_products", "top_categories", "top_customers"):
        if e.direction and scores.get(intent, 0.0) >= 3.5:  # a ranking word and the thing ranked
            _add(scores, intent, 1.5)
    if e.measure == "average_ticket":  # "the trend of the average ticket" is a trend of that measure
        for intent in ("sales_trend", "sales_compare"):
            if scores.get(intent, 0.0) >= 3.0:
                _add(scores, intent, 3.0)
    if e.past and not e.horizon:
        _add(scores, "forecast", -1.0)
        _add(scores, "product_demand", -1.0)
    if not (e.product or e.family):
        _add(scores, "product_demand", -2.0)
    if not e.customer:
        _add(scores, "customer_insight", -2.0)


def decide(scores: dict[str, float], order: tuple[str, ...]) -> tuple[str, float]:
    """The best intent and a confidence in [0, 1] (the margin over the runner-up, squashed)."""
    ranked = sorted(((s, -order.index(i), i) for i, s in scores.items() if i in order), reverse=True)
    if not ranked or ranked[0][0] < MIN_SCORE:
        return "unknown", 1.0 if not ranked else min(1.0, max(0.0, 1.0 - ranked[0][0] / MIN_SCORE))
    best = ranked[0][0]
    second = ranked[1][0] if len(ranked) > 1 else 0.0
    return ranked[0][2], round(min(1.0, 0.5 + (best - second) / 8.0), 3)
