"""The HTTP server: an ASGI app testable in process, its workers, content negotiation, OpenAPI."""
