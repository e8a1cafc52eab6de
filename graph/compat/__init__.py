"""The edge's seams onto its libraries' private and undocumented names: one module per library.

Where a library's public API does not give what the edge needs, the edge
reaches the library only through its module here, and a test per module
(tests/unit/test_compat_<library>.py) pins every name it holds, so an upgrade
that moves or reshapes one fails there and not in production. Nothing outside
this package imports a private or undocumented name of those libraries.
"""
