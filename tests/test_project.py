"""The course project's helpers (course_utils.project): splits that share nothing, and the leaderboard contract of
milestone 2 (the model cells define Denoiser without training)."""
import json

import torch

from course_utils import project
from course_utils.denoising import SAMPLE_RATE
from course_grading.pipeline import REPO


def test_splits_share_no_speaker_utterance_or_noise_stretch():
    for a in project.SPLITS:
        for b in project.SPLITS:
            if a < b:
                assert not set(project.speakers(a)) & set(project.speakers(b))
                assert not set(project.LJ_UTTERANCES[a]) & set(project.LJ_UTTERANCES[b])
    spans = [project.KITCHEN_SECONDS[s] for s in project.SPLITS]
    assert spans[0][1] <= spans[1][0] and spans[1][1] <= spans[2][0]


def test_clean_speech_and_kitchen_noise_are_fresh_mono_copies_at_the_course_rate():
    assert project.SAMPLE_RATE == SAMPLE_RATE == 8000
    val = project.clean_speech("val")
    assert len(val) == len(project.LJ_UTTERANCES["val"]) + 200  # 4 LJ utterances, 200 FSDD clips of one speaker
    assert all(c.dim() == 1 and c.dtype == torch.float32 and len(c) > 0 for c in val)
    val[0].zero_()
    assert project.clean_speech("val")[0].abs().max() > 0
    assert len(project.kitchen_noise("val")) == 15 * SAMPLE_RATE
    try:
        project.clean_speech("dev")
    except ValueError as err:
        assert "dev" in str(err)
    else:
        raise AssertionError("an unknown split should raise ValueError")


def test_model_cells_define_the_denoiser_without_training_or_data():
    """What the leaderboard does: run only the MODEL_CELLS of milestone 2 in order, build Denoiser, load a
    state_dict, enhance a 3 s wave."""
    assert project.MODEL_CELLS[0] == "setup" and project.CHECKPOINT == "denoiser.pt"
    path = REPO / "source" / "project_2_model" / "project_2_model.ipynb"
    cells = json.loads(path.read_text())["cells"]
    by_id = {c["metadata"].get("nbgrader", {}).get("grade_id"): "".join(c["source"]) for c in cells}
    assert all(gid in by_id for gid in project.MODEL_CELLS)
    namespace = {}
    for gid in project.MODEL_CELLS:
        source = by_id[gid]
        assert "fit(" not in source and "clean_speech" not in source and ".backward(" not in source, gid
        exec(compile(source, gid, "exec"), namespace)
    model = namespace["Denoiser"]()
    state = {k: v.clone() for k, v in model.state_dict().items()}
    fresh = namespace["Denoiser"]()
    fresh.load_state_dict(state)
    fresh.eval()
    wave = torch.randn(3 * SAMPLE_RATE, generator=torch.Generator().manual_seed(0)) * 0.1
    with torch.no_grad():
        out = fresh.enhance(wave)
    assert out.shape == wave.shape and out.dtype == torch.float32 and torch.isfinite(out).all()


def test_fixed_validation_mixtures_are_seeded_val_mixtures_at_0_to_10_db():
    noisy, clean = project.fixed_validation_mixtures(seconds=0.4, count=10, seed=7)
    assert noisy.shape == clean.shape == (10, int(0.4 * SAMPLE_RATE))
    again = project.fixed_validation_mixtures(seconds=0.4, count=10, seed=7)
    assert torch.equal(noisy, again[0]) and torch.equal(clean, again[1])
    assert not torch.equal(noisy, project.fixed_validation_mixtures(seconds=0.4, count=10, seed=8)[0])
    snr = 10 * torch.log10(clean.pow(2).sum(-1) / (noisy - clean).pow(2).sum(-1))
    assert (snr > -0.01).all() and (snr < 10.01).all(), snr
    peaks = clean.abs().amax(-1)
    assert (peaks > 0.099).all() and (peaks < 1.001).all(), peaks
