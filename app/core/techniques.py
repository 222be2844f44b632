"""Named creative techniques that seed each idea, so a set of ideas is varied by
construction rather than by luck. Each is asked of the model as the kind of title to
suggest: a 135M model follows "a myth-busting title" but not a paragraph of rules. Each idea card names the technique that sparked
it, so creators learn the move.

Public: ``Technique``, ``TECHNIQUES``, ``BUILT_IN_TECHNIQUES``, ``technique_order``.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Technique:
    """One creative move: what to call it, what it does, and the kind of title that asks a
    135M model for it (a short angle it can follow, e.g. "a myth-busting title")."""

    name: str
    family: str  # "perspective", "structure" or "substance": the order mixes families
    explanation: str
    angle: str


TECHNIQUES: tuple[Technique, ...] = (
    Technique("Straight answer", "structure", "Say plainly what the piece gives the reader.", "a clear title"),
    Technique("Myth busting", "substance", "Name a common belief and correct it.", "a myth-busting title"),
    Technique("Big question", "perspective", "Build everything around one surprising question.",
              "a title that asks a question"),
    Technique("How-to", "structure", "Promise a practical way to do something.", "a how-to title"),
    Technique("Personal story", "perspective", "Start from one person's small, true-to-life moment.",
              "a title about one person's story"),
    Technique("Common mistake", "substance", "Name the mistake most people make.",
              "a title about a common mistake"),
    Technique("Contrarian take", "perspective", "Challenge what most people believe.",
              "a surprising title that goes against common belief"),
    Technique("Beginner's view", "structure", "Write for someone starting from nothing.",
              "a title for complete beginners"),
    Technique("Hidden side", "substance", "Show what most people never notice.",
              "a title about a hidden side of it"),
    Technique("Future view", "perspective", "Look at the topic years from now.", "a title about its future"),
)

# The techniques the built-in 135M model writes usable titles for. Read against 250 labelled cards
# (eval/README.md), the others were usable 14-26 % of the time: it turns them into titles against
# the brief ("The Unreliable Budget Traveler", "The History of the Bicycle: A Common Mistake to
# Avoid"). Engines the creator connects get every technique.
BUILT_IN_TECHNIQUES: tuple[Technique, ...] = tuple(
    technique for technique in TECHNIQUES if technique.name not in {"Contrarian take", "Future view", "Common mistake"})


def technique_order(seed_text: str, techniques: tuple[Technique, ...] = TECHNIQUES) -> list[Technique]:
    """All techniques in an order that alternates families and differs per brief
    (stable for the same brief, so results are reproducible)."""
    def rank(technique: Technique) -> str:
        return hashlib.sha256(f"{seed_text}\0{technique.name}".encode()).hexdigest()

    by_family: dict[str, list[Technique]] = {}
    for technique in sorted(techniques, key=rank):
        by_family.setdefault(technique.family, []).append(technique)
    families = sorted(by_family, key=lambda family: rank(Technique(family, "", "", "")))
    order: list[Technique] = []
    while any(by_family.values()):
        for family in families:
            if by_family[family]:
                order.append(by_family[family].pop(0))
    return order
