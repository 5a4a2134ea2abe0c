"""Shared test settings: Qt offscreen, no display needed."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "resources" / "example.cgtproj"


@pytest.fixture
def example_path() -> Path:
    return EXAMPLE
