"""The REST v1 compatibility shim: the old Express backend's endpoints over the shared operations."""

from graph.rest.routes import rest_routes

__all__ = ["rest_routes"]
