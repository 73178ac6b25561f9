"""Typed engine errors: each failure kind has a stable ``code`` that the control plane can match on.

The message names the file, line or field at fault. ``python -m ferret_engine`` prints them as one JSON line
(``{"event": "error", "code": ..., "message": ...}``) and exits with status 2.
"""

from __future__ import annotations


class EngineError(Exception):
    """Base class; ``code`` is the machine-readable failure kind."""

    code = "ENGINE_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class JobFileError(EngineError):
    """The job file is missing, not JSON, or a field is invalid."""

    code = "JOB_FILE_INVALID"


class ModelDirError(EngineError):
    """The model directory lacks a file the engine needs (weights, config, tokenizer, ferret.json) or one is bad."""

    code = "MODEL_DIR_INVALID"


class TrainingSetError(EngineError):
    """The training-set file is missing, empty, or a line is malformed."""

    code = "TRAINING_SET_INVALID"


class CheckpointError(EngineError):
    """A checkpoint to resume from is unreadable or was written by a different job."""

    code = "CHECKPOINT_INVALID"


class ExportError(EngineError):
    """The exported ONNX model does not reproduce the PyTorch model."""

    code = "EXPORT_MISMATCH"


class DocumentIndexError(EngineError):
    """ADORE's document index (an encoder index dir or the documents to embed) is unreadable, does not fit the
    model, or lacks a training query's positive."""

    code = "DOCUMENT_INDEX_INVALID"
