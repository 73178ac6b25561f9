"""The training loop: a job in, a trained and exported Ferret model dir out, progress as JSON lines.

One optimiser step = ``gradAccumulation`` micro-batches of ``batchSize`` queries (over all processes). Each
micro-batch's loss is computed on the whole micro-batch's score matrix (every query against every passage for a
bi-encoder, negatives gathered across DDP processes; each query against its own list for a cross-encoder).
AdamW, linear warm-up then linear decay, gradient clipping; seeded, and deterministic on CPU.
"""

from __future__ import annotations

import contextlib
import math
import random
import time
from pathlib import Path

import numpy as np
import torch
from torch.nn.parallel import DistributedDataParallel
from transformers import get_linear_schedule_with_warmup

from . import adore, distributed, grad_cache
from .allocator import retain_freed_memory
from .batch_plan import read_batch_plan
from .cropping import cropped_pairs, read_corpus
from .checkpoint import latest_checkpoint, load_checkpoint, save_checkpoint
from .errors import JobFileError, TrainingSetError
from .evaluate import evaluate_lists
from .export import export_model
from .job import Job
from .losses import LOSSES, NEEDS_TEACHER, BatchLabels
from .model_dir import load_model_dir
from .models import BiEncoder, CrossEncoder
from .precision import autocast, resolve_precision
from .progress import emit
from .sampler import Batch, batch_labels, epoch_batches, own_columns
from .tokens import TokenCache, pair_batch
from .training_set import read_training_set


def seed_everything(seed: int, deterministic: bool) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    if deterministic:
        torch.use_deterministic_algorithms(True)


class CombinedLoss:
    def __init__(self, job: Job) -> None:
        self.terms = [(t.weight, LOSSES[t.name](**t.params)) for t in job.loss]

    def __call__(self, scores: torch.Tensor, labels: BatchLabels) -> torch.Tensor:
        return sum(w * fn(scores, labels) for w, fn in self.terms)


def _param_groups(model: torch.nn.Module, weight_decay: float) -> list[dict]:
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        (no_decay if p.ndim < 2 or "LayerNorm" in name or "layer_norm" in name else decay).append(p)
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]


class Trainer:
    def __init__(self, job: Job) -> None:
        self.job = job
        self.hp = hp = job.hyperparameters
        distributed.init_from_env()
        self.world, self.rank = distributed.world_size(), distributed.rank()
        if torch.cuda.is_available():
            self.device = torch.device("cuda", torch.cuda.current_device())
        else:
            self.device = torch.device("cpu")
        if job.threads:
            torch.set_num_threads(job.threads)
        # before the model and the first batch allocate anything large
        self.allocator = (
            retain_freed_memory() if job.allocator == "retain" and self.device.type == "cpu" else "system"
        )
        if hp.batchSize % self.world:
            raise JobFileError(
                f'{job.path} (field "hyperparameters.batchSize"): {hp.batchSize} is not divisible by the '
                f"{self.world} processes"
            )
        if hp.gradCache and job.mode == "cross-encoder":
            raise JobFileError(f'{job.path} (field "hyperparameters.gradCache"): applies to bi-encoders only')
        self.model_dir = load_model_dir(job.modelDir)
        need_teacher = any(t.name in NEEDS_TEACHER for t in job.loss)
        self.corpus = read_corpus(job.trainingSet) if job.mode == "contriever" else None
        self.ts = (
            self._contriever_pairs(0)
            if self.corpus is not None
            else read_training_set(
                job.trainingSet,
                negatives_per_query=0 if job.mode == "adore" else hp.negativesPerQuery,
                need_teacher=need_teacher,
            )
        )
        self.eval_ts = read_training_set(job.evalSet) if job.evalSet else None
        self.plan = (
            read_batch_plan(job.batchPlan, job.batchPlanStage, self.ts, self.world) if job.batchPlan else None
        )
        micro_batches = sum(self._epoch_size(e) for e in range(hp.epochs))
        self.steps_per_epoch = self._epoch_size(0) // hp.gradAccumulation
        if micro_batches // hp.gradAccumulation == 0:
            raise TrainingSetError(
                f"{self.ts.path}: {len(self.ts)} examples, fewer than one optimiser step needs "
                f"(batchSize {hp.batchSize} x gradAccumulation {hp.gradAccumulation})"
            )
        self.total_steps = hp.maxSteps or micro_batches // hp.gradAccumulation
        self.max_length = hp.maxLength or self.model_dir.max_length
        self.precision, self.precision_note = resolve_precision(hp.precision, self.device)

        seed_everything(hp.seed, deterministic=self.device.type == "cpu")
        self.tokenizer = self.model_dir.tokenizer()
        if job.mode != "cross-encoder":
            self.model = BiEncoder(
                self.model_dir, separate_towers=hp.separateTowers, frozen_documents=job.mode == "adore"
            )
            towers = [self.model.query_tower] + ([self.model.doc_tower] if self.model.doc_tower else [])
        else:
            self.model = CrossEncoder(self.model_dir)
            towers = [self.model.model]
        if hp.gradientCheckpointing:
            for t in towers:
                # non-reentrant checkpointing: it works under DDP and with inputs that need no grad
                t.activation_checkpointing_enable({"use_reentrant": False})
        self.model.to(self.device).train()
        self.optimizer = torch.optim.AdamW(_param_groups(self.model, hp.weightDecay), lr=hp.learningRate)
        self.scheduler = get_linear_schedule_with_warmup(
            self.optimizer, round(hp.warmupRatio * self.total_steps), self.total_steps
        )
        self.loss = CombinedLoss(job)
        self.ddp = (
            DistributedDataParallel(self.model, find_unused_parameters=hp.separateTowers)
            if distributed.is_distributed()
            else None
        )
        self.cache = TokenCache(self.tokenizer, self.max_length)
        self._epoch_cache: tuple[int, list[Batch]] | None = None
        # ADORE: the fixed index, embedded now by the starting weights (a resume loads trained ones later)
        self.index = adore.build_index(self) if job.mode == "adore" else None
        if self.index is not None:
            adore.check_positives(self.ts, self.index)
            self.index.to(self.device)

    # ---- data ------------------------------------------------------------------------------------------

    def _q(self, text: str) -> str:
        return self.model_dir.query_prefix + text

    def _d(self, text: str) -> str:
        return self.model_dir.document_prefix + text

    def _prepare_tokens(self) -> list[int] | None:
        if self.job.mode == "adore":  # queries only: the documents are the fixed index
            self.cache.add([self._q(e.query) for e in self.ts.examples])
            return [self.cache.length(self._q(e.query)) for e in self.ts.examples] if self.hp.lengthGrouping else None
        if self.job.mode != "bi-encoder":  # cross-encoder pairs are tokenised together; crops change per epoch
            return None
        self.cache.add([self._q(e.query) for e in self.ts.examples])
        self.cache.add([self._d(p.text) for e in self.ts.examples for p in e.passages()])
        if not self.hp.lengthGrouping:
            return None
        return [
            max([self.cache.length(self._q(e.query))] + [self.cache.length(self._d(p.text)) for p in e.passages()])
            for e in self.ts.examples
        ]

    def _contriever_pairs(self, epoch: int):
        hp = self.hp
        return cropped_pairs(
            self.corpus, self.job.trainingSet, seed=hp.seed, epoch=epoch,
            ratio_min=hp.cropRatioMin, ratio_max=hp.cropRatioMax, deletion=hp.wordDeletion,
        )

    def _epoch_size(self, epoch: int) -> int:
        """Micro-batches in an epoch: the plan's (epochs beyond it repeat it), else every full batch."""
        if self.plan is not None:
            return len(self.plan[epoch % len(self.plan)])
        return len(self.ts) // self.hp.batchSize

    def _position(self, k: int) -> tuple[int, int]:
        """(epoch, index in it) of the job's k-th micro-batch: epochs continue where the previous ended."""
        epoch = 0
        while k >= self._epoch_size(epoch):
            k -= self._epoch_size(epoch)
            epoch += 1
        return epoch, k

    def _batch(self, k: int) -> Batch:
        epoch, idx = self._position(k)
        if self.plan is not None:
            return self.plan[epoch % len(self.plan)][idx]
        if self._epoch_cache is None or self._epoch_cache[0] != epoch:
            hp = self.hp
            if self.corpus is not None:
                self.cache = TokenCache(self.tokenizer, self.max_length)  # last epoch's crops are not needed
            self._epoch_cache = (
                epoch,
                epoch_batches(
                    self._contriever_pairs(epoch) if self.corpus is not None else self.ts,
                    epoch=epoch,
                    seed=hp.seed,
                    batch_size=hp.batchSize,
                    positives_per_query=1 if self.corpus is not None else hp.positivesPerQuery,
                    negatives_per_query=(
                        0 if self.corpus is not None or self.index is not None else hp.negativesPerQuery
                    ),
                    lengths=self._lengths,
                ),
            )
        return self._epoch_cache[1][idx]

    # ---- one micro-batch -------------------------------------------------------------------------------

    def _sync(self, final: bool):
        if self.ddp is None or final:
            return contextlib.nullcontext()
        return self.ddp.no_sync()

    def _forward_module(self) -> torch.nn.Module:
        return self.ddp if self.ddp is not None else self.model

    def _micro_step(self, batch: Batch, final: bool) -> float:
        labels = batch_labels(batch).to(self.device)
        per = len(batch.examples) // self.world
        mine = slice(self.rank * per, (self.rank + 1) * per)
        examples, slots = batch.examples[mine], batch.slots[mine]
        scale = distributed.backward_scale() / self.hp.gradAccumulation
        if self.job.mode == "cross-encoder":
            g = batch.group_size
            pairs = [(self._q(e.query), p.text) for e, group in zip(examples, slots) for p in group]
            features = {k: v.to(self.device) for k, v in pair_batch(self.tokenizer, self.max_length, pairs).items()}
            with self._sync(final):
                with autocast(self.precision, self.device):
                    local = self._forward_module()(features).view(per, g)
                scores = distributed.gather_with_grad(local)
                loss = self.loss(scores.float(), own_columns(labels, g))
                (loss * scale).backward()
            return loss.item()

        q_texts = [self._q(e.query) for e in examples]
        if self.index is not None:
            return self._adore_step(examples, q_texts, final)
        d_texts = [self._d(p.text) for group in slots for p in group]
        if not self.hp.gradCache:
            with self._sync(final):
                with autocast(self.precision, self.device):
                    q, d = self._forward_module()(
                        queries=self._to(self.cache.batch(q_texts)), documents=self._to(self.cache.batch(d_texts))
                    )
                loss = self._loss_on(q, d, labels)
                (loss * scale).backward()
            return loss.item()
        return self._grad_cache_step(q_texts, d_texts, labels, scale, final)

    def _adore_step(self, examples, q_texts: list[str], final: bool) -> float:
        """Each process ranks its own queries' retrieved lists: no gathering, and DDP's gradient average over
        equal shards is the whole batch's mean."""
        with self._sync(final):
            with autocast(self.precision, self.device):
                q, _ = self._forward_module()(queries=self._to(self.cache.batch(q_texts)))
            rows, labels = adore.retrieved_lists(self.index, q, examples, self.job.adore.topK)
            loss = self.loss(adore.list_scores(self.index, q, rows), labels.to(self.device))
            (loss / self.hp.gradAccumulation).backward()
        return loss.item()

    def _to(self, features: dict) -> dict:
        return {k: v.to(self.device) for k, v in features.items()}

    def _loss_on(self, q: torch.Tensor, d: torch.Tensor, labels: BatchLabels) -> torch.Tensor:
        q_all, d_all = distributed.gather_with_grad(q.float()), distributed.gather_with_grad(d.float())
        return self.loss(q_all @ d_all.T, labels)

    def _grad_cache_step(self, q_texts, d_texts, labels, scale, final) -> float:
        size = self.hp.gradCacheChunk
        chunks = {
            "query": [self._to(self.cache.batch(q_texts[i : i + size])) for i in range(0, len(q_texts), size)],
            "document": [self._to(self.cache.batch(d_texts[i : i + size])) for i in range(0, len(d_texts), size)],
        }

        def embed_with(module):
            def for_side(side):
                def run(features):
                    with autocast(self.precision, self.device):
                        q, d = module(**{("queries" if side == "query" else "documents"): features})
                    return (q if side == "query" else d).float()

                return run

            return for_side

        no_graph = embed_with(self.model)
        q, q_states = grad_cache.embed_without_graph(chunks["query"], no_graph("query"))
        d, d_states = grad_cache.embed_without_graph(chunks["document"], no_graph("document"))
        q.requires_grad_(True)
        d.requires_grad_(True)
        loss = self._loss_on(q, d, labels)
        (loss * scale).backward()
        with_graph = embed_with(self._forward_module())
        no_sync = (lambda: self.ddp.no_sync()) if self.ddp is not None else contextlib.nullcontext
        grad_cache.backward_chunks(
            chunks["query"], q_states, q.grad, with_graph("query"), contextlib.nullcontext, no_sync, False
        )
        grad_cache.backward_chunks(
            chunks["document"], d_states, d.grad, with_graph("document"), contextlib.nullcontext, no_sync, final
        )
        return loss.item()

    # ---- the loop --------------------------------------------------------------------------------------

    def run(self) -> dict:
        job, hp = self.job, self.hp
        out = job.outputDir
        fingerprint = job.fingerprint()
        start = 0
        ckpt = latest_checkpoint(out)
        if ckpt is not None:
            start = load_checkpoint(ckpt, self.model, self.optimizer, self.scheduler, fingerprint)
            emit("resume", step=start, checkpoint=str(ckpt))
        self._lengths = self._prepare_tokens()
        emit(
            "start",
            mode=job.mode,
            loss=[t.name for t in job.loss],
            examples=len(self.ts),
            stepsPerEpoch=self.steps_per_epoch,
            totalSteps=self.total_steps,
            startStep=start,
            processes=self.world,
            device=str(self.device),
            precision=self.precision,
            bf16Detection=self.precision_note,
            threads=torch.get_num_threads(),
            allocator=self.allocator,
            **({} if self.index is None else {"documentIndex": {**self.index.source, "documents": len(self.index)}}),
        )
        step, window_loss, window_n, t0 = start, 0.0, 0, time.perf_counter()
        window_samples = 0
        while step < self.total_steps:
            loss_sum = 0.0
            for a in range(hp.gradAccumulation):
                k = step * hp.gradAccumulation + a
                loss_sum += self._micro_step(self._batch(k), final=a == hp.gradAccumulation - 1)
            if hp.maxGradNorm > 0:
                torch.nn.utils.clip_grad_norm_(self.model.parameters(), hp.maxGradNorm)
            self.optimizer.step()
            self.scheduler.step()
            self.optimizer.zero_grad(set_to_none=True)
            step += 1
            loss_value = loss_sum / hp.gradAccumulation
            if not math.isfinite(loss_value):
                raise FloatingPointError(f"loss is {loss_value} at step {step}")
            window_loss += loss_value
            window_n += 1
            window_samples += hp.batchSize * hp.gradAccumulation
            if step % job.logEvery == 0 or step == self.total_steps:
                elapsed = time.perf_counter() - t0
                emit(
                    "step",
                    step=step,
                    totalSteps=self.total_steps,
                    epoch=self._epoch_progress(step * hp.gradAccumulation),
                    loss=window_loss / window_n,
                    lr=self.scheduler.get_last_lr()[0],
                    samplesPerSecond=window_samples / elapsed if elapsed > 0 else None,
                    **self._memory(),
                )
                window_loss, window_n, window_samples, t0 = 0.0, 0, 0, time.perf_counter()
            if self.eval_ts is not None and job.evalEvery and step % job.evalEvery == 0:
                self._eval(step)
            if step % job.checkpointEvery == 0 or step == self.total_steps:
                self._checkpoint(step, fingerprint)
        if self.eval_ts is not None:
            self._eval(step)
        result = None
        if self.rank == 0:
            result = export_model(self, out / "model")
            emit("export", **result)
        if distributed.is_distributed():
            torch.distributed.barrier()
        emit("done", step=step, model=str(out / "model"))
        return {"step": step, "export": result}

    def _memory(self) -> dict:
        """On a GPU: the peak of PyTorch's allocator on this process's device so far (bench/train/gpu.sh)."""
        if self.device.type != "cuda":
            return {}
        return {"peakGpuMemoryBytes": torch.cuda.max_memory_allocated(self.device)}

    def _epoch_progress(self, k: int) -> float:
        epoch, idx = self._position(k)
        return epoch + idx / self._epoch_size(epoch)

    def _checkpoint(self, step: int, fingerprint: str) -> None:
        if self.rank == 0:
            path = save_checkpoint(
                self.job.outputDir, step, self.model, self.optimizer, self.scheduler, fingerprint,
                self.job.keepCheckpoints,
            )
            emit("checkpoint", step=step, path=str(path))
        if distributed.is_distributed():
            torch.distributed.barrier()

    def _eval(self, step: int) -> None:
        if self.rank == 0:
            metrics = evaluate_lists(self, self.eval_ts)
            emit("eval", step=step, **metrics)
        if distributed.is_distributed():
            torch.distributed.barrier()


def run(job: Job) -> dict:
    return Trainer(job).run()
