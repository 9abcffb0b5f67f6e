"""Keeping a linked contact's custom attributes fresh: marked in the writer's transaction, pushed by the worker."""
