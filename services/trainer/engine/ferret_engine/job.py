"""The job file: one JSON object that says what to train, on what, with which loss and hyper-parameters, and
where to write (README.md, "Job file"). Unknown or invalid fields are a ``JobFileError`` naming the field."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .allocator import ALLOCATORS
from .errors import JobFileError
from .losses import LOSSES, NEEDS_TEACHER, RANKED_LIST

#: contriever: a bi-encoder trained on pairs of random crops of a corpus's passages (cropping.py); the
#: trainingSet is then a corpus file. adore: the query tower alone, against a fixed document index (adore.py)
MODES = ("bi-encoder", "cross-encoder", "contriever", "adore")
PRECISIONS = ("fp32", "bf16", "auto")


@dataclass(frozen=True)
class LossTerm:
    name: str
    weight: float = 1.0
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Hyperparameters:
    epochs: int = 1
    #: stop after this many optimiser steps (default: epochs × steps per epoch)
    maxSteps: int | None = None
    #: queries per optimiser micro-batch, over all processes (the contrastive batch)
    batchSize: int = 32
    positivesPerQuery: int = 1
    negativesPerQuery: int = 1
    learningRate: float = 2e-5
    weightDecay: float = 0.01
    warmupRatio: float = 0.1
    maxGradNorm: float = 1.0
    gradAccumulation: int = 1
    #: GradCache: encode the batch without gradients in chunks, then backpropagate chunk by chunk
    gradCache: bool = False
    gradCacheChunk: int = 16
    gradientCheckpointing: bool = False
    lengthGrouping: bool = False
    #: tokens per text; default: ferret.json's maxLength
    maxLength: int | None = None
    seed: int = 13
    #: "auto": bf16 autocast where detected (AMX CPU, bf16 GPU), else fp32 (precision.py)
    precision: str = "auto"
    separateTowers: bool = False
    #: contriever mode: crop length ratio range and word deletion probability
    cropRatioMin: float = 0.1
    cropRatioMax: float = 0.5
    wordDeletion: float = 0.1


@dataclass(frozen=True)
class AdoreOptions:
    """ADORE mode's document index: embedded once by the starting model from ``corpus`` (a corpus file), read
    from ``index`` (an encoder index dir), or, with neither, made of the training set's passages."""

    corpus: Path | None = None
    index: Path | None = None
    #: documents retrieved per query and step (the dynamic hard negatives; the paper's k = 200)
    topK: int = 200


@dataclass(frozen=True)
class Job:
    path: Path
    modelDir: Path
    trainingSet: Path
    outputDir: Path
    mode: str = "bi-encoder"
    loss: tuple[LossTerm, ...] = (LossTerm("infonce"),)
    evalSet: Path | None = None
    #: batches chosen by the control plane (batches.jsonl, batch_plan.py) instead of the random sampler
    batchPlan: Path | None = None
    #: the curriculum stage of the plan's lines to use
    batchPlanStage: int = 1
    hyperparameters: Hyperparameters = Hyperparameters()
    checkpointEvery: int = 100
    keepCheckpoints: int = 2
    logEvery: int = 10
    evalEvery: int | None = None
    #: torch intra-op threads (default: torch's choice)
    threads: int | None = None
    #: also write model.int8.onnx
    quantize: bool = True
    #: CPU memory: "retain" keeps freed blocks in the process (allocator.py), "system" is glibc's default
    allocator: str = "retain"
    #: mode "adore" only
    adore: AdoreOptions | None = None

    def fingerprint(self) -> str:
        """What a checkpoint must have been trained with to be resumed by this job."""
        keep = {
            "modelDir": str(self.modelDir),
            "trainingSet": str(self.trainingSet),
            "mode": self.mode,
            "batchPlan": str(self.batchPlan) if self.batchPlan else None,
            "batchPlanStage": self.batchPlanStage,
            "loss": [asdict(t) for t in self.loss],
            "hyperparameters": asdict(self.hyperparameters),
        }
        if self.adore is not None:
            keep["adore"] = {k: str(v) if isinstance(v, Path) else v for k, v in asdict(self.adore).items()}
        return hashlib.sha256(json.dumps(keep, sort_keys=True).encode()).hexdigest()[:16]


def _err(path: Path, fld: str, problem: str) -> JobFileError:
    return JobFileError(f'{path} (field "{fld}"): {problem}')


def _check_type(path: Path, fld: str, value, want: type | tuple, minimum=None):
    if isinstance(value, bool) and want is not bool and bool not in (want if isinstance(want, tuple) else (want,)):
        raise _err(path, fld, f"must be {_type_name(want)}")
    if not isinstance(value, want):
        raise _err(path, fld, f"must be {_type_name(want)}")
    if minimum is not None and value < minimum:
        raise _err(path, fld, f"must be >= {minimum}")
    return value


def _type_name(want) -> str:
    names = {int: "an integer", float: "a number", bool: "true or false", str: "a string"}
    if isinstance(want, tuple):
        return " or ".join(names.get(w, w.__name__) for w in want if w is not type(None))
    return names.get(want, want.__name__)


_HP_TYPES = {
    "epochs": (int, 1),
    "maxSteps": ((int, type(None)), 1),
    "batchSize": (int, 1),
    "positivesPerQuery": (int, 1),
    "negativesPerQuery": (int, 0),
    "learningRate": ((int, float), 0),
    "weightDecay": ((int, float), 0),
    "warmupRatio": ((int, float), 0),
    "maxGradNorm": ((int, float), 0),
    "gradAccumulation": (int, 1),
    "gradCache": (bool, None),
    "gradCacheChunk": (int, 1),
    "gradientCheckpointing": (bool, None),
    "lengthGrouping": (bool, None),
    "maxLength": ((int, type(None)), 2),
    "seed": (int, 0),
    "precision": (str, None),
    "separateTowers": (bool, None),
    "cropRatioMin": ((int, float), 0),
    "cropRatioMax": ((int, float), 0),
    "wordDeletion": ((int, float), 0),
}


def _loss_terms(path: Path, raw) -> tuple[LossTerm, ...]:
    items = [raw] if isinstance(raw, (str, dict)) else raw
    if not isinstance(items, list) or not items:
        raise _err(path, "loss", "must be a loss name, an object or a non-empty list of them")
    terms = []
    for i, item in enumerate(items):
        fld = "loss" if not isinstance(raw, list) else f"loss[{i}]"
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, dict):
            raise _err(path, fld, "must be a loss name or an object")
        unknown = set(item) - {"name", "weight", "params"}
        if unknown:
            raise _err(path, f"{fld}.{sorted(unknown)[0]}", "unknown field")
        name = item.get("name")
        if name not in LOSSES:
            raise _err(path, f"{fld}.name", f"must be one of {', '.join(LOSSES)}")
        weight = _check_type(path, f"{fld}.weight", item.get("weight", 1.0), (int, float), 0)
        params = item.get("params", {})
        if not isinstance(params, dict):
            raise _err(path, f"{fld}.params", "must be an object")
        try:
            LOSSES[name](**params)
        except (TypeError, ValueError) as e:
            raise _err(path, f"{fld}.params", f"not accepted by {name}: {e}") from e
        terms.append(LossTerm(name, float(weight), dict(params)))
    return tuple(terms)


def _adore_options(path: Path, raw, resolve) -> AdoreOptions:
    if not isinstance(raw, dict):
        raise _err(path, "adore", "must be an object")
    unknown = set(raw) - set(AdoreOptions.__dataclass_fields__)
    if unknown:
        raise _err(path, f"adore.{sorted(unknown)[0]}", "unknown field")
    corpus, index = (resolve(f"adore.{k}", raw.get(k)) for k in ("corpus", "index"))
    if corpus is not None and index is not None:
        raise _err(path, "adore.index", "give adore.corpus or adore.index, not both")
    # a list needs a negative beside the positive it may hold
    top_k = _check_type(path, "adore.topK", raw.get("topK", AdoreOptions.topK), int, 2)
    return AdoreOptions(corpus=corpus, index=index, topK=top_k)


def parse_job(raw: dict, path: Path) -> Job:
    if not isinstance(raw, dict):
        raise JobFileError(f"{path}: must be a JSON object")
    allowed = {f for f in Job.__dataclass_fields__ if f != "path"}
    unknown = set(raw) - allowed
    if unknown:
        raise _err(path, sorted(unknown)[0], "unknown field")
    base = path.parent

    def resolve(fld: str, v) -> Path | None:
        if v is None:
            return None
        if not isinstance(v, str) or not v:
            raise _err(path, fld, "must be a path (a non-empty string)")
        return (base / v).resolve() if not Path(v).is_absolute() else Path(v)

    def p(fld: str, required: bool = True) -> Path | None:
        if required and raw.get(fld) is None:
            raise _err(path, fld, "must be a path (a non-empty string)")
        return resolve(fld, raw.get(fld))

    mode = raw.get("mode", "bi-encoder")
    if mode not in MODES:
        raise _err(path, "mode", f"must be one of {', '.join(MODES)}")
    hp_raw = raw.get("hyperparameters", {})
    if not isinstance(hp_raw, dict):
        raise _err(path, "hyperparameters", "must be an object")
    hp = {}
    for k, v in hp_raw.items():
        if k not in _HP_TYPES:
            raise _err(path, f"hyperparameters.{k}", "unknown field")
        want, minimum = _HP_TYPES[k]
        hp[k] = _check_type(path, f"hyperparameters.{k}", v, want, None if v is None else minimum)
    if hp.get("precision", "auto") not in PRECISIONS:
        raise _err(path, "hyperparameters.precision", f"must be one of {', '.join(PRECISIONS)}")
    ints = {}
    for k, minimum in (("checkpointEvery", 1), ("keepCheckpoints", 1), ("logEvery", 1), ("batchPlanStage", 1)):
        if k in raw:
            ints[k] = _check_type(path, k, raw[k], int, minimum)
    for k in ("evalEvery", "threads"):
        if raw.get(k) is not None:
            ints[k] = _check_type(path, k, raw[k], int, 1)
    if "quantize" in raw:
        ints["quantize"] = _check_type(path, "quantize", raw["quantize"], bool)
    if "allocator" in raw:
        if raw["allocator"] not in ALLOCATORS:
            raise _err(path, "allocator", f"must be one of {', '.join(ALLOCATORS)}")
        ints["allocator"] = raw["allocator"]
    job = Job(
        path=path,
        modelDir=p("modelDir"),
        trainingSet=p("trainingSet"),
        outputDir=p("outputDir"),
        mode=mode,
        loss=_loss_terms(path, raw.get("loss", "lambdarank" if mode == "adore" else "infonce")),
        evalSet=p("evalSet", required=False),
        batchPlan=p("batchPlan", required=False),
        hyperparameters=Hyperparameters(**hp),
        adore=_adore_options(path, raw.get("adore", {}), resolve) if mode == "adore" else None,
        **ints,
    )
    h = job.hyperparameters
    if job.mode == "cross-encoder" and h.separateTowers:
        raise _err(path, "hyperparameters.separateTowers", "applies to bi-encoders only")
    if job.mode == "cross-encoder" and h.negativesPerQuery == 0 and h.positivesPerQuery == 1:
        raise _err(path, "hyperparameters.negativesPerQuery", "a cross-encoder needs negatives in each list")
    if job.mode == "contriever":
        teacher = next((t.name for t in job.loss if t.name in NEEDS_TEACHER), None)
        if teacher:
            raise _err(path, "loss", f"{teacher} needs teacher scores; contriever pairs have none")
        if job.batchPlan is not None:
            raise _err(path, "batchPlan", "does not apply to contriever mode")
        if not 0 < h.cropRatioMin <= h.cropRatioMax <= 1:
            raise _err(path, "hyperparameters.cropRatioMin", "need 0 < cropRatioMin <= cropRatioMax <= 1")
        if h.wordDeletion >= 1:
            raise _err(path, "hyperparameters.wordDeletion", "must be < 1")
    if "adore" in raw and job.mode != "adore":
        raise _err(path, "adore", 'applies to mode "adore" only')
    ranked = next((t.name for t in job.loss if t.name in RANKED_LIST), None)
    if job.mode == "adore":
        other = next((t.name for t in job.loss if t.name not in RANKED_LIST), None)
        if other:
            raise _err(path, "loss", f"{other} does not apply to adore mode (its loss is lambdarank)")
        for fld, bad in (("separateTowers", h.separateTowers), ("gradCache", h.gradCache)):
            if bad:
                raise _err(path, f"hyperparameters.{fld}", "does not apply to adore mode (the documents are fixed)")
        if job.batchPlan is not None:
            raise _err(path, "batchPlan", "does not apply to adore mode")
    elif ranked:
        raise _err(path, "loss", f'{ranked} ranks a retrieved list: mode "adore" only')
    if job.batchPlan is not None and (h.positivesPerQuery, h.negativesPerQuery) != (1, 1):
        raise _err(path, "hyperparameters.negativesPerQuery", "a batch plan gives one positive and one negative per query")
    return job


def read_job(path: str | Path) -> Job:
    p = Path(path).resolve()
    try:
        raw = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise JobFileError(f"{p}: job file does not exist") from e
    except json.JSONDecodeError as e:
        raise JobFileError(f"{p}: not JSON ({e.msg} at line {e.lineno})") from e
    return parse_job(raw, p)
