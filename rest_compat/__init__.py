"""Legacy REST APIs reproduced over gateway.services (one package per API)."""

from rest_compat.shim import not_found, routes

__all__ = ["not_found", "routes"]
