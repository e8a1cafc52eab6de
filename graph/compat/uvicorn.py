"""uvicorn's undocumented behaviour that the SIGTERM drain relies on.

No code here calls uvicorn: this module states what the SIGTERM drain
(graph/http/draining.py) and `autos-graph serve` (graph/cli/main.py) rely on in
uvicorn's signal handling, which its documentation does not promise: uvicorn
installs its SIGTERM handler before the lifespan starts, and after a graceful
stop raises the signal again with the handler it found in place.

tests/unit/test_compat_uvicorn.py pins both, so a uvicorn upgrade that changes
either fails there.
"""
