"""Recommendations: interactions, orders and products in; ranked, filtered, explained items out.

Entry points: ``kind.RecommenderKind`` (model kind ``recommender``) trains a ``FittedRecommender``;
``recommender.Recommender`` serves it (``recommend``, ``score``, ``similar``, ``bought_together``)
and, through ``Recommender.rules_only``, answers without any trained model.
"""
