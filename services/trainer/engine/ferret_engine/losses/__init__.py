"""Training losses, one per file; each takes a [B, M] score matrix and the batch's ``BatchLabels``."""

from __future__ import annotations

import torch

from .disj_infonce import DisjInfoNCELoss, disj_info_nce
from .infonce import InfoNCELoss, info_nce
from .kl_listwise import KLListwiseLoss, kl_listwise
from .labels import BatchLabels
from .margin_mse import MarginMSELoss, margin_mse
from .mw import MWLoss, mw_loss
from .wasserstein import WassersteinListwiseLoss, wasserstein_listwise

#: Job-file name -> loss class (constructor keyword arguments come from the job's loss "params").
LOSSES: dict[str, type[torch.nn.Module]] = {
    "infonce": InfoNCELoss,
    "disj-infonce": DisjInfoNCELoss,
    "mw": MWLoss,
    "wasserstein": WassersteinListwiseLoss,
    "kl-listwise": KLListwiseLoss,
    "margin-mse": MarginMSELoss,
}

#: Losses that need teacher scores in the training set.
NEEDS_TEACHER = {"kl-listwise", "margin-mse"}

__all__ = [
    "LOSSES",
    "NEEDS_TEACHER",
    "BatchLabels",
    "DisjInfoNCELoss",
    "InfoNCELoss",
    "KLListwiseLoss",
    "MWLoss",
    "MarginMSELoss",
    "WassersteinListwiseLoss",
    "disj_info_nce",
    "info_nce",
    "kl_listwise",
    "margin_mse",
    "mw_loss",
    "wasserstein_listwise",
]
