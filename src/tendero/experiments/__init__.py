"""A/B experiments: sticky hashed assignment, the statistics of the comparison, and the verdict in words.

Pure functions on arrays and frames: no HTTP, no SQL. ``assignment`` buckets units, ``statistics``
compares two arms (Welch, two proportions, delta-method ratios, CUPED, SRM, always-valid intervals),
``analysis`` turns unit-level outcomes into per-metric results, ``verdict`` says it in Spanish or English.
"""
