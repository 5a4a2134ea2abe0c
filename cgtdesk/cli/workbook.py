"""Excel commands: ``export FILE -o OUT.xlsx`` and ``import WORKBOOK.xlsx -o OUT.cgtproj [--against OLD]``."""

from __future__ import annotations

import sys

from cgtdesk.cli.output import EXIT_OK, load, notify, output_path, print_json, print_table


def cmd_export(args) -> int:
    from cgtdesk.io.workbook import export_workbook

    out = output_path(args.output, (".xlsx",))
    project = load(args.file)
    export_workbook(project, out)
    print(f"wrote {out} with {len(project.scenarios)} scenario(s)", file=sys.stderr)
    return EXIT_OK


def _show(v) -> str:
    from cgtdesk.core.formatting import fmt_number

    if v is None:
        return "-"
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return fmt_number(v)
    if isinstance(v, dict):
        return " ".join(f"{k}={_show(x)}" for k, x in v.items())
    text = str(v).replace("\n", " ")
    return text if len(text) <= 60 else text[:57] + "..."


def cmd_import(args) -> int:
    from cgtdesk.core.diff import diff_projects
    from cgtdesk.io.projectfile import load_project, save_project
    from cgtdesk.io.workbook import import_report, read_workbook

    out = output_path(args.output, (".cgtproj",))
    project = notify(args.workbook, read_workbook(args.workbook))  # everything is validated before anything is written
    report = import_report(project)
    diff = old = None
    if args.against:
        old = notify(args.against, load_project(args.against))
        diff = diff_projects(old, project, renames=report.renames(old) if report else None)
    save_project(project, out)
    print(f"wrote {out} with {len(project.scenarios)} scenario(s)", file=sys.stderr)
    lines = report.provenance_lines(old) if report else []
    findings = report.findings() if report else []
    if args.json:
        extra = {**report.to_json(), "provenance": lines, "findings": findings} if report else {}
        if diff is None:
            print_json({"output": str(out), "scenarios": project.names(), **extra})
        else:
            print_json({"output": str(out), "against": args.against, **diff, **extra})
        return EXIT_OK
    for line in lines:
        print(line, file=sys.stderr if diff is None else sys.stdout)
    if diff is not None:
        _print_diff(args.against, diff)
    if findings:
        print("\nIn the workbook:" if diff is not None else "In the workbook:", file=sys.stderr if diff is None else sys.stdout)
        for line in findings:
            print(f"  {line}", file=sys.stderr if diff is None else sys.stdout)
    return EXIT_OK


def _print_diff(against: str, diff: dict) -> None:
    changes, added, removed = diff["changes"], diff["added"], diff["removed"]
    print(f"Changes from {against}: {len(changes)} input(s) differ, {len(added)} scenario(s) added, {len(removed)} removed\n")
    if changes:
        rows = [
            [c["scenario"] if c["scenario"] is not None else "(project)", c["key"], _show(c["old"]), _show(c["new"])]
            for c in changes
        ]
        print_table(["Scenario", "Key", "Old", "New"], rows)
        for c in changes:
            if "message" in c:
                print(c["message"])
    for name in added:
        print(f"added scenario: {name}")
    for name in removed:
        print(f"removed scenario: {name}")
    if not (changes or added or removed):
        print("no differences")


def register(sub) -> None:
    p = sub.add_parser("export", help="the Excel workbook of a project")
    p.add_argument("file", metavar="FILE", help=".cgtproj project or .xlsx workbook")
    p.add_argument("-o", "--output", required=True, metavar="OUT.xlsx")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("import", help="validate a workbook and convert it to a project file")
    p.add_argument("workbook", metavar="WORKBOOK.xlsx")
    p.add_argument("-o", "--output", required=True, metavar="OUT.cgtproj")
    p.add_argument("--against", metavar="OLD.cgtproj", help="list every input that differs from this project")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_import)
