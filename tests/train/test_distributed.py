"""Real two-process gloo jobs on the CPU, launched with torchrun (python -m torch.distributed.run)."""

import json
import math
import os
import subprocess
import sys
import textwrap

import pytest
import torch

import latentgan
from latentgan.data import IndexBatcher


def _torchrun(args, tmp_path, timeout=240):
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2", *args]
    return subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=timeout)


WORKER = textwrap.dedent("""
    import json, os, sys, torch, torch.distributed as dist
    from latentgan.train.distributed import (DistributedError, GradientAverager, check_replicas_agree,
                                             init_distributed)
    ctx = init_distributed(torch.device("cpu"))
    r = ctx.rank
    dense = torch.nn.Linear(2, 1)
    codes = torch.nn.Embedding(6, 2, sparse=True)
    with torch.no_grad():  # identical replicas
        dense.weight.fill_(1.0); dense.bias.zero_(); codes.weight.fill_(0.0)
    class M(torch.nn.Module):
        pass
    m = M(); m.dense, m.codes = dense, codes
    m.optimizers = {"d": torch.optim.SGD(dense.parameters(), 1.0), "c": torch.optim.SGD(codes.parameters(), 1.0)}
    GradientAverager(ctx).attach(m)
    # Rank r sees input r + 1 and codes {2r, 2r+1}: its own shard of the table.
    loss = dense(torch.full((1, 2), float(r + 1))).sum() + codes(torch.tensor([2 * r, 2 * r + 1])).sum()
    loss.backward()
    for opt in m.optimizers.values():
        opt.step()
    out = {"weight": dense.weight.tolist(), "codes": codes.weight.tolist()}
    check_replicas_agree(m, ctx)
    if r == 1:
        with torch.no_grad():
            dense.weight.add_(1e-6)
    try:
        check_replicas_agree(m, ctx)
        out["caught"] = False
    except DistributedError as e:
        out["caught"] = "'dense' differ" in str(e)
    with open(f"rank{r}.json", "w") as f:
        json.dump(out, f)
    dist.barrier()  # leave together: gloo aborts a process whose peer tears down mid-exit
    dist.destroy_process_group()
    # Skip interpreter teardown: this raw-API worker's exit sometimes aborted inside gloo's thread cleanup
    # ("terminate called without an active exception") after all of its work was done and written.
    os._exit(0)
""")


def test_gradients_are_averaged_and_sparse_code_rows_reach_every_replica(tmp_path):
    (tmp_path / "worker.py").write_text(WORKER)
    result = _torchrun(["worker.py"], tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    ranks = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in range(2)]
    # d loss / d weight = input: mean of (1, 1) and (2, 2) is 1.5, so SGD at lr 1 takes 1.0 to -0.5.
    assert ranks[0]["weight"] == ranks[1]["weight"] == [[-0.5, -0.5]]
    # Each code row is used by one rank with gradient 1, averaged over 2 processes: every row moves by -0.5.
    assert ranks[0]["codes"] == ranks[1]["codes"] == [[-0.5, -0.5]] * 4 + [[0.0, 0.0]] * 2
    assert ranks[0]["caught"] and ranks[1]["caught"]  # a perturbed replica is named on every rank


def _train_args(out, extra):
    return ["-m", "latentgan.cli", "train", "--out", str(out), "--set", "train.progress=false", "--set",
            "train.device=cpu", "--set", "train.log_every=10", "--set", "train.checkpoint_every=20", *extra]


JOBS = {
    "gan-wgan-gp": ["--model", "gan", "--data", "ring", "--steps", "40", "--set", "model.loss=wgan-gp",
                    "--set", "model.d_steps=2", "--set", "model.latent_dim=2", "--set", "model.hidden=[32,32]",
                    "--set", "data.n_points=2000", "--set", "train.batch_size=64"],
    "glo-codes": ["--model", "glo", "--data", "digits", "--steps", "40", "--set", "model.width=8", "--set",
                  "model.latent_dim=8", "--set", "data.resize=28", "--set", "data.limit=256",
                  "--set", "train.batch_size=32"],
}


@pytest.mark.parametrize("job", sorted(JOBS))
def test_two_process_job_finishes_in_agreement_and_resumes_in_one_process(tmp_path, job):
    out = tmp_path / "run"
    result = _torchrun(_train_args(out, JOBS[job]), tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    # Only rank 0 writes: one metrics file whose loss lines are the two processes' mean, all finite.
    lines = [json.loads(s) for s in (out / "metrics.jsonl").read_text().splitlines()]
    loss_lines = [r for r in lines if any(k.endswith("loss") for k in r)]
    assert [r["step"] for r in loss_lines] == [10, 20, 30, 40]
    assert all(math.isfinite(v) for r in loss_lines for k, v in r.items() if k.endswith("loss"))
    assert sorted(p.name for p in (out / "checkpoints").iterdir()) == ["step_0000020.pt", "step_0000040.pt"]
    run = json.loads((out / "run.json").read_text())
    assert run.get("world_size") == 2
    # The same checkpoint continues in a single process, from the same share of the epoch.
    latentgan.resume(out, steps=50, device="cpu", log=lambda m: None)
    model = latentgan.load(out)
    assert all(torch.isfinite(p).all() for p in model.parameters())


def test_batcher_saved_with_two_processes_resumes_at_the_same_share_of_the_epoch():
    two = IndexBatcher(1000, 10, seed=0, rank=0, world_size=2)
    for _ in range(20):
        two.next()  # 200 of rank 0's 500 examples: 400 of the epoch's 1,000 seen by the job
    one = IndexBatcher(1000, 10, seed=0)
    one.load_state_dict(two.state_dict())
    assert (one.epoch, one.position) == (0, 400)
    four = IndexBatcher(1000, 10, seed=0, rank=3, world_size=4)
    four.load_state_dict(two.state_dict())
    assert (four.epoch, four.position) == (0, 100)


def test_sync_batch_norm_is_refused_on_cpu_jobs_and_a_no_op_alone():
    from latentgan.train.distributed import SINGLE, DistContext, DistributedError, sync_batch_norm

    model = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2))
    sync_batch_norm(model, SINGLE, torch.device("cpu"))
    assert isinstance(model[1], torch.nn.BatchNorm2d)
    with pytest.raises(DistributedError, match="needs GPUs"):
        sync_batch_norm(model, DistContext(rank=0, world_size=2), torch.device("cpu"))


RANK1_SIGNALS = textwrap.dedent("""
    import os, signal, sys
    from latentgan.cli import main
    from latentgan.models.registry import get_model_entry
    cls = get_model_entry("gan").model_class
    original = cls.training_step
    def training_step(self, batch, step):
        if step == 14 and os.environ["RANK"] == "1":  # only one process is told to stop
            os.kill(os.getpid(), signal.SIGTERM)
        return original(self, batch, step)
    cls.training_step = training_step
    sys.exit(main(sys.argv[1:]))
""")


def test_a_signal_to_one_process_stops_every_process_at_the_same_step(tmp_path):
    (tmp_path / "signals.py").write_text(RANK1_SIGNALS)
    out = tmp_path / "run"
    args = [a for a in _train_args(out, JOBS["gan-wgan-gp"]) if a not in ("-m", "latentgan.cli")]
    result = _torchrun(["signals.py", *args], tmp_path, timeout=120)  # a hang would be killed here
    assert result.returncode != 0  # torchrun reports its workers' exit 143
    assert "interrupted at step 20" in result.stdout + result.stderr
    # Both agreed at the log step after the signal; rank 0 wrote that step's checkpoint.
    assert (out / "checkpoints" / "step_0000020.pt").exists()
    assert not (out / "checkpoints" / "step_0000040.pt").exists()


def test_evaluation_in_a_job_draws_samples_on_every_process_and_matches_one_process(tmp_path):
    from latentgan.config import load_config
    from latentgan.metrics.context import EvalContext
    from latentgan.metrics.registry import evaluate

    out = tmp_path / "run"
    extra = [*JOBS["gan-wgan-gp"], "--set", "train.eval_every=40", "--set", "train.eval_metrics=[modes]",
             "--set", "train.eval_n=600"]
    result = _torchrun(_train_args(out, extra), tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    logged = [json.loads(s) for s in (out / "metrics.jsonl").read_text().splitlines()]
    evaluated = [r for r in logged if any(k.startswith("modes") for k in r)]
    assert [r["step"] for r in evaluated] == [40]  # one line, from rank 0
    # 600 samples in chunks of 250: rank 0 drew chunks 0 and 2, rank 1 chunk 1. One process alone draws the same.
    config = load_config(out / "config.yaml")
    alone = evaluate(EvalContext(latentgan.load(out), config, n=600, seed=config.train.seed), ["modes"])["metrics"]
    job = {k: float(v) for k, v in evaluated[0].items() if k != "step"}  # non-finite values are logged as strings
    assert job.keys() == alone.keys()
    for key, value in alone.items():
        assert job[key] == value or job[key] == pytest.approx(value), key
