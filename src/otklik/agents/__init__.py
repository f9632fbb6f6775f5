"""Agents, teams, skills and how they prove who they are."""
