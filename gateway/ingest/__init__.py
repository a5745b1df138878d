"""Sensor ingest over HTTP."""
