"""Subscriptions: the long-lived transports of the one pipeline.

graphql-transport-ws over a WebSocket (websocket.py) and the graphql-sse
protocol's distinct connections over Server-Sent Events (event_stream.py) both
open an operation through operation.py, which reads the document through the
pipeline's own document cache, validation rules and limits; open.py bounds
what one client holds open and lets shutdown complete them all.
"""
