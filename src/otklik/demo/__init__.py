"""Realistic Russian demo data for a first start."""
