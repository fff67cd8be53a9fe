"""Plausible wrong solutions for the project's milestone 1 (data providers); each graded test cell must fail on at
least one.

A mutant with ``edits`` is the reference solution cell with each (old, new) applied; ``source`` is a whole cell.
"""

MUTANTS = [
    dict(replace="mix", fails=["test_mix"], why="the noise energy is measured before cropping it to the speech",
         edits=[("noise = noise[:len(clean)].double()", "noise = noise.double()"),
                ("(clean.double() + g * noise)", "(clean.double() + g * noise[:len(clean)])")]),
    dict(replace="mix", fails=["test_mix"], why="amplitude ratio instead of power ratio (10 ** (-snr / 20))",
         edits=[("10 ** (-float(snr_db) / 10)", "10 ** (-float(snr_db) / 20)")]),
    dict(replace="mix", fails=["test_mix"], why="no check of the sample rate: 16 kHz input is mixed silently",
         edits=[("    if sample_rate != SAMPLE_RATE:\n", "    if False:\n")]),
    dict(replace="noise", fails=["test_noise"], why="the kitchen noise always comes from the training stretch",
         edits=[("project.kitchen_noise(split))", "project.kitchen_noise(\"train\"))")]),
    dict(replace="noise", fails=["test_noise"], why="coloured noise drawn from the global generator",
         edits=[("[kind], generator)", "[kind])")]),
    dict(replace="noise", fails=["test_noise"], why="no final normalisation: kitchen noise is not at unit RMS",
         edits=[("return (noise / noise.pow(2).mean().sqrt().clamp(min=1e-8)).float()", "return noise.float()")]),
    dict(replace="dataset", fails=["test_dataset"], why="draws from the global generator: not reproducible with workers",
         edits=[("g = torch.Generator().manual_seed(int(state[0]) << 32 | int(state[1]))", "g = None")]),
    dict(replace="dataset", fails=["test_dataset"], why="the generator is seeded with the seed only: every item is the same",
         edits=[("np.random.SeedSequence([self.seed, i])", "np.random.SeedSequence([self.seed])")]),
    dict(replace="dataset", fails=["test_dataset"], why="the gain sets the RMS instead of the peak",
         edits=[("/ speech.abs().max())", "/ speech.pow(2).mean().sqrt())")]),
    dict(replace="dataset", fails=["test_dataset"], why="the SNR range is not checked against its bounds",
         edits=[("if not -10 <= low <= high <= 40:", "if not low <= high:")]),
    dict(replace="validation", fails=["test_validation"], why="the validation seed comes from the global generator",
         edits=[("seed=20_260_601)", "seed=int(torch.randint(0, 10 ** 6, (1,))))")]),
    dict(replace="validation", fails=["test_validation"], why="validation at the training SNRs (-5 to 20 dB)",
         edits=[("snr_range=(0.0, 10.0), reverb=0.0", "reverb=0.0")]),
    dict(replace="validation", fails=["test_validation"], why="check_disjoint returns a bool instead of raising",
         edits=[("    if shared:\n        raise ValueError(f\"the datasets share these sources: {sorted(shared)}\")\n",
                 "    return not shared\n")]),
    dict(replace="collate", fails=["test_collate"], why="pads at the start instead of the end",
         edits=[("F.pad(x.float(), (0, t_max - len(x)))", "F.pad(x.float(), (t_max - len(x), 0))"),
                ("F.pad(y.float(), (0, t_max - len(y)))", "F.pad(y.float(), (t_max - len(y), 0))")]),
    dict(replace="collate", fails=["test_collate"], why="lengths as a float tensor",
         edits=[("dtype=torch.int64)", "dtype=torch.float32)")]),
    dict(replace="q1", fails=["test_q1"], why="believes the interpreter lock serialises worker processes",
         source="answer_q1 = \"a\"\n"),
]
