"""Backup and restore: the whole desk out to one file and back, on either database."""
