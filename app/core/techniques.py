"""Named creative techniques that seed each idea, so a set of ideas is varied by
construction rather than by luck. Each idea card names the technique that sparked
it, so creators learn the move.

Public: ``Technique``, ``TECHNIQUES``, ``technique_order``.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Technique:
    """One creative move: what to call it, what it does, and how to ask the model for it."""

    name: str
    family: str  # "perspective", "structure" or "substance": the order mixes families
    explanation: str
    instruction: str


TECHNIQUES: tuple[Technique, ...] = (
    Technique("Contrarian take", "perspective", "Challenge what most people believe.",
              "Argue the opposite of what most people believe about the topic."),
    Technique("Analogy", "substance", "Borrow a comparison from another field.",
              "Explain the topic through a comparison with another field, like sport, cooking or music."),
    Technique("Personal story", "perspective", "Start from one small, true-to-life moment.",
              "Start from a small personal moment or a true-to-life scene."),
    Technique("Hard constraint", "structure", "Add a strict limit that forces focus.",
              "Add a strict limit, like doing it in one week, with no money, or in five steps."),
    Technique("Audience shift", "perspective", "Write for a reader nobody expects.",
              "Write it for a surprising audience, such as children, experts or skeptics."),
    Technique("Medium shift", "structure", "Change the form: a letter, a checklist, an interview.",
              "Present it as a different kind of piece: a checklist, a letter, a diary entry or an interview."),
    Technique("Myth busting", "substance", "Name a common mistake and correct it.",
              "Name a common mistake or myth about the topic and correct it."),
    Technique("SCAMPER: combine", "substance", "Join the topic with an unexpected second one.",
              "Combine the topic with a second, unexpected topic."),
    Technique("SCAMPER: reverse", "structure", "Turn the usual order or process around.",
              "Turn the usual process around, or tell it from the end to the beginning."),
    Technique("SCAMPER: eliminate", "substance", "Remove something people think is essential.",
              "Leave out something people think is essential, and show what happens."),
    Technique("Big question", "perspective", "Build everything around one surprising question.",
              "Build the idea around one surprising question about the topic."),
    Technique("Future view", "perspective", "Look at the topic ten years from now.",
              "Imagine the topic ten years from now."),
)


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
