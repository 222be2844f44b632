"""Named errors of the studio, each with a message that says what to do.

The bridge maps the model worker's error names (assets/protocol.js ``ErrorName``)
to these classes. Public: ``StudioError`` and its subclasses, ``error_for``.
"""


class StudioError(Exception):
    """Base of every error the studio shows to a creator."""


class ModelNotFoundError(StudioError):
    """The model's files are not where the catalogue says."""


class ModelLoadError(StudioError):
    """The model's files exist but could not be loaded."""


class GenerationError(StudioError):
    """The model failed while generating."""


class WorkerCrashedError(StudioError):
    """The model worker died (out of memory, terminated)."""


class BadRequestError(StudioError):
    """The studio sent the worker a request it cannot serve."""


class CatalogueError(StudioError):
    """The model catalogue is missing or unreadable."""


_BY_NAME = {cls.__name__: cls for cls in (
    ModelNotFoundError, ModelLoadError, GenerationError, WorkerCrashedError, BadRequestError,
)}


def error_for(name: str, message: str) -> StudioError:
    """The studio error for a worker error name (unknown names become GenerationError)."""
    return _BY_NAME.get(name, GenerationError)(message)
