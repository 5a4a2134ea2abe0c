"""The calculation core: catalogue, model, project, analyses. numpy and pandas only, never Qt."""

from cgtdesk.core.catalogue import PROCESSES, Parameter, catalogue, parameter, result_keys
from cgtdesk.core.errors import DomainError, InputError
from cgtdesk.core.model import evaluate, evaluate_scenario

__all__ = [
    "PROCESSES",
    "DomainError",
    "InputError",
    "Parameter",
    "catalogue",
    "evaluate",
    "evaluate_scenario",
    "parameter",
    "result_keys",
]
