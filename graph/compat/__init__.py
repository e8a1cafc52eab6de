"""The one place per library where the service leans on names a library does not document.

Each module here holds every private or undocumented name of one library the
edge relies on (graphql-core, Strawberry, Starlette, prometheus-client), and
tests/unit/test_compat_<library>.py pins each of them, so an upgrade that
changes one fails there and nowhere else. datasources/compat/ does the same
for the data layer's libraries.
"""
