"""The child's family network as a small graph: the child in the middle, the people who matter around them.

Pure layout (positions and labels); the child page draws it as inline SVG, styled by the stylesheet (the content
security policy allows no inline styles), with the network also listed as text beside it.

Example:
    >>> g = network_graph("Amy", [("Rose Hill", "grandparent", False, True)], size=200)
    >>> (g.nodes[0].x, g.nodes[0].y, g.nodes[0].anchor)
    (100.0, 28.0, 'middle')
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["GraphNode", "NetworkGraph", "network_graph"]

#: Beyond this many people the graph would be unreadable; the list beside it still names everyone.
MAX_NODES = 14
_LABEL_CHARS = 18


@dataclass(frozen=True)
class GraphNode:
    """One person around the child: where they are drawn, their name and how they are related."""

    x: float
    y: float
    label: str
    relationship: str
    has_parental_responsibility: bool
    is_carer: bool
    anchor: str  # where the label hangs from: start, middle or end


@dataclass(frozen=True)
class NetworkGraph:
    """The drawing: its size (a square, with ``margin`` either side for the labels), the child in the centre, the
    people around them, how many were left out."""

    size: int
    margin: int
    centre: float
    child_label: str
    nodes: list[GraphNode]
    left_out: int


def _short(text: str) -> str:
    return text if len(text) <= _LABEL_CHARS else text[: _LABEL_CHARS - 1] + "…"


def network_graph(child_name: str, members: list[tuple[str, str, bool, bool]], *, size: int = 300) -> NetworkGraph:
    """Lay out ``members`` (name, relationship, has parental responsibility, is the Family Network Plan's carer)
    evenly on a circle around the child, the first at the top, going clockwise."""
    shown = members[:MAX_NODES]
    centre = size / 2
    radius = size * 0.36
    nodes = []
    for index, (name, relationship, has_pr, is_carer) in enumerate(shown):
        angle = -math.pi / 2 + 2 * math.pi * index / max(len(shown), 1)
        x = round(centre + radius * math.cos(angle), 1)
        y = round(centre + radius * math.sin(angle), 1)
        anchor = "middle" if abs(x - centre) < size * 0.08 else ("start" if x > centre else "end")
        nodes.append(GraphNode(x, y, _short(name), _short(relationship.replace("_", " ")), has_pr, is_carer, anchor))
    return NetworkGraph(size, size // 4, centre, _short(child_name), nodes, len(members) - len(shown))
