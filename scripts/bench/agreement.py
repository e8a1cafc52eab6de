"""Whether a peer answered a request with the same data as autos-graph.

A race is only fair when both sides do the same work, so the harness sends
each workload's requests to both before timing anything and stops on the first
difference (PeerMismatch), naming where the answers part.
"""

from __future__ import annotations

from typing import Any

import orjson

# Requests per workload and mode sent to both sides before timing (besides the repeated one).
SAMPLES = 12


class PeerMismatch(RuntimeError):
    """A peer's answer differs from autos-graph's: the race would compare different work."""


def first_difference(ours: Any, theirs: Any, *, path: str = "$") -> str | None:
    """The JSON path of the first place two decoded answers differ, or None when equal."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        for key in sorted(set(ours) | set(theirs)):
            if key not in ours or key not in theirs:
                side = "autos-graph" if key not in ours else "the peer"
                return f"{path}.{key}: missing in {side}'s answer"
            found = first_difference(ours[key], theirs[key], path=f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(ours, list) and isinstance(theirs, list):
        if len(ours) != len(theirs):
            return f"{path}: {len(ours)} items vs {len(theirs)}"
        for position, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            found = first_difference(a, b, path=f"{path}[{position}]")
            if found:
                return found
        return None
    if ours != theirs or type(ours) is not type(theirs):
        return f"{path}: {orjson.dumps(ours)[:120].decode()} vs {orjson.dumps(theirs)[:120].decode()}"
    return None


def disagreement(*, graphql: bool, ours: tuple[int, bytes], theirs: tuple[int, bytes]) -> str | None:
    """Why the two answers (status, body) are not the same data, or None when they are.

    GraphQL answers compare `data` and must carry no errors (extensions differ by
    design); REST answers compare status and the whole body.
    """
    (our_status, our_body), (their_status, their_body) = ours, theirs
    if our_status != their_status:
        return f"HTTP {our_status} from autos-graph vs {their_status} from the peer"
    try:
        our_answer, their_answer = orjson.loads(our_body), orjson.loads(their_body)
    except orjson.JSONDecodeError as error:
        return f"an answer is not JSON: {error}"
    if graphql:
        for side, answer in (("autos-graph", our_answer), ("the peer", their_answer)):
            if answer.get("errors"):
                return f"{side} answered errors: {orjson.dumps(answer['errors'])[:300].decode()}"
            if answer.get("data") is None:
                return f"{side} answered without data"
        return first_difference(our_answer["data"], their_answer["data"], path="$.data")
    return first_difference(our_answer, their_answer)
