"""The HTTP and WebSocket layer's own defences: body, header and time limits, CORS and
security headers, and the uvicorn protocol adjustments that make refusals visible."""
