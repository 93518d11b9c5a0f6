"""Product suggestions: bundles, rising and falling products, slow movers, cross-sell, seasonal products."""
