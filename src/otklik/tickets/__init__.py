"""Tickets: the honest status machine, ownership, holds and references."""
