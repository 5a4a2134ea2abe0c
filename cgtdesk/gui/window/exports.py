"""Exports of the window: the workbook for a client, the chart deck as PDF and as PowerPoint
(on the client's template too), and one chart as PNG, SVG or to the clipboard. A mixin of
:class:`~cgtdesk.gui.window.files.FileController`, which gives it ``doc``, ``selection``,
``prompts``, ``window``, ``charts``, ``monte_carlo``, ``message``, ``last_folder``, ``_suggest``
and ``_file_error``. The export modules load when first used, so that the window starts light.
"""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtWidgets

from cgtdesk.core.errors import InputError
from cgtdesk.gui.dialogs import WORKBOOK_FILTER

Qt = QtCore.Qt


class ExportsMixin:
    """What the window writes for other people and programs."""

    def export_workbook(self) -> bool:
        from cgtdesk.io.workbook import export_workbook

        base = self.doc.path.with_suffix(".xlsx") if self.doc.path else self._suggest(".xlsx")
        path = self.prompts.save_path(self.window, "Export a workbook", str(base), WORKBOOK_FILTER)
        if not path:
            return False
        path = with_suffix(path, ".xlsx")
        try:
            QtWidgets.QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            export_workbook(self.doc.project, path)
        except (InputError, OSError) as e:
            self._file_error(
                "The workbook was not written",
                e,
                "Close the file if Excel has it open, or choose another folder, and export again.",
            )
            return False
        finally:
            QtWidgets.QApplication.restoreOverrideCursor()
        self.message.emit(f"Exported {path.name}: send it to the client; import their copy back with Ctrl+I.")
        return True

    # ---------------------------------------------------------------- charts and the deck

    def export_deck(self) -> bool:
        from cgtdesk.gui import export

        base = self.doc.path.with_suffix(".pdf") if self.doc.path else self._suggest(".pdf")
        path = self.prompts.save_path(self.window, "Export the chart deck", str(base), "PDF documents (*.pdf)")
        if not path:
            return False
        try:
            QtWidgets.QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            pages = export.export_deck(
                self.doc.project,
                path,
                pair=self.selection.pair(),
                scenario=self.selection.current_name(),
                monte_carlo=self.monte_carlo.result,
            )
        except (InputError, OSError) as e:
            self._file_error("The deck was not written", e, "Choose another folder or name and export again.")
            return False
        finally:
            QtWidgets.QApplication.restoreOverrideCursor()
        self.message.emit(f"Wrote {Path(path).name}: {pages} page(s).")
        return True

    def export_pptx(self, template: str | None = None) -> bool:
        """The deck as PowerPoint with native charts (cgtdesk.deck), on ``template`` when given."""
        from cgtdesk.chartdata.board import project_signature
        from cgtdesk.deck import export_pptx

        base = self.doc.path.with_suffix(".pptx") if self.doc.path else self._suggest(".pptx")
        path = self.prompts.save_path(self.window, "Export the deck to PowerPoint", str(base), "PowerPoint files (*.pptx)")
        if not path:
            return False
        mc = self.monte_carlo.result
        if mc is not None and self.monte_carlo.signature != project_signature(self.doc.project):
            mc = None  # a run of other inputs: the deck makes the preset run of these
        try:
            QtWidgets.QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            slides = export_pptx(
                self.doc.project,
                path,
                pair=self.selection.pair(),
                scenario=self.selection.current_name(),
                monte_carlo=mc,
                template=template,
            )
        except (InputError, OSError) as e:
            self._file_error("The deck was not written", e, "Choose another folder or name and export again.")
            return False
        finally:
            QtWidgets.QApplication.restoreOverrideCursor()
        self.message.emit(f"Wrote {Path(path).name}: {slides} slide(s).")
        return True

    def export_pptx_template(self) -> bool:
        """The PowerPoint deck on a client's template (its slide master and layouts)."""
        template = self.prompts.open_path(
            self.window, "Choose the client's PowerPoint template", self.last_folder(), "PowerPoint files (*.pptx *.potx)"
        )
        if not template:
            return False
        return self.export_pptx(template)

    def export_chart(self, kind: str, size) -> bool:
        """The chart on top: "png" at ``size``, "svg", or "copy" to the clipboard."""
        from cgtdesk.gui import export

        name, chart = self.charts.current_chart()
        if kind == "copy":
            export.copy_chart_to_clipboard(chart)
            self.message.emit(f"Copied the {name} chart; paste it into a slide or document.")
            return True
        ext = ".svg" if kind == "svg" else ".png"
        base = Path(self.last_folder()) / f"{safe_name(self.doc.project.title)}-{name}{ext}"
        path = self.prompts.save_path(
            self.window, "Export the chart", str(base), "SVG images (*.svg)" if kind == "svg" else "PNG images (*.png)"
        )
        if not path:
            return False
        try:
            if kind == "svg":
                export.export_chart_svg(chart, path)
            else:
                export.export_chart_png(chart, path, size)
        except (InputError, OSError) as e:
            self._file_error("The chart was not exported", e, "Choose another folder or name and export again.")
            return False
        self.message.emit(f"Exported {Path(path).name}.")
        return True


def with_suffix(path, suffix: str) -> Path:
    path = Path(path)
    return path if path.suffix.lower() == suffix else path.with_name(path.name + suffix)


def safe_name(title: str) -> str:
    """A file name from a project title."""
    keep = "".join(c if c.isalnum() or c in " -_.,()" else "-" for c in title).strip()
    return keep or "project"
