"""Which inputs a scenario's facility mode and device-sizing rule leave unused, and why.

The editor greys these rows (they stay editable, so a consultant can prepare values for another
mode) and gives the reason in the tooltip. Derived from the equations of docs/model.md: in
``cdmo`` mode the contract's fee replaces the sponsor's building, equipment and staff (labour is
``cdmo.oversight_fte``; the facility cost is the fee, the reservation and the technology
transfer); the ``cdmo.*`` keys only count in ``cdmo`` mode; the launch plan's cash capex and
commissioning (lead times, start-up rate) only in ``dedicated`` mode; autologous devices are
sized either by utilisation (``auto.service_level = 0``, which ignores ``auto.max_wait_days``)
or by the service level (which ignores ``facility.max_utilisation`` for them).

No Qt here.
"""

from __future__ import annotations

from collections.abc import Mapping

#: the facility mode's choices, each with the short description the editor's combo box shows
MODE_DESCRIPTIONS = {
    "dedicated": "own sites: building, equipment and staff in full",
    "shared": "a share of a shared GMP unit (e.g. a hospital's), by the time used",
    "cdmo": "contract manufacturer: a fee per batch, no own site",
}

#: keys whose cost the contract manufacturer's fee replaces in cdmo mode
CDMO_REPLACES: tuple[str, ...] = (
    # staff: labour is the sponsor's oversight FTE only
    "labour.hours_per_fte_year",
    "labour.min_crew_per_suite",
    "labour.staffed_hours_per_year",
    "staff.site_fte",
    "staff.support_fte_per_suite",
    "auto.operator_hours_per_batch",
    "auto.qc_qa_hours_per_batch",
    "allo.operator_hours_per_lot",
    "allo.qc_qa_hours_per_lot",
    # building, its running costs and upkeep
    "facility.site_capex",
    "facility.suite_capex",
    "facility.site_running_cost_year",
    "facility.suite_running_cost_year",
    "facility.maintenance_rate",
    "facility.insurance_tax_rate",
    "finance.building_life_years",
    # equipment
    "finance.equipment_life_years",
    "auto.device_capex",
    "allo.bioreactor_capex_ref",
    "allo.bioreactor_ref_volume_l",
    "allo.scale_exponent",
    "allo.dsp_fill_capex_per_suite",
)
#: launch-plan keys of the cash capex and commissioning, which only dedicated mode pays
DEDICATED_PLAN_KEYS: tuple[str, ...] = ("plan.facility_lead_years", "plan.equipment_lead_years", "plan.startup_cost_rate")

CDMO_REASON = "Not used in cdmo mode: the contract manufacturer's fee covers its facility, equipment and staff."
NOT_CDMO_REASON = "Used only in cdmo mode (contract manufacturer); this scenario is {mode}."
PLAN_REASON = "Used only in dedicated mode: the launch plan pays cash for capex and commissioning only for own sites."
UTILISATION_REASON = (
    "Not used for autologous devices under the service-level rule (service level > 0): "
    "devices are sized so patients wait at most the maximum wait."
)
WAIT_REASON = "Not used under the utilisation rule (service level = 0): devices are sized by maximum utilisation."


def unused_keys(process: str, params: Mapping[str, object]) -> dict[str, str]:
    """key -> why the scenario's mode or sizing rule does not use it (keys of ``process`` only)."""
    mode = params.get("facility.mode", "dedicated")
    out: dict[str, str] = {}
    if mode == "cdmo":
        out.update(dict.fromkeys(CDMO_REPLACES, CDMO_REASON))
    else:
        for key in params:
            if key.startswith("cdmo."):
                out[key] = NOT_CDMO_REASON.format(mode=mode)
    if mode != "dedicated":
        out.update(dict.fromkeys(DEDICATED_PLAN_KEYS, PLAN_REASON))
    if process == "autologous":
        if float(params.get("auto.service_level", 0) or 0) > 0:
            out["facility.max_utilisation"] = UTILISATION_REASON
        else:
            out["auto.max_wait_days"] = WAIT_REASON
    return {k: v for k, v in out.items() if k in params}
