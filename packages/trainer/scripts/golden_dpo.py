"""Golden values for @tunekit/trainer's DPO loss: every loss type, with and without label smoothing and a
reference, from fixed log-probs, with TRL's formulas.

Writes packages/trainer/test/fixtures/dpo-golden.json. Re-run (from the repository root, with Debian's
python3-torch; not part of CI):

    /usr/bin/python3 packages/trainer/scripts/golden_dpo.py

`dpo_loss` below is the body of `DPOTrainer.dpo_loss` of huggingface/trl v0.28.0 (trl/trainer/dpo_trainer.py,
the last release with `reference_free`, `max_prompt_length` and `max_completion_length`), reduced to the
loss types tunekit implements (sigmoid, robust, hinge, ipo) and to the default f_divergence_type
(reverse_kl), with `self.` fields made arguments. The log-probs are given; for `ipo` TRL divides each row's
summed log-probs by its completion tokens before dpo_loss (concatenated_forward), and so does the case
here: the `ipo` cases pass per-token means. Inputs are rounded to float32 and the maths runs in float64.
"""

import json
import os

import torch
import torch.nn.functional as F


def dpo_loss(chosen_logps, rejected_logps, ref_chosen_logps, ref_rejected_logps, loss_type, beta,
             label_smoothing, reference_free):
    chosen_logratios = chosen_logps - (not reference_free) * ref_chosen_logps
    rejected_logratios = rejected_logps - (not reference_free) * ref_rejected_logps
    del chosen_logratios, rejected_logratios  # used by TRL's other f-divergences and loss types only

    logratios = chosen_logps - rejected_logps
    if reference_free:
        ref_logratios = torch.tensor([0], dtype=logratios.dtype, device=logratios.device)
    else:
        ref_logratios = ref_chosen_logps - ref_rejected_logps
    logits = logratios - ref_logratios

    if loss_type == "sigmoid":
        losses = (
            -F.logsigmoid(beta * logits) * (1 - label_smoothing)
            - F.logsigmoid(-beta * logits) * label_smoothing
        )
    elif loss_type == "robust":
        losses = (
            -F.logsigmoid(beta * logits) * (1 - label_smoothing)
            + F.logsigmoid(-beta * logits) * label_smoothing
        ) / (1 - 2 * label_smoothing)
    elif loss_type == "hinge":
        losses = torch.relu(1 - beta * logits)
    elif loss_type == "ipo":
        losses = (logits - 1 / (2 * beta)) ** 2
    else:
        raise ValueError(loss_type)

    chosen_rewards = beta * (chosen_logps - ref_chosen_logps).detach()
    rejected_rewards = beta * (rejected_logps - ref_rejected_logps).detach()
    return losses, chosen_rewards, rejected_rewards


def f32(values):
    return torch.tensor(values, dtype=torch.float32).to(torch.float64)


def main():
    g = torch.Generator().manual_seed(17)
    pairs = 6
    # summed completion log-probs of a small model: a few to a few tens of nats below zero
    logps = {k: f32((-30 * torch.rand(pairs, generator=g, dtype=torch.float64) - 0.5).tolist())
             for k in ["chosen", "rejected", "ref_chosen", "ref_rejected"]}
    # a pair where the policy is far ahead of the reference, and one far behind, to reach the flat ends
    # of each loss (log-probs stay below zero)
    for k, v in {"chosen": -1.0, "rejected": -28.0, "ref_chosen": -27.0, "ref_rejected": -2.0}.items():
        logps[k][0] = v
    for k, v in {"chosen": -26.0, "rejected": -1.5, "ref_chosen": -3.0, "ref_rejected": -25.0}.items():
        logps[k][1] = v
    cases = []
    for loss_type in ["sigmoid", "robust", "hinge", "ipo"]:
        for beta in [0.1, 0.5]:
            for label_smoothing in ([0.0, 0.2] if loss_type in ("sigmoid", "robust") else [0.0]):
                for reference_free in [False, True]:
                    losses, chosen_rewards, rejected_rewards = dpo_loss(
                        logps["chosen"], logps["rejected"], logps["ref_chosen"], logps["ref_rejected"],
                        loss_type, beta, label_smoothing, reference_free)
                    cases.append({
                        "loss_type": loss_type,
                        "beta": beta,
                        "label_smoothing": label_smoothing,
                        "reference_free": reference_free,
                        "losses": losses.tolist(),
                        "loss": losses.mean().item(),
                        "chosen_rewards": chosen_rewards.tolist(),
                        "rejected_rewards": rejected_rewards.tolist(),
                    })
    out = {
        "source": "huggingface/trl v0.28.0 DPOTrainer.dpo_loss, by packages/trainer/scripts/golden_dpo.py",
        "logps": {k: v.tolist() for k, v in logps.items()},
        "cases": cases,
    }
    path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "dpo-golden.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {os.path.normpath(path)}")


if __name__ == "__main__":
    main()
