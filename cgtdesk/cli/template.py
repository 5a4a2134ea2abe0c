"""Template commands: ``template export``, ``template import``, ``template delete``, and the
library options and look-ups that ``templates`` and ``new --template`` share.

The library is the bundled templates, the user's library folder (``--library DIR``, else
``CGTDESK_LIBRARY``, else the app's data folder's ``templates``) and further folders
(``--shared DIR``, repeatable, else ``CGTDESK_SHARED_LIBRARY``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from cgtdesk.cli.output import EXIT_OK, load, output_path, print_json, print_table
from cgtdesk.core.errors import InputError


def add_library_options(p) -> None:
    p.add_argument("--library", metavar="DIR", help="the user's template library folder (default: the app's)")
    p.add_argument("--shared", metavar="DIR", action="append", help="a further template folder, e.g. a shared drive")


def library_dir(args) -> Path:
    from cgtdesk.io.templatefile import default_library_dir

    return Path(args.library) if args.library else default_library_dir()


def library(args):
    """The library the options name; a file skipped in it is noted once on stderr."""
    from cgtdesk.io.templatefile import load_library, shared_library_dirs

    extra = [Path(d) for d in args.shared] if args.shared else shared_library_dirs()
    lib = load_library(library_dir(args), extra)
    for problem in lib.problems:
        print(f"cgtdesk: note: {problem}", file=sys.stderr)
    return lib


def find_template(name: str, args):
    """A template by file (a path ending in .cgttemplate, or an existing file) or by id or name
    in the library (its newest version)."""
    from cgtdesk.io.templatefile import SUFFIX, load_template

    path = Path(name)
    if name.lower().endswith(SUFFIX) or path.is_file():
        return load_template(path)
    return library(args).find(name)


def template_rows(lib) -> list[dict]:
    """``templates --json``: the newest version of each template, with every version found."""
    return [
        {
            "id": t.id,
            "name": t.name,
            "process": t.process,
            "description": t.description,
            "version": t.version,
            "versions": lib.versions(t.id),
            "author": t.author,
            "date": t.date,
            "where": t.where,
            "overrides": t.overrides,
            "sources": {k: t.source(k) for k in t.overrides},
        }
        for t in lib.latest().values()
    ]


def cmd_templates(args) -> int:
    lib = library(args)
    if args.json:
        print_json(template_rows(lib))
        return EXIT_OK
    rows = [[t.id, t.process, ", ".join(map(str, lib.versions(t.id))), t.name, t.where] for t in lib.latest().values()]
    print_table(["Template", "Process", "Versions", "Name", "Where"], rows)
    return EXIT_OK


def cmd_export(args) -> int:
    from cgtdesk.core.templates import template_from_scenario
    from cgtdesk.io.templatefile import SUFFIX, export_template

    project = load(args.file)
    scenario = project.scenario(args.scenario)
    out = output_path(args.output, (SUFFIX,))
    result = template_from_scenario(
        scenario,
        args.name or scenario.name,
        args.author or "",
        description=args.description or "",
        version=args.version,
        template_id=args.id,
    )
    export_template(result.template, out)
    print(f"wrote {out}: {result.message}", file=sys.stderr)
    return EXIT_OK


def cmd_import(args) -> int:
    from cgtdesk.io.templatefile import import_template

    folder = library_dir(args)
    t = import_template(args.file, folder)
    print(f"imported template '{t.name}' ({t.id}, version {t.version}) into {folder}", file=sys.stderr)
    return EXIT_OK


def cmd_delete(args) -> int:
    from cgtdesk.io.templatefile import delete_template

    gone = delete_template(library_dir(args), args.id, args.version)
    for p in gone:
        print(f"deleted {p}", file=sys.stderr)
    return EXIT_OK


def _version(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise InputError(f"--version: expected a whole number from 1, found {text!r}") from None
    if v < 1:
        raise InputError(f"--version: expected a whole number from 1, found {v}")
    return v


def register(sub) -> None:
    p = sub.add_parser("template", help="platform templates: export a scenario's platform, import, delete")
    tsub = p.add_subparsers(dest="template_command", metavar="ACTION", parser_class=type(p))
    tsub.required = True

    e = tsub.add_parser("export", help="save a scenario's platform values (never its product values) as a template file")
    e.add_argument("file", metavar="FILE", help=".cgtproj project or .xlsx workbook")
    e.add_argument("--scenario", required=True, metavar="NAME")
    e.add_argument("-o", "--output", required=True, metavar="OUT.cgttemplate")
    e.add_argument("--name", help="template name (default: the scenario's)")
    e.add_argument("--author", help="who made it")
    e.add_argument("--description", help="what the platform is")
    e.add_argument("--id", help="the template id, to write a new version of a template (default: a new uuid)")
    e.add_argument("--version", type=_version, default=1, help="the template version (default 1)")
    e.set_defaults(func=cmd_export)

    i = tsub.add_parser("import", help="check a template file and copy it into the library")
    i.add_argument("file", metavar="FILE.cgttemplate")
    add_library_options(i)
    i.set_defaults(func=cmd_import)

    d = tsub.add_parser("delete", help="delete a template (every version, or one) from the library")
    d.add_argument("id", metavar="ID")
    d.add_argument("--version", type=_version, help="only this version")
    add_library_options(d)
    d.set_defaults(func=cmd_delete)
