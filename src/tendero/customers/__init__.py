"""Customer intelligence: transactions in; segments, churn risk, next purchases and lifetime value out.

- ``transactions``: order lines -> orders and returns; per-customer BTYD summaries.
- ``rfm``: RFM scores, the ten named segments (es/en), k-means clusters described in words.
- ``btyd``: Pareto/NBD, BG/NBD, modified BG/NBD and Gamma-Gamma by maximum likelihood (SciPy).
- ``features`` and ``churn``: behaviour features and the LightGBM churn model with reasons.
- the fit's stages: ``backtest``, ``selection`` (BTYD and churn model), ``calibration`` (purchase
  factor), ``spend``, ``scoring`` (one table per customer); ``settings``: what a fit is asked.
- ``model``: ``fit_customer_model`` and ``CustomerModel`` (what the API calls); ``kind``: the kind.
"""
