"""The model as Excel formulas: every intermediate quantity of docs/model.md (version 2) as a row
of the Calculations sheet (:mod:`.calc_volume`, :mod:`.calc_operations`; the vocabulary in
:mod:`.calc_rows`), and every result as a formula over those rows.

Each row also says how to get the app's own value, which the formula cell carries as its
cached result.
"""

from __future__ import annotations

from cgtdesk.core.catalogue import BREAKDOWN
from cgtdesk.io.workbook import calc_operations, calc_volume
from cgtdesk.io.workbook.calc_rows import ALLO, AUTO, Row, both, fill, functions_in

__all__ = ["ALLO", "AUTO", "CALC_SECTIONS", "RESULT_FORMULAS", "Row", "fill", "formula_functions"]

#: (section title, rows); link rows to Inputs come first and are generated from the catalogue
CALC_SECTIONS: list[tuple[str, list[Row]]] = [*calc_volume.SECTIONS, *calc_operations.SECTIONS]

#: result key -> (formula template over Calculations ids, or None where the result is null)
RESULT_FORMULAS: dict[str, dict] = {
    **{f"breakdown.{c}": both(f"{{{c}}}") for c in BREAKDOWN},
    "total_annual_cost": both("{total}"),
    "cogs_per_dose": both("{total}/{Dd}"),
    "cogs_per_patient": both("{total}/{demand.patients_per_year}"),
    "batches_per_year": {AUTO: "{B}", ALLO: "{L}"},
    "doses_per_lot": {ALLO: "{dpl}"},
    "expired_fraction": {ALLO: "{expired}"},
    "units": both("{facility.sites}*{N_unit_s}"),
    "suites": both("{facility.sites}*{N_suite_s}"),
    "fte": both("{facility.sites}*{F_s}"),
    "capex_total": both("{capex}"),
    "utilisation": both("{utilisation}"),
    "slot_wait_days": {AUTO: "{slot_wait}"},
    "vein_to_vein_days": both("{v2v}"),
    "max_allowable_cogs_per_dose": both("{max_allowable}"),
    "headroom_per_dose": both("{max_allowable}-{total}/{Dd}"),
    "gross_margin": both(
        'IF({commercial.price_per_dose}=0,"",({commercial.price_per_dose}-{total}/{Dd})/{commercial.price_per_dose})'
    ),
    "cost_per_durable_response": both("{total}/{demand.patients_per_year}/{clinical.durable_response_rate}"),
    "payer_cost_per_durable_response": both(
        "({commercial.price_per_dose}*{demand.doses_per_patient}+{clinical.pathway_cost_per_patient})/{clinical.durable_response_rate}"
    ),
}


def formula_functions() -> set[str]:
    """Every Excel function name the exported formulas may use (for the whitelist test)."""
    names = set()
    for _, rows in CALC_SECTIONS:
        for row in rows:
            if not row.const:
                for t in row.formulas.values():
                    names.update(functions_in(t))
    for forms in RESULT_FORMULAS.values():
        for t in forms.values():
            names.update(functions_in(t))
    return names
