"""The data layer's seams onto its libraries' private and undocumented names: one module per library.

Where the public API of elastic-transport or aiocache does not give what a
module here needs, the module reaches the library only through its
compatibility module, and a test per compatibility module
(tests/unit/test_compat_<library>.py) pins every name it holds, so an upgrade
that moves or reshapes one fails there and not in production. Nothing outside
this package imports a private name of those libraries.
"""
