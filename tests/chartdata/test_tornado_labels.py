"""The tornado's bar labels read as the table does, and it says how many inputs swing by the default."""

from pathlib import Path

from cgtdesk import chartdata
from cgtdesk.chartdata.tornado import default_warning, input_text
from cgtdesk.core import analyses
from cgtdesk.io import load_any

EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "example.cgtproj"


def test_input_text_rounds_like_the_table_with_separators_and_currency():
    # 95,328.4 to 4 significant figures is 95,330; 144,671 is 144,700
    assert input_text("labour.cost_per_fte_year", 95328.4, "USD") == "USD 95,330"
    assert input_text("labour.cost_per_fte_year", 144671.0, "EUR") == "EUR 144,700"
    assert input_text("auto.batch_success_rate", 0.8517) == "85.2%"
    assert input_text("facility.operating_days_per_year", 240.0) == "240"
    assert input_text("auto.process_days", 7.2) == "7.2"
    assert input_text("facility.operating_days_per_year", 12345.6) == "12,350"


def test_default_warning_counts():
    assert default_warning(0, 49) == ""
    assert default_warning(44, 49).startswith("44 of 49 inputs have no distribution and swing by the default -/+20% of base")


def test_tornado_data_carries_ranges_and_the_default_count():
    project = load_any(EXAMPLE)
    scenario = project.scenarios[0]
    tr = analyses.tornado(scenario, "cogs_per_dose")
    data = chartdata.tornado_data(tr, project.currency)
    n_default = sum(1 for k in scenario.parameters if k not in scenario.uncertainty)
    assert data.inputs == len(tr.bars)
    assert data.defaults == sum(b.source == "default" for b in tr.bars)
    assert data.defaults <= n_default
    assert data.warning.startswith(f"{data.defaults} of {data.inputs} inputs")
    for row in data.rows:
        lo, hi = row.range_text.split(" to ")
        assert lo == input_text(row.key, row.low, "USD") and hi == input_text(row.key, row.high, "USD")
        if row.key in scenario.uncertainty:
            assert row.source != "default"
