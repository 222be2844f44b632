"""Creative techniques: a varied, reproducible order per brief."""
from app.core.techniques import BUILT_IN_TECHNIQUES, TECHNIQUES, technique_order


def test_every_technique_has_a_name_family_explanation_and_a_title_angle():
    assert len({t.name for t in TECHNIQUES}) == len(TECHNIQUES) >= 8
    assert all(t.family and t.explanation.endswith(".") and t.angle.startswith("a ") and "title" in t.angle
               for t in TECHNIQUES)


def test_order_uses_each_technique_once_and_alternates_families():
    order = technique_order("urban beekeeping")
    assert sorted(t.name for t in order) == sorted(t.name for t in TECHNIQUES)
    first = order[:3]
    assert len({t.family for t in first}) == 3


def test_order_is_stable_per_brief_and_differs_between_briefs():
    assert technique_order("bees") == technique_order("bees")
    assert technique_order("bees") != technique_order("portugal on a budget")


def test_the_built_in_model_is_asked_for_the_techniques_it_can_follow_in_every_family():
    names = {t.name for t in BUILT_IN_TECHNIQUES}
    assert names < {t.name for t in TECHNIQUES} and len(names) >= 6  # a set of 6 still mixes techniques
    assert {t.family for t in BUILT_IN_TECHNIQUES} == {t.family for t in TECHNIQUES}
    assert "Contrarian take" not in names
    assert sorted(t.name for t in technique_order("bees", BUILT_IN_TECHNIQUES)) == sorted(names)
