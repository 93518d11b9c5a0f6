"""Domain: sales analysis, product suggestions, the assistant's intents and slots (data frames in, answers out)."""
