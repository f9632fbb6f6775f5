"""Routing: every new ticket gets a named owner by skill, language, presence, shift and load."""
