"""Candidate generators: each scores the whole catalogue for a batch of users from their history rows.

All generators share one shape: ``fit(...)`` on a users×items CSR matrix (or item texts), then
``scores(history) -> dense (n_users × n_items)`` where ``history`` is the users' CSR rows. Scoring
from history rows (instead of stored user ids) gives fold-in for free: a user who was not in the
training data is scored from whatever they did since. ``row_scores(...)`` scores one user from plain
arrays: on the request path the sparse-matrix bookkeeping of ``scores`` costs more than the
arithmetic, so the serving path skips it (tests hold both paths to the same numbers).

Each generator saves and loads its own parts: ``arrays(prefix)`` (plain arrays for an ``.npz`` file),
``settings()`` (JSON) and ``restore(arrays, prefix, settings)``.
"""

from tendero.recommend.generators.als import Als
from tendero.recommend.generators.content import ContentSimilarity
from tendero.recommend.generators.cooccurrence import CoOccurrence, session_baskets
from tendero.recommend.generators.ease import Ease
from tendero.recommend.generators.item_knn import ItemKnn
from tendero.recommend.generators.popularity import Popularity
from tendero.recommend.generators.transitions import Transitions

__all__ = [
    "Als",
    "CoOccurrence",
    "ContentSimilarity",
    "Ease",
    "ItemKnn",
    "Popularity",
    "Transitions",
    "session_baskets",
]
