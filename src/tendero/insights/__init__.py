"""Domain: sales analysis, product suggestions and the assistant's understanding of questions (no HTTP, no SQL)."""
