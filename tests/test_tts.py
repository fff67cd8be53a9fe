"""Unit tests of course_utils.tts: espeak-ng front-end, CMUdict, the Piper voice, alignments, spectral distance."""
import torch

from course_utils import tts
from course_utils.data import ljspeech_index, load_ljspeech


def test_espeak_ipa_and_arpabet():
    ipa = tts.espeak_ipa("Hello world.")
    assert "ˈ" in ipa and ipa.endswith(".")
    assert tts.ipa_to_arpabet("hɛlˈoʊ") == ["HH", "EH", "L", "OW"]
    assert tts.ipa_to_arpabet("tʃˈɜːtʃ") == ["CH", "ER", "CH"]           # two-character symbols first
    phones = tts.espeak_arpabet("zorblaxian")
    assert phones and set(phones) <= set(tts.ARPABET)


def test_cmudict_from_pocketsphinx():
    lexicon = tts.load_cmudict()
    assert len(lexicon) > 100000
    assert lexicon["speech"] == [["S", "P", "IY", "CH"]]
    assert len(lexicon["read"]) == 2                                       # "read(2)" is a second pronunciation
    assert all(p in tts.ARPABET for pron in lexicon["hello"] for p in pron)


def test_piper_voice_runs_offline_with_durations():
    id_map = tts.phoneme_id_map()
    assert id_map["_"] == [0] and id_map["^"] == [1] and id_map["$"] == [2]
    ids = [1, 0]
    for symbol in tts.espeak_ipa("A short test."):
        if symbol in id_map:
            ids += [id_map[symbol][0], 0]
    ids.append(2)
    wave, durations = tts.piper_run(ids, noise_scale=0.0, noise_w=0.0)
    assert wave.dtype == torch.float32 and wave.dim() == 1
    assert durations.shape == (len(ids),) and durations.dtype == torch.int64
    assert int(durations.sum()) * tts.HOP_LENGTH == wave.numel()
    again, _ = tts.piper_run(ids, noise_scale=0.0, noise_w=0.0)
    assert torch.equal(wave, again)                                        # no noise: deterministic
    slow, slow_durations = tts.piper_run(ids, length_scale=1.5, noise_scale=0.0, noise_w=0.0)
    assert 1.3 < slow.numel() / wave.numel() < 1.7


def test_espeak_synthesis():
    wave, rate = tts.espeak_synthesize("Testing one two three.")
    assert rate == 22050 and wave.dim() == 1 and 0.5 < wave.numel() / rate < 4
    assert 0.01 < wave.abs().max() <= 1.0


def test_shipped_alignments_cover_every_frame():
    alignments = tts.ljspeech_alignments()
    assert len(alignments) == 32
    for k, item in enumerate(ljspeech_index()):
        phones, frames = alignments[item["id"]]
        wave, _, _ = load_ljspeech(k)
        assert len(phones) == len(frames) and min(frames) > 0
        assert sum(frames) == wave.numel() // tts.HOP_LENGTH + 1
        assert set(phones) <= set(tts.ARPABET) | {"SIL"}


def test_force_align_reproduces_the_shipped_csv():
    wave, sr, text = load_ljspeech(1)
    segments = tts.force_align(wave, sr, text)
    phones = [p for p, _, _ in segments]
    shipped, _ = tts.ljspeech_alignments()[ljspeech_index()[1]["id"]]
    assert [p for p in phones if p != "SIL"] == [p for p in shipped if p != "SIL"]
    assert all(end >= start for _, start, end in segments)


def test_log_spectral_distance():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(8000, generator=g)
    assert tts.log_spectral_distance(x, x) < 1e-6
    assert abs(tts.log_spectral_distance(2 * x, x) - 20 * torch.log10(torch.tensor(2.0)).item()) < 1e-3
