"""Reaching people: messages in Spanish and English, signed webhooks (Slack-compatible or generic JSON),
email over SMTP with STARTTLS, and sealed secrets. Knows nothing of the store, HTTP routes or schedules:
it takes a message and an address and reports what the other side answered.
"""
