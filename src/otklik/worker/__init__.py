"""The worker: one loop that runs due jobs (timers, deliveries, sweeps)."""
