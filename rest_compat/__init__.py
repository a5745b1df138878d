"""Legacy REST APIs reproduced over gateway.services (one package per API)."""
