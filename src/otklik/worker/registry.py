"""Imports every module that registers job handlers, so a worker knows all kinds."""

from __future__ import annotations

import importlib

TASK_MODULES = (
    "otklik.worker.diagnostics",
    "otklik.messages.tasks",
    "otklik.tickets.tasks",
    "otklik.messages.link_tasks",
    "otklik.tickets.portal_tasks",
    "otklik.routing.tasks",
    "otklik.bot.tasks",
    "otklik.triage.tasks",
    "otklik.analytics.tasks",
    "otklik.privacy.tasks",
)


def load() -> None:
    for module in TASK_MODULES:
        importlib.import_module(module)
