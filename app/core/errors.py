"""Named errors of the studio, each with a message that says what to do.

The bridge maps the model worker's error names (assets/protocol.js ``ErrorName``)
to these classes. Public: ``StudioError`` and its subclasses, ``error_for``.
"""


class StudioError(Exception):
    """Base of every error the studio shows to a creator; ``retryable`` ones offer Try again."""

    retryable = False


class ModelNotFoundError(StudioError):
    """The model's files are not where the catalogue says."""


class ModelLoadError(StudioError):
    """The model's files exist but could not be loaded."""


class GenerationError(StudioError):
    """The model failed while generating."""


class WorkerCrashedError(StudioError):
    """The model worker died (out of memory, terminated)."""

    retryable = True


class BadRequestError(StudioError):
    """The studio sent the worker a request it cannot serve."""


class EngineError(StudioError):
    """The creator's own server (an OpenAI-compatible engine) failed or refused a request;
    the creator can mend it (start it, fix its settings) and try again."""

    retryable = True


class EngineLostError(EngineError):
    """That server stopped answering after its reply had begun."""


class CatalogueError(StudioError):
    """The model catalogue is missing or unreadable."""


_BY_NAME = {cls.__name__: cls for cls in (
    ModelNotFoundError, ModelLoadError, GenerationError, WorkerCrashedError, BadRequestError, EngineError,
    EngineLostError,
)}


def error_for(name: str, message: str) -> StudioError:
    """The studio error for a worker error name (unknown names become GenerationError)."""
    return _BY_NAME.get(name, GenerationError)(message)
