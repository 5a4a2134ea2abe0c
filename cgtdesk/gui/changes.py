"""What a client changed: the open project against an imported workbook, as rows to review.

The differences come from ``cgtdesk.core.diff.diff_projects``, the same list that
``import --against`` prints; this module only words them for the dialog. No Qt.
"""

from __future__ import annotations

from cgtdesk.core.catalogue import catalogue
from cgtdesk.core.formatting import fmt_number


def _show(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, (int, float)):
        return fmt_number(v)
    if isinstance(v, dict):
        return " ".join(f"{k}={_show(x)}" for k, x in v.items())
    text = " ".join(str(v).split())
    return text if len(text) <= 60 else text[:57] + "..."


def change_rows(old, new) -> list[tuple[str, str, str, str]]:
    """(scenario, input, was, now) for every difference (a renamed scenario first says so, then
    its changed inputs), scenarios added and removed, then what the workbook holds beyond the
    inputs (a warning when it came from another project, overwritten formulas, failing checks,
    the client's notes and comments: rows under "(workbook)")."""
    from cgtdesk.core.diff import diff_projects
    from cgtdesk.io.workbook import import_report

    report = import_report(new)
    diff = diff_projects(old, new, renames=report.renames(old) if report else None)
    rows = []
    for c in diff["changes"]:
        key = c["key"]
        p = catalogue().parameters.get(key)
        label = f"{p.label} ({key})" if p else key
        if "message" in c:
            label = f"scenario name ({c['message']})"
        rows.append((c["scenario"] if c["scenario"] is not None else "(project)", label, _show(c["old"]), _show(c["new"])))
    for name in diff["added"]:
        rows.append((name, "(whole scenario)", "-", "added"))
    for name in diff["removed"]:
        rows.append((name, "(whole scenario)", "present", "removed"))
    if not rows and old.names() != new.names():
        rows.append(("(project)", "scenario order", ", ".join(old.names()), ", ".join(new.names())))
    if report is not None:
        rows += [("(workbook)", line, "", "") for line in report.provenance_lines(old) if line.startswith("warning")]
        rows += [("(workbook)", line, "", "ignored" if line.endswith(": ignored") else "") for line in report.findings()]
    return rows


def summary(rows, source: str) -> str:
    if not rows:
        return f"{source} holds the same inputs as the open project: there is nothing to apply."
    n_scen = len({r[0] for r in rows if r[0] != "(project)"})
    return (
        f"{source} differs from the open project in {len(rows)} place(s) across {n_scen} scenario(s). "
        "Review the changes, then apply them (Undo takes them back)."
    )
