"""The leaderboard's model worker: loads one group's milestone-2 model and enhances what the grader sends.

Started by ``course_grading.leaderboard`` (as ``python -c <this file>``, inside the sandbox, with the group
folder as the working directory). The loading contract: run only the code cells of ``project_2_model.ipynb``
whose nbgrader grade_id is in ``course_utils.project.MODEL_CELLS``, in notebook order, then
``model = Denoiser(); model.load_state_dict(torch.load("denoiser.pt", weights_only=True)); model.eval()``.

Protocol (the worker's original stdin and stdout; whatever the student's code prints goes to stderr): each
message is one JSON line, followed by ``4 * n`` bytes of little-endian float32 samples when it has ``n``.
The worker says ``{"ready": true}`` or ``{"error": ...}``; then for each ``{"n": N}`` + samples it answers
``{"n": N}`` + samples or ``{"error": ...}``; ``{"quit": true}`` ends it. Nothing is unpickled anywhere.
"""
import json
import os
import sys
import traceback

NOTEBOOK = "project_2_model.ipynb"


def main():
    proto_in = os.fdopen(os.dup(0), "rb", buffering=0)
    proto_out = os.fdopen(os.dup(1), "wb", buffering=0)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)  # the student's code reads nothing from the grader
    os.dup2(2, 1)  # and what it prints cannot be taken for an answer

    def send(header, payload=b""):
        proto_out.write(json.dumps(header).encode() + b"\n" + payload)

    def fail(stage, err):
        tb = traceback.extract_tb(err.__traceback__)
        where = next((f"{f.filename}, line {f.lineno}" for f in reversed(tb) if f.filename.startswith("<cell")), "")
        send({"error": f"{stage}: {type(err).__name__}: {str(err)[:300]}" + (f" ({where})" if where else "")})

    if not os.path.exists(NOTEBOOK):
        return send({"error": f"notebook missing: no {NOTEBOOK} in the group's folder"})
    try:
        import nbformat
        nb = nbformat.read(NOTEBOOK, as_version=4)
    except Exception as err:
        return fail(f"{NOTEBOOK} is not a valid notebook", err)
    import torch
    torch.set_num_threads(1)
    from course_utils.project import CHECKPOINT, MODEL_CELLS
    cells = [c for c in nb.cells if c.cell_type == "code" and
             c.get("metadata", {}).get("nbgrader", {}).get("grade_id") in MODEL_CELLS]
    found = [c.metadata.nbgrader.grade_id for c in cells]
    if "Denoiser" not in "".join(c.source for c in cells):
        return send({"error": f"no cell with grade_id in {MODEL_CELLS} defines Denoiser (found {found})"})
    namespace = {"__name__": "__main__"}
    for cell in cells:
        gid = cell.metadata.nbgrader.grade_id
        code = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
        try:
            exec(compile(code, f"<cell {gid}>", "exec"), namespace)
        except BaseException as err:  # SystemExit too
            return fail(f"cell {gid} raised", err)
    if not os.path.exists(CHECKPOINT):
        return send({"error": f"checkpoint missing: no {CHECKPOINT} in the group's folder"})
    try:
        model = namespace["Denoiser"]()
    except BaseException as err:
        return fail("Denoiser() raised", err)
    try:
        model.load_state_dict(torch.load(CHECKPOINT, weights_only=True, map_location="cpu"))
        model.eval()
    except BaseException as err:
        return fail(f"loading {CHECKPOINT} failed", err)
    send({"ready": True, "parameters": sum(p.numel() for p in model.parameters())})
    while True:
        header = json.loads(proto_in.readline() or b'{"quit": true}')
        if header.get("quit"):
            return
        n = header["n"]
        data = bytearray()
        while len(data) < 4 * n:
            chunk = proto_in.read(4 * n - len(data))
            if not chunk:
                return
            data += chunk
        wave = torch.frombuffer(data, dtype=torch.float32).clone()
        try:
            with torch.no_grad():
                out = model.enhance(wave)
        except BaseException as err:
            fail("enhance raised", err)
            continue
        if not isinstance(out, torch.Tensor):
            send({"error": f"enhance returned a {type(out).__name__}, not a torch.Tensor"})
        elif out.dtype != torch.float32:
            send({"error": f"enhance returned dtype {out.dtype}, expected torch.float32"})
        elif tuple(out.shape) != (n,):
            send({"error": f"enhance returned shape {tuple(out.shape)}, expected ({n},): the input's 1-D length"})
        else:
            send({"n": n}, out.detach().cpu().contiguous().numpy().astype("<f4").tobytes())


if __name__ == "__main__":
    main()
