"""The growth schedule of the latent-growing GANs: which stage a step is in and how far its fade-in has got.

One engine for every growing model (the MLP of sec. 6.1 and the five CNN variants of sec. 6.2). Stage 0 trains
for `stable_steps`; every later stage first fades its new parts in over `fade_steps` (alpha and beta 0 -> 1,
tau 0 -> 1/2, Eq. 15) and then trains `stable_steps` more. After the last stage the schedule stays there.
Everything is a pure function of the step, so a resumed run continues exactly where it stopped.
"""

from __future__ import annotations

from dataclasses import dataclass

from latentgan.errors import ConfigError
from latentgan.schedules import linear_ramp, stage_at


@dataclass(frozen=True)
class Stage:
    """One training cycle: the latent dimension the generator reads and the resolution it draws (None: points)."""

    latent_dim: int
    resolution: int | None = None


@dataclass(frozen=True)
class GrowthState:
    """Where training is at a step: stage index, fade-in of new layers (alpha), of new weights (beta), and the
    minibatch-stddev blend of old and new channel halves (tau, Eq. 15)."""

    stage: int
    alpha: float
    beta: float
    tau: float

    @property
    def fading(self) -> bool:
        """True while new parts are being blended in (alpha < 1)."""
        return self.alpha < 1.0


class GrowthSchedule:
    """Stages, each `stable_steps` long after a `fade_steps` fade-in (stage 0 has no fade-in)."""

    def __init__(self, stages: list[Stage], stable_steps: int, fade_steps: int):
        if not stages:
            raise ConfigError("a growth schedule needs at least one stage")
        if stable_steps < 1 or fade_steps < 0:
            raise ConfigError(f"growth needs stable_steps >= 1 and fade_steps >= 0, got {stable_steps} and "
                              f"{fade_steps}")
        self.stages, self.stable_steps, self.fade_steps = list(stages), stable_steps, fade_steps

    def stage_starts(self) -> list[int]:
        """The step at which each stage begins (its fade-in first): [0, S, 2S + F, 3S + 2F, ...]."""
        cycle = self.fade_steps + self.stable_steps
        return [0] + [self.stable_steps + k * cycle for k in range(len(self.stages) - 1)]

    @property
    def total_steps(self) -> int:
        """Steps until the last stage has faded in and trained its stable steps."""
        return self.stable_steps + (len(self.stages) - 1) * (self.fade_steps + self.stable_steps)

    def state_at(self, step: int) -> GrowthState:
        """The stage and the alpha, beta, tau of a (0-based) training step."""
        starts = self.stage_starts()
        stage = stage_at(step, starts[1:])
        if stage == 0:
            return GrowthState(0, 1.0, 1.0, 0.5)
        ramp = linear_ramp(step, starts[stage], self.fade_steps)
        return GrowthState(stage, ramp, ramp, 0.5 * ramp)

    def stage(self, index: int) -> Stage:
        """The index-th stage."""
        return self.stages[index]


def doubling_stages(n_stages: int, final_latent: int, final_resolution: int | None, grow_latent: bool,
                    grow_resolution: bool) -> list[Stage]:
    """Stages whose latent dim and/or resolution double up to the final ones (8, 16, 32, 64 and 4 -> 32 px).

    With grow_latent False the latent dim is the final one throughout; likewise for the resolution.
    """
    if n_stages < 1:
        raise ConfigError(f"the number of growth stages must be at least 1, got {n_stages}")
    shrink = [2 ** (n_stages - 1 - k) for k in range(n_stages)]
    if grow_latent and final_latent % shrink[0]:
        raise ConfigError(f"a final latent dim of {final_latent} cannot be halved {n_stages - 1} times; use a multiple "
                          f"of {shrink[0]} or fewer stages")
    if grow_resolution and (final_resolution is None or final_resolution % shrink[0] or
                            final_resolution // shrink[0] < 4):
        raise ConfigError(f"resolution {final_resolution} cannot be halved {n_stages - 1} times down to >= 4 px; "
                          "use fewer stages")
    return [Stage(final_latent // s if grow_latent else final_latent,
                  final_resolution // s if grow_resolution and final_resolution else final_resolution)
            for s in shrink]
