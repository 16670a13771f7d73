"""The part every latent-growing model shares: it follows a growth schedule and saves only its step.

The growing layers keep their final shapes from the start (`nn/growing.py`), so the stage, alpha, beta and
tau are all the state there is beyond weights and optimizers, and they are a function of the step.
"""

from __future__ import annotations

from latentgan.growth import GrowthSchedule, GrowthState
from latentgan.models.base import GenerativeModel


class GrowingModel(GenerativeModel):
    """A GenerativeModel with a `schedule`; subclasses set it, then call `start_growth` in __init__."""

    averaged_networks = ("generator",)

    schedule: GrowthSchedule

    def start_growth(self) -> None:
        """Begin at step 0 of the schedule."""
        self.steps_done = 0
        self.growth: GrowthState = self.schedule.state_at(0)

    @property
    def latent_dim(self) -> int:
        """The number of latent entries the generator reads now (codes keep all code_dim entries)."""
        return self.schedule.stage(self.growth.stage).latent_dim

    @property
    def compile_refusal(self) -> str | None:
        """Growing networks change shape and fade-in weight every step, so torch.compile would recompile each step."""
        return ("train.compile cannot follow a growing model: its networks change shape and its "
                "fade-in weight changes every step, so each step would recompile")

    def on_step(self, step: int) -> None:
        """Enter the stage, alpha, beta and tau of this step."""
        self.growth = self.schedule.state_at(step)

    def finish_step(self, step: int) -> None:
        """Record that a step's updates are done (call at the end of training_step)."""
        self.steps_done = step + 1

    def extra_state(self) -> dict:
        """Steps done, from which the schedule gives stage, alpha, beta and tau."""
        return {"steps_done": self.steps_done}

    def load_extra_state(self, state: dict) -> None:
        """Return to the growth state of the saved step (the state the next step trains in)."""
        self.steps_done = int(state.get("steps_done", 0))
        self.growth = self.schedule.state_at(self.steps_done)
