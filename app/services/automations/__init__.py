"""Conversations that work for the salon: reply to confirm, opt-out keywords, the out-of-hours reply.

The webhook worker calls `answer_customer` for each new incoming message; replies are stored once
(unique key) and sent to Chatwoot by a job after the commit.
"""

from app.services.automations.respond import answer_customer

__all__ = ["answer_customer"]
