"""The label of a GraphQL request in the access log and the metrics: the operation that runs.

Taken from the document the pipeline parsed for the request, so it names the
operation that runs; `unparsed` when none does. Never the query text or variables.
"""

from __future__ import annotations

import re
from typing import Final

from graphql import OperationDefinitionNode

ANONYMOUS: Final = "anonymous"
UNPARSED: Final = "unparsed"

_NAME: Final = re.compile(r"^[_A-Za-z][_0-9A-Za-z]{0,99}$")


def label(operation: OperationDefinitionNode | None) -> str:
    if operation is None:
        return UNPARSED
    return operation.name.value if operation.name else ANONYMOUS


def label_of_name(operation_name: str | None) -> str:
    """The label of a request whose document is not known (a persisted query's unknown hash)."""
    if not operation_name:
        return ANONYMOUS
    return operation_name if _NAME.match(operation_name) else UNPARSED
