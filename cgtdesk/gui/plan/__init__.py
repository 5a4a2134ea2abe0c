"""The Launch plan view (editor and charts) of the window; see :mod:`cgtdesk.gui.plan.view`.

``charts.py`` holds the plan's chart widgets (also slides, through the chart panel's
``CHART_CLASSES``), ``editor.py`` the plan's fields, ``defaults.py`` the plan a project starts from.
"""

from PySide6 import QtWidgets  # noqa: F401  (PySide6 before pyqtgraph)

# the chart package first: its panel lists the plan's chart widgets among every chart's
from cgtdesk.gui import charts as _charts  # noqa: F401  isort: skip
