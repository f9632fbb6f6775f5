"""Timers: SLA policies, business calendars and the pure math of due times."""
