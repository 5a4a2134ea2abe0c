"""The desktop application: PySide6 and pyqtgraph over the core. Import PySide6 before pyqtgraph."""
