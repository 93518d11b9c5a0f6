"""The training platform's domain: a user's uploaded table in, their own trained model out.

- ``datasets``: read CSV/JSON/JSON lines/Parquet with a row-and-column report, schema, task checks
- ``algorithms``: typed hyperparameters, trainers with progress, native-file estimators
- ``preprocess``: automatic preprocessing saved as JSON
- ``evaluation``: held-out metrics and permutation importance (scikit-learn's own functions)
- ``tuning``: Optuna search over a declared space
- ``model``: ``TabularModel`` (predict, save, load) and row validation against the schema
- ``kind``: the ``tabular`` model kind
"""
