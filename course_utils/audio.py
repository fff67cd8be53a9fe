"""Reading, writing, resampling and playing audio.

Files are read with ``soundfile`` (it bundles libsndfile); ``torchaudio.load`` needs an extra decoder that
the course does not install.
"""
import numpy as np
import soundfile as sf
import torch
import torchaudio.functional as AF


def load_audio(path):
    """Read an audio file: returns (waveform float32 tensor of shape (channels, samples) in [-1, 1], rate)."""
    data, sr = sf.read(str(path), dtype="float32", always_2d=True)
    return torch.from_numpy(np.ascontiguousarray(data.T)), sr


def save_audio(path, waveform, sample_rate):
    """Write a (channels, samples) or (samples,) tensor as a 16-bit WAV/FLAC file."""
    wave = torch.as_tensor(waveform).detach().cpu().float()
    if wave.dim() == 1:
        wave = wave[None]
    sf.write(str(path), wave.T.numpy(), sample_rate, subtype="PCM_16")


def resample(waveform, orig_rate, new_rate):
    """Band-limited resampling with torchaudio (works on any leading batch/channel dimensions)."""
    if orig_rate == new_rate:
        return waveform
    return AF.resample(waveform, orig_rate, new_rate)


def play(waveform, sample_rate, normalize=True):
    """An audio player for the notebook. ``normalize=False`` keeps the true loudness (for comparisons)."""
    from IPython.display import Audio
    wave = torch.as_tensor(waveform).detach().cpu().float().numpy()
    if not normalize:
        wave = np.clip(wave, -1.0, 1.0)
    return Audio(wave, rate=sample_rate, normalize=normalize)
