"""The reading log's labels are counted per set and source, and set against the checks."""
from app.core.brief import Brief
from eval.labels import read_log, report

LOG = """# Reading log: test

## public: urban beekeeping (2 asked)

### pipeline
- [usable] **Rooftop Hives for Beginners** — Start one hive on a quiet city roof this spring.
- [not usable: gibberish] **POPCISES FEDERANAZY** — The bees hum over the city roof every morning.
### baseline
- [ ] **Bees** — not labelled yet

## refine: passage 1, shorter (1 asked)

### refined
- [not usable: talks about itself] **shorter** — I made several changes that improve clarity.
"""


def test_labels_are_read_with_their_set_source_and_reason():
    items = read_log(LOG)
    assert [(i["set"], i["source"], i["label"]) for i in items] == [
        ("public", "pipeline", "usable"), ("public", "pipeline", "not usable"), ("public", "baseline", ""),
        ("refine", "refined", "not usable")]
    assert items[1]["reason"] == "gibberish"


def test_the_report_counts_usable_items_and_where_the_checks_disagree():
    table = report(read_log(LOG), {"urban beekeeping": Brief.from_text("urban beekeeping")})
    assert "| public | pipeline | 2 | 50% (1) | 50% | 0% (0) |" in table  # the checks agree with both readings
    assert "| refine | refined | 1 | 0% (0) | 0% | 0% (0) |" in table
    assert "not labelled" not in table
