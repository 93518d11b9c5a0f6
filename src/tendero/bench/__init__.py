"""The harness behind ``tendero bench``: real data in, one JSON object of figures out."""
