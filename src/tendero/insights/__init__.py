"""Domain: sales analysis, product suggestions and the assistant's reading of questions (no HTTP, no SQL)."""
