"""The headless interface: ``cgtdesk COMMAND ...`` (``python -m cgtdesk``, ``python main.py``).

Modules: :mod:`.main` (the parser, explicit command registration, exit status),
:mod:`.output` (tables, JSON, output paths), :mod:`.project` (compute, templates, new),
:mod:`.workbook` (export, import), :mod:`.analyses` (sweep, crossover, tornado, montecarlo,
solve). Call ``cgtdesk.cli.main.main(argv)``; docs/architecture.md describes the layers.
"""
