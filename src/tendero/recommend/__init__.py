"""Recommendations: interactions, orders and products in; ranked, filtered, explained items out.

Entry points: ``kind.RecommenderKind`` (model kind ``recommender``) trains a ``FittedRecommender``
(``fit``) and brings it up to new data without tuning again (``update``); ``recommender.Recommender``
serves it (``recommend``, ``score``, ``similar``, ``bought_together``; what a user did after
``trained_until()`` is folded in per request) and, through ``Recommender.rules_only``, answers without
any trained model. Inside: ``generators/`` (one candidate generator per module), ``fit`` (plan, tuning,
ranker, refit, update), ``hybrid`` (the fitted blend: scores, candidates, features, persistence).
"""
