"""Channels: adapters that speak each channel's format, and per-channel settings."""
