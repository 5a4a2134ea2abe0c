"""The Excel workbook (docs/workbook.md): writing it for a client and reading it back.

- :mod:`.layout`: sheet names, header labels and limits that writer and reader agree on
- :mod:`.styles`: fonts, fills, protection and number formats
- :mod:`.formulas`: the model as Excel formulas (the Calculations rows and the Results formulas)
- :mod:`.book`: the shared state of one export; :mod:`.model_sheets`, :mod:`.analysis_sheets`
  and :mod:`.front_sheets` write the sheets; :mod:`.writer` puts them together
- :mod:`.guard`: hostile files refused before parsing; :mod:`.reader`: a workbook back into a project
  (:mod:`.cells`, :mod:`.cover_reader`, :mod:`.uncertainty_reader`; the plan: :mod:`.plan_reader`)
- :mod:`.changes_sheet`: the live Changes sheet and the analysis sheets' stale banner;
  :mod:`.print_setup`: how each sheet prints
- :mod:`.provenance`: the hidden export record (project and export ids, input and formula hashes);
  :mod:`.import_report` and :mod:`.client_notes`: what import says beyond the inputs (renames,
  overwritten formulas, the checks, the client's notes)
"""

from __future__ import annotations

from cgtdesk.io.workbook.formulas import formula_functions
from cgtdesk.io.workbook.import_report import ImportReport, import_report
from cgtdesk.io.workbook.reader import read_workbook
from cgtdesk.io.workbook.writer import export_workbook, workbook_bytes

__all__ = ["ImportReport", "export_workbook", "formula_functions", "import_report", "read_workbook", "workbook_bytes"]
