"""Errors the core raises. Every one carries a message meant for the user as it stands."""


class InputError(ValueError):
    """Bad input: a file, a cell, a typed value or a command-line argument that is refused.

    ``str(err)`` is one message naming the place (file, scenario, key, cell), what was expected
    and what was found. The command line turns it into exit status 2.
    """


class DomainError(InputError):
    """Inputs that are each valid but together make no sense, such as a lot that yields no dose.

    ``keys`` names the inputs responsible.
    """

    def __init__(self, message: str, keys: tuple[str, ...] = ()):
        super().__init__(message)
        self.keys = tuple(keys)
