"""Domain: sales analysis, product suggestions and the assistant's understanding of questions (data frames in, answers out; no HTTP, no SQL)."""
