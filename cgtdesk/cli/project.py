"""Project commands: ``compute FILE [--json]``, ``templates [--json]``, ``new --template NAME_OR_FILE -o OUT.cgtproj``."""

from __future__ import annotations

import sys

from cgtdesk.cli import template
from cgtdesk.cli.output import EXIT_OK, load, output_path, print_json, print_table, warn_outside
from cgtdesk.core.errors import InputError
from cgtdesk.core.formatting import format_value

MODE = "facility.mode"


def cmd_compute(args) -> int:
    from cgtdesk.core.catalogue import catalogue
    from cgtdesk.core.model import evaluate_scenario, nest_breakdown

    project = load(args.file)
    warn_outside(project.scenarios, project.currency)
    computed = [(s, evaluate_scenario(s)) for s in project.scenarios]
    if args.json:
        print_json(
            {
                "format_version": 1,
                "title": project.title,
                "currency": project.currency,
                "scenarios": [
                    {"name": s.name, "process": s.process, "mode": _mode(s), "results": nest_breakdown(r)} for s, r in computed
                ],
            }
        )
        return EXIT_OK
    cur = project.currency
    print(f"{project.title} ({cur})\n")
    header = ["Result", "Unit", *[s.name for s, _ in computed]]
    rows = [
        ["Process", "", *[s.process for s, _ in computed]],
        [catalogue().parameters[MODE].label, "", *[_mode(s) for s, _ in computed]],
    ]
    for key, info in catalogue().results.items():
        rows.append([info.label, info.unit_for(cur), *[format_value(r[key], info.kind, cur) for _, r in computed]])
    print_table(header, rows)
    return EXIT_OK


def _mode(scenario) -> str:
    """The scenario's facility mode (dedicated, shared or cdmo); the catalogue default where absent."""
    from cgtdesk.core.catalogue import catalogue

    return scenario.parameters.get(MODE, catalogue().parameters[MODE].default[scenario.process])


def cmd_new(args) -> int:
    from cgtdesk.core.project import Project, project_from_dict
    from cgtdesk.io.projectfile import save_project

    t = template.find_template(args.template, args)
    out = output_path(args.output, (".cgtproj",))
    scenario = t.scenario(args.name)
    project = Project(title=args.title or f"New project: {t.name}", currency=args.currency, scenarios=[scenario])
    project_from_dict(project.to_dict(), where_prefix="the new project: ")  # never write a file that would not load
    try:
        save_project(project, out)
    except OSError as e:
        raise InputError(f"{out}: cannot be written ({e.strerror or e})") from None
    print(f"wrote {out} with one {t.process} scenario '{scenario.name}' from template {t.id}", file=sys.stderr)
    return EXIT_OK


def register(sub) -> None:
    p = sub.add_parser("compute", help="every scenario's results")
    p.add_argument("file", metavar="FILE", help=".cgtproj project or .xlsx workbook")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_compute)

    p = sub.add_parser("templates", help="list the templates: bundled, the library's and other folders'")
    p.add_argument("--json", action="store_true")
    template.add_library_options(p)
    p.set_defaults(func=template.cmd_templates)

    p = sub.add_parser("new", help="a new project from a template")
    p.add_argument("--template", required=True, metavar="NAME_OR_FILE", help="a template's id or name, or a .cgttemplate file")
    template.add_library_options(p)
    p.add_argument("-o", "--output", required=True, metavar="OUT.cgtproj")
    p.add_argument("--name", help="scenario name (default: the template's name)")
    p.add_argument("--title", help="project title")
    p.add_argument("--currency", default="USD", help="currency label (default USD; no conversion)")
    p.set_defaults(func=cmd_new)
