"""Golden values for @tunekit/trainer's DPO loss: every loss type, with and without label smoothing and a
reference, from fixed log-probs, with TRL's formulas; and for its KTO loss (kto and apo_zero_unpaired, with
the KL estimate above and below zero, with and without desirable/undesirable weights).

Writes packages/trainer/test/fixtures/dpo-golden.json and kto-golden.json. Re-run (from the repository root, with Debian's
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


def kto_loss(policy_chosen_logps, policy_rejected_logps, policy_KL_logps, reference_chosen_logps,
             reference_rejected_logps, reference_KL_logps, loss_type, beta, desirable_weight, undesirable_weight):
    """`KTOTrainer.kto_loss` of huggingface/trl v0.24.0 (trl/trainer/kto_trainer.py, the last release whose
    KTOConfig has `max_prompt_length` and `max_completion_length`), `self.` fields made arguments, one process
    (`accelerator.gather_for_metrics` is the identity), calculate_KL = loss_type != "apo_zero_unpaired"."""
    calculate_KL = loss_type not in ["apo_zero_unpaired"]
    if calculate_KL:
        kl = (policy_KL_logps - reference_KL_logps).mean().detach()
        kl = kl.mean().clamp(min=0)
    else:
        kl = torch.zeros(1).to(policy_chosen_logps.device)

    # Chosen losses
    if policy_chosen_logps.shape[0] != 0 or reference_chosen_logps.shape[0] != 0:
        chosen_logratios = policy_chosen_logps - reference_chosen_logps

        if loss_type == "kto":
            # Eqn (7) of the KTO paper (https://huggingface.co/papers/2402.01306)
            chosen_losses = 1 - F.sigmoid(beta * (chosen_logratios - kl))
        elif loss_type == "apo_zero_unpaired":
            # Unpaired variant of Eqn (7) of the APO paper (https://huggingface.co/papers/2408.06266)
            # Use this loss when you believe the chosen outputs are better than your model's default output
            chosen_losses = 1 - F.sigmoid(beta * chosen_logratios)

        chosen_rewards = beta * chosen_logratios.detach()

    else:
        # lists can't be empty -- if they are, then accelerate.gather will hang
        chosen_losses = torch.Tensor([])
        chosen_rewards = torch.Tensor([])

    # Rejected losses
    if policy_rejected_logps.shape[0] != 0 or reference_rejected_logps.shape[0] != 0:
        rejected_logratios = policy_rejected_logps - reference_rejected_logps

        if loss_type == "kto":
            rejected_losses = 1 - F.sigmoid(beta * (kl - rejected_logratios))
        elif loss_type == "apo_zero_unpaired":
            rejected_losses = F.sigmoid(beta * rejected_logratios)

        rejected_rewards = beta * rejected_logratios.detach()
    else:
        # lists can't be empty -- if they are, then accelerate.gather will hang
        rejected_losses = torch.Tensor([])
        rejected_rewards = torch.Tensor([])

    losses = torch.cat(
        (desirable_weight * chosen_losses, undesirable_weight * rejected_losses),
        0,
    )

    return losses, chosen_rewards, rejected_rewards, kl


def kto_cases(g):
    """Six examples, desirable and undesirable mixed; two sets of KL log-probs: the policy above the reference
    on the mismatched answers (KL estimate > 0) and below it (clamped to 0). TRL's loss is `losses.nanmean()`
    (KTOTrainer.get_batch_loss_metrics); its `losses` hold the desirable examples first, so the per-example
    losses are put back in row order here."""
    label = [True, False, True, True, False, False]
    n = len(label)
    logps = {k: f32((-30 * torch.rand(n, generator=g, dtype=torch.float64) - 0.5).tolist())
             for k in ["policy", "reference"]}
    ref_kl = f32((-30 * torch.rand(n, generator=g, dtype=torch.float64) - 0.5).tolist())
    kl_sets = {"kl_above_zero": ref_kl + f32([3.0, 1.0, -0.5, 2.0, 0.25, 1.5]),
               "kl_below_zero": ref_kl - f32([3.0, 1.0, -0.5, 2.0, 0.25, 1.5])}
    chosen = torch.tensor(label)
    cases = []
    for loss_type in ["kto", "apo_zero_unpaired"]:
        for beta in [0.1, 0.5]:
            for desirable_weight, undesirable_weight in [(1.0, 1.0), (1.33, 0.75)]:
                for kl_set, policy_kl in kl_sets.items():
                    losses, chosen_rewards, rejected_rewards, kl = kto_loss(
                        logps["policy"][chosen], logps["policy"][~chosen], policy_kl,
                        logps["reference"][chosen], logps["reference"][~chosen], ref_kl,
                        loss_type, beta, desirable_weight, undesirable_weight)
                    in_order = torch.empty(n, dtype=torch.float64)
                    in_order[chosen] = losses[: int(chosen.sum())]
                    in_order[~chosen] = losses[int(chosen.sum()):]
                    rewards = torch.empty(n, dtype=torch.float64)
                    rewards[chosen] = chosen_rewards
                    rewards[~chosen] = rejected_rewards
                    cases.append({
                        "loss_type": loss_type,
                        "beta": beta,
                        "desirable_weight": desirable_weight,
                        "undesirable_weight": undesirable_weight,
                        "kl_set": kl_set,
                        "losses": in_order.tolist(),
                        "loss": losses.nanmean().item(),
                        "rewards": rewards.tolist(),
                        "kl": kl.item(),
                    })
    return {
        "source": "huggingface/trl v0.24.0 KTOTrainer.kto_loss, by packages/trainer/scripts/golden_dpo.py",
        "label": label,
        "logps": {"policy": logps["policy"].tolist(), "reference": logps["reference"].tolist(),
                  "reference_kl": ref_kl.tolist(), **{k: v.tolist() for k, v in kl_sets.items()}},
        "cases": cases,
    }


def write(name, out, count):
    path = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", name)
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {count} cases to {os.path.normpath(path)}")


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
    write("dpo-golden.json", out, len(cases))
    kto = kto_cases(torch.Generator().manual_seed(24))
    write("kto-golden.json", kto, len(kto["cases"]))


if __name__ == "__main__":
    main()
