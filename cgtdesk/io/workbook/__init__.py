"""The Excel workbook (docs/workbook.md): writing it for a client and reading it back.

- :mod:`.layout`: sheet names, header labels and limits that writer and reader agree on
- :mod:`.styles`: fonts, fills, protection and number formats
- :mod:`.formulas`: the model as Excel formulas (the Calculations rows and the Results formulas)
- :mod:`.book`: the shared state of one export; :mod:`.model_sheets`, :mod:`.analysis_sheets`
  and :mod:`.front_sheets` write the sheets; :mod:`.writer` puts them together
- :mod:`.guard`: hostile files refused before parsing; :mod:`.reader`: a workbook back into a project
"""

from __future__ import annotations

from cgtdesk.io.workbook.formulas import formula_functions
from cgtdesk.io.workbook.reader import read_workbook
from cgtdesk.io.workbook.writer import export_workbook, workbook_bytes

__all__ = ["export_workbook", "formula_functions", "read_workbook", "workbook_bytes"]
