"""Analysis presets, declared once: the demand range of sweeps and charts, and the Monte Carlo
run that the Analyses view, the presentation slides, the PDF/PowerPoint decks and the Excel
workbook all show (so a client's workbook and the consultant's slide give the same figures).
"""

from __future__ import annotations

#: demand axis of sweeps and the demand chart (patients/yr)
DEMAND_LO = 1.0
DEMAND_HI = 1e5
#: the charts' demand axis by default: the scenarios' commercial range, from a tenth of the
#: lowest scenario demand to ten times the highest, out to whole decades, within these bounds
#: (chartdata.demand.chart_demand_range); the Sweep analysis keeps DEMAND_LO..DEMAND_HI
CHART_DEMAND_BELOW = 10.0
CHART_DEMAND_ABOVE = 10.0
CHART_DEMAND_BOUNDS = (1.0, 1e6)
#: points of the on-screen demand charts (log-spaced)
DEMAND_POINTS = 400
#: points of the command line's sweep when none are given
SWEEP_POINTS = 200
#: the workbook's Sweep sheet: 61 log-spaced points (15 per decade) from 10 to 1e5 patients/yr,
#: a table a client reads row by row, so shorter than the on-screen curves
WORKBOOK_SWEEP_LO = 10.0
WORKBOOK_SWEEP_HI = DEMAND_HI
WORKBOOK_SWEEP_POINTS = 61

#: the Monte Carlo run of the Analyses view, the slides, the decks and the workbook
MC_SAMPLES = 20_000
MC_SEED = 20_240_601
#: results summarised by that run
MC_RESULTS = ("cogs_per_dose", "cogs_per_patient", "total_annual_cost", "gross_margin", "headroom_per_dose")

#: the tornado's default swing when an input has no uncertainty range (+/- this fraction of base)
TORNADO_DEFAULT_SPREAD = 0.20
