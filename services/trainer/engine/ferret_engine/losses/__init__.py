"""Training losses, one per file; each takes a [B, M] score matrix and the batch's ``BatchLabels``."""

from __future__ import annotations

import torch

from .disj_infonce import DisjInfoNCELoss, disj_info_nce
from .infonce import InfoNCELoss, info_nce
from .kl_listwise import KLListwiseLoss, kl_listwise
from .labels import BatchLabels
from .lambdarank import LambdaRankLoss, lambdarank_loss
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
    "lambdarank": LambdaRankLoss,
}

#: Losses that need teacher scores in the training set.
NEEDS_TEACHER = {"kl-listwise", "margin-mse"}

#: Losses over a retrieved list in rank order: ADORE mode only (and ADORE mode only takes these).
RANKED_LIST = {"lambdarank"}

__all__ = [
    "LOSSES",
    "NEEDS_TEACHER",
    "RANKED_LIST",
    "BatchLabels",
    "DisjInfoNCELoss",
    "InfoNCELoss",
    "KLListwiseLoss",
    "LambdaRankLoss",
    "MWLoss",
    "MarginMSELoss",
    "WassersteinListwiseLoss",
    "disj_info_nce",
    "info_nce",
    "kl_listwise",
    "lambdarank_loss",
    "margin_mse",
    "mw_loss",
    "wasserstein_listwise",
]
