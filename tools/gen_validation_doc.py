"""Generate docs/validation.md: the model against published figures, computed from the live model.

    python tools/gen_validation_doc.py           rewrite docs/validation.md
    python tools/gen_validation_doc.py --check   exit 1 (and say so) when the page has drifted

Each check names a published figure and its source, the inputs used (a template of
resources/templates plus overrides), the app's answer and the verdict, which is computed here
by comparing the answer with the published range: a check cannot claim "within range" unless
its number is. tests/system/test_validation_doc.py regenerates the page and compares.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from cgtdesk.core.model import evaluate  # noqa: E402
from cgtdesk.core.templates import template  # noqa: E402

DOC = ROOT / "docs" / "validation.md"

#: exchange rates used only to set a published figure beside the app's (the model never converts)
USD_PER_EUR = 1.10
USD_PER_GBP = 1.30
#: "about X" or "near X" in a source is read as X -/+ 25%
ABOUT = 0.25


def run(tid: str, **overrides) -> dict:
    """The results of template ``tid`` with ``overrides`` (keys as in the catalogue)."""
    t = template(tid)
    values = t.values()
    values.update(overrides)
    return evaluate(t.process, values)


@dataclass(frozen=True)
class Check:
    figure: str  # what is compared
    published: str  # the published figure, as the source gives it
    source: str
    inputs: str  # template and overrides, in words
    low: float  # the published range, in the unit of ``value``
    high: float
    value: float  # the app's answer
    shown: str  # the app's answer for the page (with any conversion spelled out)
    why_not: str = ""  # for a check outside its range: the reason, in words

    @property
    def within(self) -> bool:
        return self.low <= self.value <= self.high

    @property
    def verdict(self) -> str:
        if self.within:
            return "within range"
        side = "below" if self.value < self.low else "above"
        return f"{side} range: {self.why_not}" if self.why_not else f"{side} range"


def _money(x: float, cur: str) -> str:
    return f"{cur} {x:,.0f}"


def checks() -> list[Check]:
    """Every check, computed now."""
    out: list[Check] = []
    lo, hi = 1 - ABOUT, 1 + ABOUT

    auto = run("autologous-automated")
    out.append(
        Check(
            "Commercial autologous CAR-T, cost of goods per patient",
            "near USD 100,000 per patient",
            "published anchor for commercial autologous CAR-T",
            "`autologous-automated`, 500 patients/yr (catalogue defaults, dedicated site)",
            100_000 * lo,
            100_000 * hi,
            auto["cogs_per_patient"],
            _money(auto["cogs_per_patient"], "USD"),
        )
    )
    cdmo = run("autologous-cdmo")
    out.append(
        Check(
            "Commercial autologous CAR-T made by a contract manufacturer, per patient",
            "near USD 100,000 per patient",
            "published anchor for commercial autologous CAR-T",
            "`autologous-cdmo`, 500 patients/yr (`facility.mode` cdmo, fee USD 45,000 a batch)",
            100_000 * lo,
            100_000 * hi,
            cdmo["cogs_per_patient"],
            _money(cdmo["cogs_per_patient"], "USD"),
        )
    )
    for n in (18, 30, 50):
        r = run("autologous-academic-poc", **{"demand.patients_per_year": n})
        out.append(
            Check(
                f"Academic point-of-care CAR-T at {n} patients/yr, per patient",
                "EUR 60,000-80,000 per patient at 18-50 patients/yr",
                "Ran, Eichmuller, Schmidt, Schlander 2020, Int J Cancer (about EUR 60k); UMCG Groningen reports (about EUR 80k)",
                f"`autologous-academic-poc` (`facility.mode` shared, money inputs in EUR), `demand.patients_per_year` {n}",
                60_000,
                80_000,
                r["cogs_per_patient"],
                _money(r["cogs_per_patient"], "EUR"),
            )
        )
    worst = max(run("autologous-academic-poc", **{"demand.patients_per_year": n})["cogs_per_patient"] for n in range(18, 51))
    out.append(
        Check(
            "Academic point-of-care CAR-T, highest cost per patient over every whole demand from 18 to 50 patients/yr",
            "EUR 60,000-80,000 per patient at 18-50 patients/yr",
            "Ran et al. 2020, Int J Cancer; UMCG Groningen reports",
            "`autologous-academic-poc`, `demand.patients_per_year` 18, 19, ..., 50",
            60_000,
            80_000,
            worst,
            _money(worst, "EUR"),
        )
    )
    acad = run("autologous-academic-poc")
    price = template("autologous-automated").values()["commercial.price_per_dose"]
    ratio = price / (acad["cogs_per_patient"] * USD_PER_EUR)
    out.append(
        Check(
            "Decentralised against commercial: commercial list price over the academic cost per patient",
            "2-14 times lower, wide uncertainty",
            "Stemer et al. 2024, Eur J Hosp Pharm (review)",
            f"USD {price:,.0f} (catalogue list price, US CAR-T labels) over `autologous-academic-poc` at 30 patients/yr, "
            f"EUR converted at EUR 1 = USD {USD_PER_EUR:.2f}",
            2,
            14,
            ratio,
            f"{ratio:.1f} times (EUR {acad['cogs_per_patient']:,.0f} = USD {acad['cogs_per_patient'] * USD_PER_EUR:,.0f})",
        )
    )
    msc = run("allogeneic-msc-microcarrier")
    gbp = msc["cogs_per_dose"] / USD_PER_GBP
    out.append(
        Check(
            "Allogeneic MSC, cost per 7.5e7-cell dose",
            "about GBP 1,800 per dose",
            "Harrison, Rafiq, Medcalf 2018, Cytotherapy",
            "`allogeneic-msc-microcarrier` (200 L microcarrier lots of 1,856 doses), 10,000 doses/yr; "
            f"converted at GBP 1 = USD {USD_PER_GBP:.2f}",
            1_800 * lo,
            1_800 * hi,
            gbp,
            f"{_money(msc['cogs_per_dose'], 'USD')} = {_money(gbp, 'GBP')}",
        )
    )
    allo = run("allogeneic-cart-bioreactor")
    share = allo["cogs_per_dose"] / auto["cogs_per_dose"]
    out.append(
        Check(
            "Allogeneic against autologous CAR-T, cost per dose at the same 500 doses/yr",
            "a small fraction of autologous (read here as at most a quarter)",
            "published anchor: allogeneic at a small fraction of autologous",
            "`allogeneic-cart-bioreactor` over `autologous-automated`, both at 500 patients/yr",
            0,
            0.25,
            share,
            f"{share:.0%} ({_money(allo['cogs_per_dose'], 'USD')} against {_money(auto['cogs_per_dose'], 'USD')})",
        )
    )
    out.append(
        Check(
            "Allogeneic CAR-T doses per lot",
            "100+ patients per run",
            "Allogene",
            "`allogeneic-cart-bioreactor` (20 L, 2.5e6 cells/mL, 60% downstream yield, 1e8 cells a dose)",
            100,
            float("inf"),
            allo["doses_per_lot"],
            f"{allo['doses_per_lot']:,.0f} doses",
        )
    )
    auto_e = template("autologous-automated").values()["auto.device_capex"] * auto["units"]
    lang = auto["capex_total"] / auto_e
    out.append(
        Check(
            "Lang factor (fixed capital over equipment), autologous",
            "2.3-8.5",
            "Pereira Chilima et al. 2020, Biochem Eng J",
            "`autologous-automated`, 500 patients/yr: `capex_total` over the devices' capex",
            2.3,
            8.5,
            lang,
            f"{lang:.2f} (USD {auto['capex_total'] / 1e6:,.1f}M over USD {auto_e / 1e6:,.1f}M)",
        )
    )
    av = template("allogeneic-cart-bioreactor").values()
    allo_e = (
        allo["units"]
        * av["allo.bioreactor_capex_ref"]
        * (av["allo.bioreactor_volume_l"] / av["allo.bioreactor_ref_volume_l"]) ** av["allo.scale_exponent"]
        + allo["suites"] * av["allo.dsp_fill_capex_per_suite"]
    )
    lang_allo = allo["capex_total"] / allo_e
    out.append(
        Check(
            "Lang factor (fixed capital over equipment), allogeneic",
            "2.3-8.5",
            "Pereira Chilima et al. 2020, Biochem Eng J",
            "`allogeneic-cart-bioreactor`, 500 doses/yr: `capex_total` over bioreactor plus downstream/fill equipment",
            2.3,
            8.5,
            lang_allo,
            f"{lang_allo:.1f} (USD {allo['capex_total'] / 1e6:,.1f}M over USD {allo_e / 1e6:,.2f}M)",
            why_not="one 20 L bioreactor in a whole dedicated site (USD 15M) at 16% utilisation; the building "
            "dominates until demand fills more bioreactors",
        )
    )
    for n in (500, 2_000):
        a = run("autologous-automated", **{"demand.patients_per_year": n})
        b = run("allogeneic-cart-bioreactor", **{"demand.patients_per_year": n})
        k = a["capex_total"] / b["capex_total"]
        out.append(
            Check(
                f"Autologous against allogeneic capital for the same output ({n:,} patients/yr)",
                "about 6 times",
                "Pereira Chilima et al. 2020, Biochem Eng J",
                f"`capex_total` of `autologous-automated` over `allogeneic-cart-bioreactor`, both at {n:,} patients/yr",
                6 * lo,
                6 * hi,
                k,
                f"{k:.1f} times (USD {a['capex_total'] / 1e6:,.1f}M against USD {b['capex_total'] / 1e6:,.1f}M)",
                why_not="autologous capital grows with every patient (devices and suites) while one allogeneic "
                "bioreactor still serves the demand; the published ratio is reached near 2,000 patients/yr",
            )
        )
    for tid, label in (
        ("autologous-cdmo", "contract-manufactured"),
        ("autologous-academic-poc", "academic point-of-care"),
        ("autologous-automated", "integrated dedicated site"),
    ):
        r = run(tid)
        out.append(
            Check(
                f"Vein-to-vein time, {label} (mean)",
                "medians 25-48 d (trials 25.5 d, real world 30.9 d; axi-cel 30.4 d, tisa-cel 48.4 d)",
                "meta-analysis of 40 studies, EHA 2023 (PMC10431072)",
                f"`{tid}`, catalogue demand of the template",
                25,
                48,
                r["vein_to_vein_days"],
                f"{r['vein_to_vein_days']:.1f} d",
                why_not="the defaults describe an integrated site with a 7-day QC release (i-SHIPMENT) and no queue for "
                "batch-record review or infusion scheduling; the contract-manufactured template's 13-day release, "
                "derived from EU supply data, lands inside",
            )
        )
    dc = run(
        "autologous-manual",
        **{
            "demand.patients_per_year": 100,
            "auto.vector_cost_per_batch": 0,
            "auto.consumables_per_batch": 3_000,
            "auto.qc_cost_per_batch": 3_000,
        },
    )
    lab = dc["breakdown.labour"] / dc["total_annual_cost"]
    out.append(
        Check(
            "Labour share of cost of goods, manual non-transduced autologous process",
            "about 50% (dendritic-cell process)",
            "BioProcess International 2018, cost analysis of autologous cell therapy (BioSolve)",
            "`autologous-manual` at 100 patients/yr with `auto.vector_cost_per_batch` 0, `auto.consumables_per_batch` 3,000, "
            "`auto.qc_cost_per_batch` 3,000 (no vector, cheap reagents)",
            0.5 * lo,
            0.5 * hi,
            lab,
            f"{lab:.0%}",
            why_not="the dedicated grade B site's facility charge takes over half of the cost here; the published "
            "process is labour-heavier per batch. Labour share is the template's most uncertain output: "
            "raise `auto.operator_hours_per_batch` or lower the facility inputs to match a client's process",
        )
    )
    return out


NOT_CHECKED = (
    (
        "patients per year, process and QC days, materials and QC per therapy, transport per leg (Triantafyllou et al. 2022)",
        "inputs: catalogue defaults and template values",
    ),
    (
        "delivery success 96-99% (Yescarta EU data); 95.5% satisfactory manufacture (UK national experience)",
        "inputs: `auto.batch_success_rate`",
    ),
    ("hospital pathway cost EUR 48-57k per patient (Cavallo et al. 2024)", "input: `clinical.pathway_cost_per_patient`"),
    ("2 operators per processing operation (BioProcess International 2018)", "input: `labour.min_crew_per_suite`"),
    (
        "maintenance, insurance and taxes as a share of fixed capital (SuperPro Designer defaults)",
        "inputs: `facility.maintenance_rate`, `facility.insurance_tax_rate`",
    ),
    (
        "7 -> 10 staff gives +24% (BioProcess International 2018)",
        "not expressed: the model sizes staff from the work; a fixed head count is not an input",
    ),
    (
        "facility fixed cost proportional to parallel slots (Triantafyllou et al. 2022 data)",
        "not expressed: in a dedicated site the site's own capex and staff do not scale with devices",
    ),
    (
        "lentiviral vector cost shares (Comisel et al. 2021); vector batch scale-up (Boeke et al. 2013)",
        "not expressed: vector is bought per batch or lot, not modelled",
    ),
    (
        "cells per lot 1e12-1e13 and lots per facility 10-200 a year (UCL decisional-tool work; BioProcess International 2016)",
        "not checked: the templates' lots hold 5e10 (CAR-T, 20 L) and 2e11 cells (MSC, 200 L) and run 3 and 7 times a year at their demands, well below these high-dose commercial assumptions",
    ),
)


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render() -> str:
    rows = checks()
    n_in = sum(c.within for c in rows)
    lines = [
        "# Validation against published figures",
        "",
        "Generated by `tools/gen_validation_doc.py` from the live model and the templates of",
        "`resources/templates/`: do not edit by hand (the tests regenerate this page and fail when it",
        "differs). Each row gives the inputs used, the app's answer, the published figure with its",
        "source, and the verdict, computed by comparing the two.",
        "",
        "Conventions:",
        "",
        f'- a figure the source gives as "about" or "near" X is read as X -/+ {ABOUT:.0%};',
        "- the model never converts currency: published figures in another currency are set beside the",
        f"  app's at EUR 1 = USD {USD_PER_EUR:.2f} and GBP 1 = USD {USD_PER_GBP:.2f} (rounded rates of the",
        "  sources' years); the academic template's money inputs are EUR figures, compared in EUR;",
        "- results are the annual steady-state model of docs/model.md; vein-to-vein is the model's mean,",
        "  set against published medians.",
        "",
        f"{n_in} of {len(rows)} checks are within range.",
        "",
        "| figure | inputs | app | published (source) | verdict |",
        "|---|---|---|---|---|",
    ]
    for c in rows:
        lines.append(
            "| " + " | ".join(_cell(x) for x in (c.figure, c.inputs, c.shown, f"{c.published} ({c.source})", c.verdict)) + " |"
        )
    lines += [
        "",
        "## Published figures used as inputs, or not expressed",
        "",
        "| figure | how the model uses it |",
        "|---|---|",
    ]
    for fig, how in NOT_CHECKED:
        lines.append(f"| {_cell(fig)} | {_cell(how)} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 when docs/validation.md is out of date")
    args = ap.parse_args(argv)
    fresh = render()
    current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    if args.check:
        if fresh != current:
            print("docs/validation.md is out of date; run python tools/gen_validation_doc.py", file=sys.stderr)
            return 1
        return 0
    if fresh != current:
        DOC.write_text(fresh, encoding="utf-8")
        print("docs/validation.md regenerated", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
