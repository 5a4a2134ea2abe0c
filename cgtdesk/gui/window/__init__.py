"""The main window, composed of docks and controllers (see ``main_window.py`` for who does what)."""
