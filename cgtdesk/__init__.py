"""CGT Desk: dose economics and scale-up comparisons for cell and gene therapy manufacturing."""

__version__ = "0.1.0"
APP_NAME = "CGT Desk"
