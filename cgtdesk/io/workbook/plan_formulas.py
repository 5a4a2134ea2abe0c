"""The launch plan as Excel formulas (docs/workbook.md, "Plan"): the rows of one scenario's block
on the Plan sheet, years across the columns, each a template, and the app's value of each row
(the formula cell's cached result).

Templates hold ``{name}`` placeholders that :mod:`.plan_sheets` resolves, in order: a row of the
block (same column; ``prev_X`` the column before, ``next_X`` the column after, ``rng_X`` the
whole row), a scalar of the block (its first year column), a row of the sheet (``t`` the year
number, ``off`` the service-level candidate offsets), and otherwise the scenario's cell on the
Calculations sheet (a parameter or a quantity that does not change by year). Rows of the annual
model are the Calculations sheet's own templates (:mod:`.calc_volume`, :mod:`.calc_operations`)
with the demand renamed to the block's demand row and the units and suites to the installed ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cgtdesk.core.capacity import erlang_c as _erlang_c
from cgtdesk.core.catalogue import BREAKDOWN
from cgtdesk.core.model import ceil_ as _ceil
from cgtdesk.core.model import costs_given_capacity, evaluate
from cgtdesk.io.workbook.calc_rows import ALLO, AUTO, by_mode, ceil_, erlang_c
from cgtdesk.io.workbook.calc_sheet import CALC_SECTIONS
from cgtdesk.io.workbook.calc_volume import SL_WINDOW

DEMAND = "demand.patients_per_year"
_CALC = {row.id: row for _title, rows in CALC_SECTIONS for row in rows}
_UPKEEP = "({facility.maintenance_rate}+{facility.insurance_tax_rate})"
_RUNNING = "{facility.site_running_cost_year}+{I_k}*{facility.suite_running_cost_year}"
_BUILDING = "{K_s}*{crf_building}+{K_s}*" + _UPKEEP + "+" + _RUNNING
_STARTED = {AUTO: "{B}", ALLO: "{L}"}
_STARTED_S = {AUTO: "{B_s}", ALLO: "{L_s}"}
_PER_SUITE = {AUTO: "{auto.devices_per_suite}", ALLO: "{allo.bioreactors_per_suite}"}
#: every block row sees the year's demand and the installed units and suites
_AT_D = {DEMAND: "D", "N_unit_s": "I_u", "N_suite_s": "I_k"}
_DEDICATED = "{facility.mode}={mode_dedicated}"


@dataclass(frozen=True)
class Spec:
    """One row of a block: ``formula`` for every year column (``first``/``last`` where the
    first or last column differs); ``scalar``: one value, in the first year column."""

    id: str
    label: str
    unit: str
    kind: str
    formula: str
    first: str | None = None
    last: str | None = None
    scalar: bool = False
    hidden: bool = True


def _calc(row_id: str, process: str, alias: dict | None = None) -> str:
    t = _CALC[row_id].formulas[process]
    for a, b in {**_AT_D, **(alias or {})}.items():
        t = t.replace("{" + a + "}", "{" + b + "}")
    return t


def _service(process: str) -> list[Spec]:
    return [
        Spec("planning_patients", "Planning demand (largest over the look-ahead)", "patients/yr", "num2", "", hidden=False),
        Spec("first_t", "Year number where planning demand is positive", "", "count", "IF({P}>0,{t},1E+99)"),
        Spec("last_t", "Year number where planning demand is positive (else 0)", "", "count", "IF({P}>0,{t},0)"),
        Spec("u0", "First service year (year number)", "", "count", "MIN({rng_first_t})", scalar=True),
        Spec("u1", "Last service year (year number; 0: never in service)", "", "count", "MAX({rng_last_t})", scalar=True),
        Spec("live", "In service (1) or not (0)", "", "count", "IF(AND({t}>={u0},{t}<={u1}),1,0)"),
    ]


def _needed_auto() -> list[Spec]:
    c = "({n_c0}+{rng_off})"
    test = f"{erlang_c(c, '{n_a}')}*EXP(-({c}-{{n_a}})*{{auto.max_wait_days}}/{{cycle}})>1-{{auto.service_level}}"
    return [
        Spec(
            "n_B_s", "Batches per site at planning demand", "batches/yr", "num2", "{P}/{facility.sites}/{auto.batch_success_rate}"
        ),
        Spec("n_a", "Offered load at planning demand", "devices", "num2", "{n_B_s}/{facility.operating_days_per_year}*{cycle}"),
        Spec("n_use", "Devices by the utilisation rule", "devices", "count", f"IF({{P}}=0,0,MAX(1,{ceil_('{n_B_s}/{cap}')}))"),
        Spec("n_c0", "First candidate device count", "devices", "count", "MAX(1,ROUNDDOWN({n_a},0)+1)"),
        Spec(
            "n_fail",
            "Candidates short of the service level (the window's count)",
            "devices",
            "count",
            f"IF(OR({{P}}=0,{{auto.service_level}}=0),0,SUMPRODUCT(({test})*1))",
        ),
        Spec("n_sl", "Devices by the service-level rule", "devices", "count", "IF({P}=0,0,{n_c0}+{n_fail})"),
        Spec("need_u", "Devices needed per site", "devices", "count", "IF({auto.service_level}=0,{n_use},{n_sl})"),
    ]


def _needed_allo() -> list[Spec]:
    at_p = {"Dd": "n_Dd", "rate_s": "n_rate", "expired": "n_expired", "usable": "n_usable"}
    return [
        Spec("n_Dd", "Doses at planning demand", "doses/yr", "num2", "{P}*{demand.doses_per_patient}"),
        Spec("n_rate", "Doses per day per site at planning demand", "doses/d", "num2", _calc("rate_s", ALLO, at_p)),
        Spec("n_expired", "Expired share at planning demand", "fraction", "fraction", _calc("expired", ALLO, at_p)),
        Spec("n_usable", "Usable doses per lot at planning demand", "doses/lot", "num2", _calc("usable", ALLO, at_p)),
        Spec("n_L_s", "Lots per site at planning demand", "lots/yr", "count", "IF({n_Dd}=0,0," + _calc("L_s", ALLO, at_p) + ")"),
        Spec(
            "need_u", "Bioreactors needed per site", "bioreactors", "count", f"IF({{n_L_s}}=0,0,MAX(1,{ceil_('{n_L_s}/{cap}')}))"
        ),
    ]


def _installed(process: str) -> list[Spec]:
    return [
        Spec("need_k", "Suites needed per site", "suites", "count", ceil_("{need_u}/" + _PER_SUITE[process])),
        Spec("I_u", "Units installed per site", "units", "count", "MAX({prev_I_u},{need_u})", first="{need_u}"),
        Spec("I_k", "Suites installed per site", "suites", "count", "MAX({prev_I_k},{need_k})", first="{need_k}"),
        Spec("dU", "New units per site", "units", "count", "{I_u}-{prev_I_u}", first="{I_u}"),
        Spec("dK", "New suites per site", "suites", "count", "{I_k}-{prev_I_k}", first="{I_k}"),
    ]


def _volume(process: str) -> list[Spec]:
    rows = [Spec("doses", "Doses delivered", "doses/yr", "num2", _calc("Dd", process), hidden=False)]
    if process == AUTO:
        rows += [
            Spec("B_s", "Batches started per site", "batches/yr", "num2", _calc("B_s", AUTO)),
            Spec("B", "Batches started, all sites", "batches/yr", "num2", _calc("B", AUTO)),
        ]
    else:
        rows += [
            Spec("rate_s", "Doses used per day per site", "doses/d", "num2", _calc("rate_s", ALLO)),
            Spec("expired", "Share of a lot's good doses that expire", "fraction", "fraction", _calc("expired", ALLO)),
            Spec("usable", "Usable doses per lot started", "doses/lot", "num2", _calc("usable", ALLO)),
            Spec("L_s", "Lots started per site", "lots/yr", "count", "IF({Dd}=0,0," + _calc("L_s", ALLO) + ")"),
            Spec("L", "Lots started, all sites", "lots/yr", "count", _calc("L", ALLO)),
            Spec("filled", "Doses filled", "doses/yr", "num2", _calc("filled", ALLO)),
            Spec("stored", "Doses stored", "doses/yr", "num2", _calc("stored", ALLO)),
        ]
    for rid, label, unit, kind in (
        ("share", "Share of the suites' capacity used", "fraction", "fraction"),
        ("F_crew_s", "Crew per site", "FTE", "count"),
        ("F_op_s", "Hands-on operators per site", "FTE", "count"),
        ("F_qq_s", "QC/QA per site", "FTE", "count"),
        ("F_s", "Staff per site", "FTE", "num2"),
        ("E_s", "Equipment installed per site", "{cur}", "money"),
        ("K_s", "Building per site", "{cur}", "money"),
    ):
        rows.append(Spec(rid, label, unit, kind, _calc(rid, process)))
    return rows


def _facility(process: str) -> str:
    dedicated = "{facility.sites}*({E_s}*" + _UPKEEP + "+{K_s}*" + _UPKEEP + "+" + _RUNNING + ")"
    shared = "{facility.sites}*({E_s}*{crf_equipment}+{E_s}*" + _UPKEEP + "+{share}*(" + _BUILDING + "))"
    cdmo = _STARTED[process] + "*{cdmo.fee_per_batch}+{facility.sites}*{cdmo.reservation_fee_per_year}"
    return by_mode(dedicated, shared, cdmo)


def _table(process: str) -> list[Spec]:
    per_site = _STARTED_S[process]
    out = [
        Spec("units", "Units installed, all sites", "units", "count", "IF({live}=1,{facility.sites}*{I_u},0)", hidden=False),
        Spec("suites", "Suites installed, all sites", "suites", "count", "IF({live}=1,{facility.sites}*{I_k},0)", hidden=False),
        Spec(
            "batches",
            "Batches or lots started",
            "per yr",
            "num2",
            f"IF({{live}}=1,{{facility.sites}}*{per_site},0)",
            hidden=False,
        ),
        Spec(
            "utilisation",
            "Utilisation of installed units",
            "fraction",
            "fraction",
            f"IF({{I_u}}=0,0,IF({{live}}=1,{per_site}*{{cycle}}/({{I_u}}*{{facility.operating_days_per_year}}),0))",
            hidden=False,
        ),
    ]
    for c in BREAKDOWN:
        t = _facility(process) if c == "facility" else _calc(c, process)
        out.append(Spec(c, c.capitalize(), "{cur}/yr", "money", "IF({live}=1," + t + ",0)", hidden=False))
    return out


def _capex(process: str) -> list[Spec]:
    unit = "{auto.device_capex}" if process == AUTO else "{unit_capex}"
    e_suite = "" if process == AUTO else "+{dK}*{allo.dsp_fill_capex_per_suite}"
    rows = [
        Spec(
            "C_b",
            "Buildings entering service (sites at the first service year, new suites)",
            "{cur}",
            "money",
            "{facility.sites}*{dK}*{facility.suite_capex}+IF({t}={u0},{facility.sites}*{facility.site_capex},0)",
        ),
        Spec("C_e", "Equipment entering service", "{cur}", "money", "{facility.sites}*({dU}*" + unit + e_suite + ")"),
    ]
    for a, life, lead in (
        ("b", "finance.building_life_years", "plan.facility_lead_years"),
        ("e", "finance.equipment_life_years", "plan.equipment_lead_years"),
    ):
        n, C, L = f"{{n_{a}}}", f"{{rng_C_{a}}}", f"{{{lead}}}"
        hi = f"MIN(1+{L},{{u1}})"
        rows += [
            Spec(
                f"n_{a}",
                f"Life in whole years ({'buildings' if a == 'b' else 'equipment'})",
                "yr",
                "count",
                ceil_(f"{{{life}}}"),
                scalar=True,
            ),
            Spec(
                f"pay_{a}",
                f"Cash for {'buildings' if a == 'b' else 'equipment'}, first purchases and replacements",
                "{cur}",
                "money",
                f"IF({{t}}+{L}<={{u1}},SUMPRODUCT({C}*({{rng_t}}<={{t}}+{L})*(MOD({{t}}+{L}-{{rng_t}},{n})=0)),0)",
                first=f"SUMPRODUCT({C}*({{rng_t}}<={hi})*(ROUNDDOWN(({hi}-{{rng_t}})/{n},0)+1))",
            ),
            Spec(
                f"res_{a}",
                "Residual value at the last service year",
                "{cur}",
                "money",
                f"SUMPRODUCT({C}*({{rng_t}}<={{u1}})*({n}-1-MOD({{u1}}-{{rng_t}},{n})))/{n}",
                scalar=True,
            ),
        ]
    rows.append(
        Spec(
            "capex",
            "Capital spent (cash; residual value credited in the last year)",
            "{cur}",
            "money",
            f"IF({_DEDICATED},{{pay_b}}+{{pay_e}}-IF({{t}}={{u1}},{{res_b}}+{{res_e}},0),0)",
            hidden=False,
        )
    )
    return rows


def _c_batch(process: str) -> str:
    if process == AUTO:
        return "{auto.consumables_per_batch}+{auto.vector_cost_per_batch}+{auto.qc_cost_per_batch}"
    return "{per_lot_materials}+{dpl}*{allo.fill_finish_cost_per_dose}+{allo.vector_cost_per_lot}+{allo.editing_cost_per_lot}+{allo.qc_cost_per_lot}"


def _startup(process: str) -> list[Spec]:
    dedicated = (
        "{facility.sites}*({plan.startup_cost_rate}*({facility.site_capex}+SUMPRODUCT({rng_I_k}*({rng_t}={u0}))"
        "*{facility.suite_capex})+{plan.ppq_batches}*{c_batch})"
    )
    cdmo = "{facility.sites}*({cdmo.tech_transfer_cost}+{plan.ppq_batches}*({c_batch}+{cdmo.fee_per_batch}))"
    shared = "{facility.sites}*{plan.ppq_batches}*{c_batch}"
    at = "IF({t}=MAX({u0}-{w},1),{first_startup},0)"
    return [
        Spec("c_batch", "One batch's materials, vector and QC", "{cur}/batch", "money", _c_batch(process), scalar=True),
        Spec(
            "w",
            "Years commissioning comes before service",
            "yr",
            "count",
            f"IF({_DEDICATED},MIN(1,{{plan.facility_lead_years}}),1)",
            scalar=True,
        ),
        Spec("first_startup", "Start-up of the sites", "{cur}", "money", by_mode(dedicated, shared, cdmo), scalar=True),
        Spec(
            "later",
            "Commissioning of suites added later, by the year they enter service",
            "{cur}",
            "money",
            f"IF(AND({_DEDICATED},{{t}}>{{u0}},{{t}}<={{u1}}),{{facility.sites}}*{{plan.startup_cost_rate}}*{{dK}}*{{facility.suite_capex}},0)",
        ),
        Spec(
            "startup",
            "Start-up: commissioning, validation, PPQ batches",
            "{cur}",
            "money",
            f"{at}+IF({{w}}=1,{{next_later}},{{later}})",
            last=f"{at}+IF({{w}}=1,0,{{later}})",
            hidden=False,
        ),
    ]


def _cash(extra: str = "") -> list[Spec]:
    cats = "+".join(f"{{{c}}}" for c in BREAKDOWN)
    return [
        Spec("cost", "Cost", "{cur}", "money", f"{cats}+{{capex}}+{{startup}}{extra}", hidden=False),
        Spec("revenue", "Revenue", "{cur}", "money", "{doses}*{commercial.price_per_dose}", hidden=False),
        Spec(
            "cumulative_cash",
            "Cumulative cash (revenue - cost)",
            "{cur}",
            "money",
            "{prev_cumulative_cash}+{revenue}-{cost}",
            first="{revenue}-{cost}",
            hidden=False,
        ),
        Spec(
            "discount_factor",
            "Discount factor, end of year",
            "factor",
            "factor",
            "1/(1+{finance.discount_rate})^{t}",
            hidden=False,
        ),
    ]


def scenario_specs(process: str) -> list[Spec]:
    """Every row of a scenario's block, in order (a row refers to rows above it, or to the next
    column of ``later``). ``planning_patients`` has no template: the writer gives it the
    largest demand over the look-ahead as a range."""
    needed = _needed_auto() if process == AUTO else _needed_allo()
    return [
        *_service(process),
        *needed,
        *_installed(process),
        *_volume(process),
        *_table(process),
        *_capex(process),
        *_startup(process),
        *_cash(),
    ]


#: the switch block's rows summed from its two sub-blocks (units, suites and batches only when
#: both scenarios are of one process)
SWITCH_SUMMED = ("doses", "units", "suites", "batches", *BREAKDOWN, "capex", "startup", "revenue")


def switch_specs(same_process: bool) -> list[Spec]:
    """The visible rows of a switch: sums of the sub-blocks ``A.`` (demand before the switch)
    and ``B.`` (from the switch on), the comparability package, cost and cash."""
    out = []
    for f in SWITCH_SUMMED:
        if f in ("units", "suites", "batches") and not same_process:
            continue
        label = {"doses": "Doses delivered", "units": "Units installed, all sites", "suites": "Suites installed, all sites"}.get(
            f, ""
        )
        out.append(Spec(f, label, "", "", f"{{A.{f}}}+{{B.{f}}}", hidden=False))
    both = "SUMPRODUCT(({rng_t}<{y})*({rng_D}>0))>0,SUMPRODUCT(({rng_t}>={y})*({rng_D}>0))>0"
    out.append(
        Spec(
            "comparability",
            "Comparability package of the switch",
            "{cur}",
            "money",
            f"IF(AND({{t}}={{y}}-1,{both}),{{B.plan.comparability_cost}},0)",
            hidden=False,
        )
    )
    cash = _cash("+{comparability}")
    cash[1] = Spec("revenue", "", "", "", "{A.revenue}+{B.revenue}", hidden=False)
    cash[3] = Spec("discount_factor", "", "", "", "1/(1+{A.finance.discount_rate})^{t}", hidden=False)
    return [s for s in out if s.id != "revenue"] + cash


# ---------------------------------------------------------------- the app's values of every row


def _sl_fail(c0: np.ndarray, a: np.ndarray, params) -> np.ndarray:
    """Candidates of the window ``c0 .. c0 + SL_WINDOW - 1`` short of the service level."""
    cycle = params["auto.process_days"] + params["auto.changeover_days"]
    c = c0[:, None] + np.arange(SL_WINDOW, dtype=float)[None, :]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        test = _erlang_c(c, a[:, None]) * np.exp(-(c - a[:, None]) * params["auto.max_wait_days"] / cycle)
    return np.sum(test > 1.0 - params["auto.service_level"], axis=1).astype(float)


def _needed_values(process: str, params, P: np.ndarray, v: dict) -> None:
    S = params["facility.sites"]
    pos = P > 0
    Nu = np.zeros_like(P)
    if pos.any():
        r = evaluate(process, {**params, DEMAND: P[pos]}, strict=False, intermediates=True)
        Nu[pos] = r["calc.N_unit_s"]
    if process == AUTO:
        cycle = params["auto.process_days"] + params["auto.changeover_days"]
        cap = params["facility.operating_days_per_year"] * params["facility.max_utilisation"] / cycle
        v["n_B_s"] = P / S / params["auto.batch_success_rate"]
        v["n_a"] = v["n_B_s"] / params["facility.operating_days_per_year"] * cycle
        v["n_use"] = np.where(pos, np.maximum(1.0, _ceil(v["n_B_s"] / cap)), 0.0)
        v["n_c0"] = np.maximum(1.0, np.floor(v["n_a"]) + 1.0)
        on = pos & (params["auto.service_level"] > 0)
        v["n_fail"] = np.where(on, _sl_fail(v["n_c0"], v["n_a"], params), 0.0)
        v["n_sl"] = np.where(pos, v["n_c0"] + v["n_fail"], 0.0)
    else:
        q = costs_given_capacity(process, {**params, DEMAND: P}, Nu, Nu, capital_as_cash=True)
        v["n_Dd"] = P * params["demand.doses_per_patient"]
        v["n_rate"], v["n_expired"], v["n_usable"] = (
            np.broadcast_to(q[k], P.shape) for k in ("rate_s", "expired_fraction", "usable")
        )
        v["n_L_s"] = np.broadcast_to(q["L_s"], P.shape)
    v["need_u"] = Nu
    v["need_k"] = np.where(
        pos, _ceil(Nu / (params["auto.devices_per_suite"] if process == AUTO else params["allo.bioreactors_per_suite"])), 0.0
    )


def _purchase_values(process: str, params, v: dict, t: np.ndarray, u0: float, u1: float) -> None:
    S = params["facility.sites"]
    v["C_b"] = S * v["dK"] * params["facility.suite_capex"] + np.where(t == u0, S * params["facility.site_capex"], 0.0)
    unit = (
        params["auto.device_capex"]
        if process == AUTO
        else (
            params["allo.bioreactor_capex_ref"]
            * (params["allo.bioreactor_volume_l"] / params["allo.bioreactor_ref_volume_l"]) ** params["allo.scale_exponent"]
        )
    )
    e_suite = 0.0 if process == AUTO else params["allo.dsp_fill_capex_per_suite"]
    v["C_e"] = S * (v["dU"] * unit + v["dK"] * e_suite)
    for a, life, lead in (
        ("b", "finance.building_life_years", "plan.facility_lead_years"),
        ("e", "finance.equipment_life_years", "plan.equipment_lead_years"),
    ):
        n, L, C = float(_ceil(params[life])), float(params[lead]), v[f"C_{a}"]
        v[f"n_{a}"] = n
        pay = np.zeros_like(t)
        for i, ti in enumerate(t):  # purchases of asset s fall in service at s, s + n, ...; paid L years before
            if i == 0:
                hi = min(1.0 + L, u1)
                pay[i] = np.sum(np.where(t <= hi, C * (np.floor((hi - t) / n) + 1.0), 0.0))
            elif ti + L <= u1:
                pay[i] = np.sum(np.where((t <= ti + L) & (np.mod(ti + L - t, n) == 0), C, 0.0))
        v[f"pay_{a}"] = pay
        v[f"res_{a}"] = float(np.sum(np.where(t <= u1, C * (n - 1.0 - np.mod(u1 - t, n)), 0.0)) / n)


def scenario_values(scenario, D: np.ndarray, k: int, table: dict) -> dict:
    """The app's value of every row of a scenario's block at demand path ``D``: the table's
    fields from ``table`` (the app's plan), the other rows from the model's own functions."""
    process, params = scenario.process, scenario.parameters
    T = D.shape[0]
    t = np.arange(1, T + 1, dtype=float)
    P = np.asarray(table["planning_patients"], dtype=float)
    v: dict = {"D": D, "P": P, "planning_patients": P}
    v["first_t"], v["last_t"] = np.where(P > 0, t, 1e99), np.where(P > 0, t, 0.0)
    u0, u1 = float(v["first_t"].min()), float(v["last_t"].max())
    v["u0"], v["u1"] = u0, u1
    v["live"] = ((t >= u0) & (t <= u1)).astype(float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        _needed_values(process, params, P, v)
        v["I_u"], v["I_k"] = np.maximum.accumulate(v["need_u"]), np.maximum.accumulate(v["need_k"])
        v["dU"], v["dK"] = np.diff(v["I_u"], prepend=0.0), np.diff(v["I_k"], prepend=0.0)
        q = costs_given_capacity(process, {**params, DEMAND: D}, v["I_u"], v["I_k"], capital_as_cash=True)
        for rid in (
            "B_s",
            "B",
            "rate_s",
            "usable",
            "L_s",
            "filled",
            "stored",
            "share",
            "F_crew_s",
            "F_op_s",
            "F_qq_s",
            "F_s",
            "E_s",
            "K_s",
        ):
            if rid in q:
                v[rid] = np.broadcast_to(q[rid], (T,)).astype(float)
        if process == ALLO:
            v["expired"], v["L"] = (np.broadcast_to(q[x], (T,)).astype(float) for x in ("expired_fraction", "B"))
        _purchase_values(process, params, v, t, u0, u1)
    S, mode = params["facility.sites"], params["facility.mode"]
    v["c_batch"] = float(
        params["auto.consumables_per_batch"] + params["auto.vector_cost_per_batch"] + params["auto.qc_cost_per_batch"]
        if process == AUTO
        else q["per_lot_materials"]
        + q["doses_per_lot"] * params["allo.fill_finish_cost_per_dose"]
        + params["allo.vector_cost_per_lot"]
        + params["allo.editing_cost_per_lot"]
        + params["allo.qc_cost_per_lot"]
    )
    v["w"] = float(min(1, params["plan.facility_lead_years"])) if mode == "dedicated" else 1.0
    ppq = params["plan.ppq_batches"]
    if mode == "dedicated":
        Ik0 = float(np.sum(v["I_k"] * (t == u0)))
        v["first_startup"] = S * (
            params["plan.startup_cost_rate"] * (params["facility.site_capex"] + Ik0 * params["facility.suite_capex"])
            + ppq * v["c_batch"]
        )
    elif mode == "cdmo":
        v["first_startup"] = S * (params["cdmo.tech_transfer_cost"] + ppq * (v["c_batch"] + params["cdmo.fee_per_batch"]))
    else:
        v["first_startup"] = S * ppq * v["c_batch"]
    on = (mode == "dedicated") & (t > u0) & (t <= u1)
    v["later"] = np.where(on, S * params["plan.startup_cost_rate"] * v["dK"] * params["facility.suite_capex"], 0.0)
    for f, arr in table.items():
        if arr is not None:
            v[f] = np.asarray(arr, dtype=float)
    v["discount_factor"] = (1.0 + params["finance.discount_rate"]) ** -t
    return v
