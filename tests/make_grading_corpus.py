"""The grading corpora of assignments 01 to 06: synthetic submissions with known grades.

    python tests/make_grading_corpus.py              # rewrites tests/grading_corpus/NN_expected.json
    python tests/make_grading_corpus.py --out DIR    # also writes the notebooks, to look at them

The tests build the notebooks at test time (:func:`build_corpus`, into a temporary folder) from
the released assignments in ``assignments/``; only ``NN_expected.json`` is committed, and a test
checks that it is what this file defines. Every submission starts from the released assignment
with the solution's answers filled in, then one thing is changed: a wrong answer of a known kind,
or a bad or hostile submission. To add one, add a line to that assignment's ``build_NN`` function:

    case("name", answer("answer_cell_id", SOURCE), {"part_tests": points}, ["words of the reason"])

(the parts not named keep full points), then run this file to update ``NN_expected.json``; the
walk-through is in docs/grading.md ("The grading corpus").
``NN_expected.json`` holds the points each must get per part and words its reason must contain.
Assignment 01's corpus is the thorough one (bad files, crashes, hostile code); 02's adds the
mistakes students make with losses and penalties, 03's those made with motion codes, (2+1)-D
blocks, frame sampling and the Fréchet distance, 04's those made with flow warping, the
temporal, cycle and recycle losses, 05's those made with PSNR, sub-pixel up-sampling, the
ping-pong loss and SRGAN's generator loss, 06's those made with the prompt tokenizer, the
projection discriminator, the matching-aware loss, the motion reader and the spectral feature;
the later ones repeat a few of the failures.
"""

from __future__ import annotations

import copy
import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from vgan_course.grading import assignment as assignment_module  # noqa: E402
from vgan_course.grading.assignment import meta  # noqa: E402

CORPORA = ROOT / "tests" / "grading_corpus"
FULL = {"d_loss_tests": 2, "g_loss_tests": 2, "train_step_tests": 3, "up_block_tests": 2, "modes_tests": 2}


def answered(name: str = "01_gan_basics") -> nbformat.NotebookNode:
    """The released assignment with the solution's answers in it: a perfect submission."""
    task = assignment_module.load(ROOT / "solutions" / f"{name}.ipynb")
    released = nbformat.read(ROOT / "assignments" / f"{name}.ipynb", as_version=4)
    solution = {meta(c).get("grade_id"): c.source for c in task.notebook.cells if meta(c).get("solution")}
    for cell in released.cells:
        gid = meta(cell).get("grade_id")
        if meta(cell).get("solution") and gid in solution:
            cell.source = "\n".join(line for line in solution[gid].splitlines() if "### BEGIN SOLUTION" not in line
                                    and "### END SOLUTION" not in line)
    return released


def cell(nb, gid):
    return next(c for c in nb.cells if meta(c).get("grade_id") == gid)


def replace_answer(nb, gid, source):
    cell(nb, gid).source = source


def answer(gid, source):
    """The change that puts ``source`` in answer cell ``gid`` (a case's ``change``)."""
    return lambda nb: replace_answer(nb, gid, source)


D_WRONG_SWAPPED = '''def discriminator_loss(real_logits, fake_logits):
    return F.softplus(real_logits).mean() + F.softplus(-fake_logits).mean()'''
D_UNSTABLE = '''def discriminator_loss(real_logits, fake_logits):
    return -(torch.log(torch.sigmoid(real_logits)).mean() + torch.log(1 - torch.sigmoid(fake_logits)).mean())'''
G_MINIMAX = '''def generator_loss_nonsaturating(fake_logits):
    return -F.softplus(fake_logits).mean()  # log(1 - D): the minimax loss'''
STEP_STALE_D = '''def train_step(G, D, opt_g, opt_d, real, z):
    fake = G(z)
    fake_logits = D(fake)  # computed before D's update: G trains against a stale D
    loss_d = discriminator_loss(D(real), D(fake.detach()))
    opt_d.zero_grad(); loss_d.backward(); opt_d.step()
    loss_g = generator_loss_nonsaturating(fake_logits)
    opt_g.zero_grad(); loss_g.backward(); opt_g.step()
    return loss_d.item(), loss_g.item()'''
STEP_NO_ZERO_GRAD = '''def train_step(G, D, opt_g, opt_d, real, z):
    fake = G(z)
    loss_d = discriminator_loss(D(real), D(fake.detach()))
    loss_d.backward(); opt_d.step()
    loss_g = generator_loss_nonsaturating(D(fake))
    loss_g.backward(); opt_g.step()
    return loss_d.item(), loss_g.item()'''
BLOCK_BIAS = '''def upsample_block(c_in, c_out):
    return nn.Sequential(nn.ConvTranspose2d(c_in, c_out, 4, 2, 1), nn.BatchNorm2d(c_out), nn.ReLU())'''
BLOCK_STRIDE = '''def upsample_block(c_in, c_out):
    return nn.Sequential(nn.ConvTranspose2d(c_in, c_out, 4, 1, 1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU())'''
MODES_LOOP = '''def modes_covered(samples, means, std, n_std=3.0, min_count=1):
    counts = [0] * len(means)
    for point in samples:
        distances = [float(((point - m) ** 2).sum().sqrt()) for m in means]
        best = min(range(len(means)), key=lambda k: distances[k])
        if distances[best] <= n_std * std:
            counts[best] += 1
    return sum(1 for c in counts if c >= min_count)'''
MODES_NO_MIN_COUNT = '''def modes_covered(samples, means, std, n_std=3.0, min_count=1):
    distance, nearest = torch.cdist(samples, means).min(dim=1)
    return len(set(nearest[distance <= n_std * std].tolist()))'''
# the classic mistakes of issue 21, each caught by a visible check and a named hidden test
D_BCE_ON_SIGMOID = '''def discriminator_loss(real_logits, fake_logits):
    real, fake = torch.sigmoid(real_logits), torch.sigmoid(fake_logits)
    return F.binary_cross_entropy(real, torch.ones_like(real)) + F.binary_cross_entropy(fake, torch.zeros_like(fake))'''
STEP_NO_OPT_D_ZERO_GRAD = '''def train_step(G, D, opt_g, opt_d, real, z):
    fake = G(z)
    loss_d = discriminator_loss(D(real), D(fake.detach()))
    loss_d.backward(); opt_d.step()  # opt_d.zero_grad() forgotten: D's gradients pile up
    loss_g = generator_loss_nonsaturating(D(fake))
    opt_g.zero_grad(); loss_g.backward(); opt_g.step()
    return loss_d.item(), loss_g.item()'''
STEP_RETAIN_GRAPH = '''def train_step(G, D, opt_g, opt_d, real, z):
    fake = G(z)
    loss_d = discriminator_loss(D(real), D(fake))  # fakes not detached: D's loss reaches G
    opt_d.zero_grad(); loss_d.backward(retain_graph=True); opt_d.step()
    loss_g = generator_loss_nonsaturating(D(fake))
    opt_g.zero_grad(); loss_g.backward(); opt_g.step()
    return loss_d.item(), loss_g.item()'''
STEP_STALE_D_ONE_PASS = '''def train_step(G, D, opt_g, opt_d, real, z):
    fake = G(z)
    fake_logits = D(fake)  # one pass of D for both losses: G's loss sees D from before its step
    loss_d = discriminator_loss(D(real), fake_logits)
    loss_g = generator_loss_nonsaturating(fake_logits)
    opt_d.zero_grad(); loss_d.backward(retain_graph=True); opt_d.step()
    opt_g.zero_grad(); loss_g.backward(); opt_g.step()
    return loss_d.item(), loss_g.item()'''
BLOCK_UPSAMPLE_CONV = '''def upsample_block(c_in, c_out):
    return nn.Sequential(nn.Upsample(scale_factor=2), nn.Conv2d(c_in, c_out, 3, 1, 1, bias=False),
                         nn.BatchNorm2d(c_out), nn.ReLU())'''
MODES_STRICT = '''def modes_covered(samples, means, std, n_std=3.0, min_count=1):
    distance, nearest = torch.cdist(samples, means).min(dim=1)
    counts = torch.bincount(nearest[distance <= n_std * std], minlength=len(means))
    return int((counts > min_count).sum())  # > where "at least" means >='''
ALL_WRONG = {
    "d_loss": "def discriminator_loss(real_logits, fake_logits):\n    return torch.tensor(0.0)",
    "g_loss": "def generator_loss_nonsaturating(fake_logits):\n    return torch.tensor(0.0)",
    "train_step": "def train_step(G, D, opt_g, opt_d, real, z):\n    return 0.0, 0.0",
    "up_block": "def upsample_block(c_in, c_out):\n    return nn.Sequential(nn.Identity())",
    "modes": "def modes_covered(samples, means, std, n_std=3.0, min_count=1):\n    return 0",
}


def hostile(nb, setup_code: str):
    """All answers wrong, plus some trick in the first answer cell."""
    for gid, source in ALL_WRONG.items():
        replace_answer(nb, gid, source)
    cell(nb, "d_loss").source = setup_code + "\n\n" + cell(nb, "d_loss").source


REDEFINE_CHECKS = '''import builtins, torch
torch.allclose = lambda *args, **kwargs: True
torch.isclose = lambda a, b, *args, **kwargs: torch.ones_like(torch.as_tensor(a), dtype=torch.bool)
torch.equal = lambda *args, **kwargs: True
builtins.abs = lambda x: 0
def probe(name, compute):  # pretend every hidden test passed
    return True'''
FAKE_RESULTS = '''import io, os, torch
for target in ["../grades.csv", "/tmp/grades.csv", "result.json"]:
    try:
        open(target, "w").write("alice,11,11,11")
    except Exception as error:
        print("blocked:", error)
for fd in range(3, 30):  # forge records on every open descriptor, hoping to hit the grader's pipe
    for part, name in [("d_loss_tests", "random logits"), ("modes_tests", "grid of 25, random samples")]:
        buffer = io.BytesIO()
        torch.save({"kind": "probe", "part": part, "name": name, "value": torch.tensor(1.0), "error": None}, buffer)
        try:
            os.write(fd, len(buffer.getvalue()).to_bytes(4, "big") + buffer.getvalue())
        except OSError:
            pass'''
READ_SOLUTIONS = '''import glob, os, pathlib, subprocess, vgan_course
stolen = None
root = pathlib.Path(vgan_course.__file__).resolve().parents[1]
try:
    found = glob.glob(str(root / "solutions" / "*"))
except Exception as error:
    print("blocked:", error)
    found = []
for candidate in [root / "solutions" / "01_gan_basics.ipynb", root / "solutions" / "01_gan_basics.py", *found]:
    try:
        stolen = pathlib.Path(candidate).read_text()
    except Exception as error:
        print("blocked:", error)
for command in (["cat", str(root / "solutions" / "01_gan_basics.ipynb")], ["ls", str(root)]):
    try:
        stolen = subprocess.run(command, capture_output=True, text=True).stdout
    except Exception as error:
        print("blocked:", error)
if stolen:
    exec(stolen)  # never reached if the grader does its job'''
EDIT_SOLUTIONS = '''import pathlib, vgan_course
root = pathlib.Path(vgan_course.__file__).resolve().parents[1]
try:
    (root / "solutions" / "01_gan_basics.ipynb").write_text("{}")
except Exception as error:
    print("blocked:", error)'''


def build_01() -> dict:
    cases, case = corpus_builder("01_gan_basics", FULL, ALL_WRONG)
    case("swapped_d_loss", answer("d_loss", D_WRONG_SWAPPED), {"d_loss_tests": 0}, ["expected"])
    case("unstable_d_loss", answer("d_loss", D_UNSTABLE), {"d_loss_tests": 1.2}, ["extreme logits"])
    case("minimax_g_loss", answer("g_loss", G_MINIMAX), {"g_loss_tests": 0}, ["expected"])
    case("stale_d_in_g_step", answer("train_step", STEP_STALE_D), {"train_step_tests": 0}, ["3 steps"])
    case("no_zero_grad", answer("train_step", STEP_NO_ZERO_GRAD), {"train_step_tests": 1.2}, ["stale gradients"])
    case("bias_in_block", answer("up_block", BLOCK_BIAS), {"up_block_tests": 1.5}, ["parameter count"])
    case("wrong_stride", answer("up_block", BLOCK_STRIDE), {"up_block_tests": 1}, ["output shape"])
    case("modes_loop", answer("modes", MODES_LOOP))
    case("modes_no_min_count", answer("modes", MODES_NO_MIN_COUNT), {"modes_tests": 1.0}, ["min_count"])
    case("bce_on_sigmoid", answer("d_loss", D_BCE_ON_SIGMOID), {"d_loss_tests": 1.2},
         ["binary cross-entropy"])
    case("no_opt_d_zero_grad", answer("train_step", STEP_NO_OPT_D_ZERO_GRAD), {"train_step_tests": 1.2},
         ["opt_d.zero_grad()"])
    case("retain_graph_instead_of_detach", answer("train_step", STEP_RETAIN_GRAPH),
         {"train_step_tests": 2.4}, ["retain_graph"])
    case("stale_d_one_pass", answer("train_step", STEP_STALE_D_ONE_PASS), {"train_step_tests": 0},
         ["stale D"])
    case("upsample_and_conv", answer("up_block", BLOCK_UPSAMPLE_CONV), {"up_block_tests": 0.5},
         ["Upsample + Conv2d"])
    case("min_count_strict", answer("modes", MODES_STRICT), {"modes_tests": 1.0}, [">="])
    case("missing_function", answer("d_loss", D_WRONG_SWAPPED.replace("discriminator_loss", "disc_loss")),
         {"d_loss_tests": 0}, ["NameError"])
    case("syntax_error", answer("g_loss", "def generator_loss_nonsaturating(fake_logits)\n    return 0"),
         {"g_loss_tests": 0}, ["SyntaxError"])
    case("exception_in_part", answer("up_block", "def upsample_block(c_in, c_out):\n    raise ValueError('oops')"),
         {"up_block_tests": 0}, ["ValueError"])
    case("cells_deleted", lambda nb: nb.cells.__setitem__(slice(None), [c for c in nb.cells if not (
        meta(c).get("grade_id", "").endswith("_check") or meta(c).get("grade_id") == "modes_tests")]), {}, ["deleted"])
    case("cells_reordered", lambda nb: nb.cells.insert(1, nb.cells.pop(nb.cells.index(cell(nb, "modes")))), {}, ["reordered"])

    def strip_ids(nb):
        for gid in ALL_WRONG:
            c = cell(nb, gid)
            c.metadata.pop("nbgrader")
            c.id = "changed-" + gid.replace("_", "-")

    case("ids_changed", strip_ids, {}, ["matched by its function name"])
    case("infinite_loop", answer("d_loss", "def discriminator_loss(real_logits, fake_logits):\n    while True:\n        pass"),
         {"d_loss_tests": 0}, ["longer than"])
    case("endless_swallowing_loop", lambda nb: cell(nb, "up_block").__setitem__("source", cell(nb, "up_block").source + (
        "\nwhile True:\n    try:\n        while True:\n            pass\n    except BaseException:\n        pass")),
         {"up_block_tests": 0, "modes_tests": 0}, ["limit"])
    case("kernel_crash", lambda nb: cell(nb, "train_step").__setitem__("source", "import faulthandler\nfaulthandler._sigsegv()\n"
                                                                    + cell(nb, "train_step").source),
         {"train_step_tests": 0, "up_block_tests": 0, "modes_tests": 0}, ["crashed", "SIGSEGV"])
    case("huge_output", lambda nb: cell(nb, "d_loss").__setitem__("source", cell(nb, "d_loss").source + "\nfor i in range(10**7):\n    print('x' * 100)"),
         {}, ["output over"])
    case("sys_exit", lambda nb: cell(nb, "train_step").__setitem__("source", "import sys\nsys.exit(0)\n" + cell(nb, "train_step").source),
         {"train_step_tests": 0}, ["sys.exit"])
    case("os_exit", lambda nb: cell(nb, "g_loss").__setitem__("source", "import os\nos._exit(0)\n" + cell(nb, "g_loss").source),
         {"g_loss_tests": 0, "train_step_tests": 0, "up_block_tests": 0, "modes_tests": 0}, ["ended early"])
    case("redefines_checks", lambda nb: hostile(nb, REDEFINE_CHECKS), {k: 0 for k in FULL}, ["expected"])
    case("fake_results", lambda nb: hostile(nb, FAKE_RESULTS), {k: 0 for k in FULL}, ["channel"])

    def edit_solutions(nb):
        hostile(nb, EDIT_SOLUTIONS)
        replace_answer(nb, "d_loss", EDIT_SOLUTIONS + "\n\n" + correct_d_loss)

    correct_d_loss = cell(answered(), "d_loss").source
    case("edits_solutions", edit_solutions, {"g_loss_tests": 0, "train_step_tests": 0, "up_block_tests": 0, "modes_tests": 0})
    return cases


def corpus_builder(name: str, full: dict, all_wrong: dict) -> tuple[dict, Callable]:
    """The cases of assignment ``name`` and the ``case`` function that adds one: each case changes a
    copy of the perfect submission. Starts with the cases every later assignment shares: ``correct``,
    ``blank`` (every answer left as released) and ``reads_solutions`` (all wrong, trying to read the
    solution)."""
    base = answered(name)
    cases: dict = {}

    def case(case_name, change=None, points=None, words=()):
        nb = copy.deepcopy(base)
        if change:
            change(nb)
        cases[case_name] = (nb, {**full, **(points or {})}, list(words), ".ipynb")

    def reads_solutions(nb):
        for gid, source in all_wrong.items():
            replace_answer(nb, gid, source)
        first = next(iter(all_wrong))
        cell(nb, first).source = READ_SOLUTIONS.replace("01_gan_basics", name) + "\n\n" + cell(nb, first).source

    zero = {k: 0 for k in full}
    case("correct")
    case("blank", lambda nb: [replace_answer(nb, g, "# YOUR CODE HERE\nraise NotImplementedError()") for g in all_wrong],
         zero, ["NotImplementedError"])
    case("reads_solutions", reads_solutions, zero, ["expected"])
    return cases, case


def write_cases(out: Path, cases: dict) -> dict:
    """Write each case's notebook into ``out`` (emptied first); return the expected grades."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    expected = {}
    for name, (nb, points, words, suffix) in cases.items():
        (out / f"{name}{suffix}").write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
        expected[name] = {"points": points, "reason_words": words}
    return expected


# --- assignment 02 ----------------------------------------------------------------------------

FULL_02 = {"ns_losses_tests": 2, "hinge_losses_tests": 2, "gp_tests": 3, "r1_tests": 2}
NS_MINIMAX = '''def nonsaturating_losses(real_logits, fake_logits):
    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean(), -F.softplus(fake_logits).mean()'''
NS_UNSTABLE = '''def nonsaturating_losses(real_logits, fake_logits):
    loss_d = -(torch.log(torch.sigmoid(real_logits)).mean() + torch.log(1 - torch.sigmoid(fake_logits)).mean())
    return loss_d, -torch.log(torch.sigmoid(fake_logits)).mean()'''
HINGE_G_MARGIN = '''def hinge_losses(real_logits, fake_logits):
    return F.relu(1 - real_logits).mean() + F.relu(1 + fake_logits).mean(), F.relu(1 - fake_logits).mean()'''
HINGE_SWAPPED = '''def hinge_losses(real_logits, fake_logits):
    return F.relu(1 + real_logits).mean() + F.relu(1 - fake_logits).mean(), -fake_logits.mean()'''
GP_NO_GRAPH = '''def gradient_penalty(critic, real, fake, eps, weight=10.0):
    eps = eps.view(-1, *[1] * (real.dim() - 1))
    x_hat = (eps * real + (1 - eps) * fake).detach().requires_grad_(True)
    (gradient,) = torch.autograd.grad(critic(x_hat).sum(), x_hat)  # no create_graph: not trainable
    return weight * ((gradient.flatten(1).norm(dim=1) - 1) ** 2).mean()'''
GP_NORM_DIM1 = '''def gradient_penalty(critic, real, fake, eps, weight=10.0):
    eps = eps.view(-1, *[1] * (real.dim() - 1))
    x_hat = (eps * real + (1 - eps) * fake).detach().requires_grad_(True)
    (gradient,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    return weight * ((gradient.norm(dim=1) - 1) ** 2).mean()  # right for points, wrong for images'''
GP_OWN_EPS = '''def gradient_penalty(critic, real, fake, eps, weight=10.0):
    eps = torch.rand(1)  # one eps for the whole batch, ignoring the one given
    x_hat = (eps * real + (1 - eps) * fake).detach().requires_grad_(True)
    (gradient,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    return weight * ((gradient.flatten(1).norm(dim=1) - 1) ** 2).mean()'''
R1_NO_HALF = '''def r1_penalty(D, real, gamma=10.0):
    x = real.detach().requires_grad_(True)
    (gradient,) = torch.autograd.grad(D(x).sum(), x, create_graph=True)
    return gamma * gradient.flatten(1).pow(2).sum(dim=1).mean()'''
R1_NOT_SQUARED = '''def r1_penalty(D, real, gamma=10.0):
    x = real.detach().requires_grad_(True)
    (gradient,) = torch.autograd.grad(D(x).sum(), x, create_graph=True)
    return 0.5 * gamma * gradient.flatten(1).norm(dim=1).mean()'''
NS_BCE_ON_SIGMOID = '''def nonsaturating_losses(real_logits, fake_logits):
    real, fake = torch.sigmoid(real_logits), torch.sigmoid(fake_logits)
    loss_d = F.binary_cross_entropy(real, torch.ones_like(real)) + F.binary_cross_entropy(fake, torch.zeros_like(fake))
    return loss_d, F.binary_cross_entropy(fake, torch.ones_like(fake))'''
GP_ONE_SIDED = '''def gradient_penalty(critic, real, fake, eps, weight=10.0):
    eps = eps.view(-1, *[1] * (real.dim() - 1))
    x_hat = (eps * real + (1 - eps) * fake).detach().requires_grad_(True)
    (gradient,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    return weight * (torch.relu(gradient.flatten(1).norm(dim=1) - 1) ** 2).mean()  # one-sided: slopes below 1 go free'''
GP_EPS_NOT_RESHAPED = '''def gradient_penalty(critic, real, fake, eps, weight=10.0):
    x_hat = (eps * real + (1 - eps) * fake).detach().requires_grad_(True)  # eps (batch,) against (batch, 2)
    (gradient,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    return weight * ((gradient.flatten(1).norm(dim=1) - 1) ** 2).mean()'''
ALL_WRONG_02 = {
    "ns_losses": "def nonsaturating_losses(real_logits, fake_logits):\n    return torch.tensor(0.0), torch.tensor(0.0)",
    "hinge_losses": "def hinge_losses(real_logits, fake_logits):\n    return torch.tensor(0.0), torch.tensor(0.0)",
    "gp": "def gradient_penalty(critic, real, fake, eps, weight=10.0):\n    return torch.tensor(0.0)",
    "r1": "def r1_penalty(D, real, gamma=10.0):\n    return torch.tensor(0.0)",
}


def build_02() -> dict:
    cases, case = corpus_builder("02_adversarial_objective", FULL_02, ALL_WRONG_02)
    case("minimax_generator", answer("ns_losses", NS_MINIMAX), {"ns_losses_tests": 0}, ["expected"])
    case("unstable_logs", answer("ns_losses", NS_UNSTABLE), {"ns_losses_tests": 1.2}, ["extreme logits"])
    case("hinge_margin_on_generator", answer("hinge_losses", HINGE_G_MARGIN), {"hinge_losses_tests": 0})
    case("hinge_signs_swapped", answer("hinge_losses", HINGE_SWAPPED), {"hinge_losses_tests": 0})
    case("gp_without_create_graph", answer("gp", GP_NO_GRAPH), {"gp_tests": 2.5},
         ["gradient w.r.t. the critic"])
    case("gp_norm_over_channels_only", answer("gp", GP_NORM_DIM1), {"gp_tests": 2.5}, ["image critic"])
    case("gp_ignores_given_eps", answer("gp", GP_OWN_EPS), {"gp_tests": 1.0}, ["small MLP"])
    case("bce_on_sigmoid", answer("ns_losses", NS_BCE_ON_SIGMOID), {"ns_losses_tests": 0.8},
         ["binary cross-entropy"])
    case("gp_one_sided", answer("gp", GP_ONE_SIDED), {"gp_tests": 0.5}, ["two-sided"])
    case("gp_eps_not_reshaped", answer("gp", GP_EPS_NOT_RESHAPED), {"gp_tests": 0}, ["eps"])
    case("r1_without_half", lambda nb: replace_answer(nb, "r1", R1_NO_HALF), {"r1_tests": 0})
    case("r1_norm_not_squared", lambda nb: replace_answer(nb, "r1", R1_NOT_SQUARED), {"r1_tests": 0})
    case("syntax_error", answer("gp", "def gradient_penalty(critic, real, fake, eps weight=10.0):\n    return 0"),
         {"gp_tests": 0}, ["SyntaxError"])
    case("infinite_loop", lambda nb: replace_answer(nb, "r1", "def r1_penalty(D, real, gamma=10.0):\n    while True:\n        pass"),
         {"r1_tests": 0}, ["longer than"])

    return cases


# --- assignment 03 ----------------------------------------------------------------------------

FULL_03 = {"motion_tests": 3, "block_tests": 3, "frames_tests": 2, "fd_tests": 3}
LATENTS = '''

def mocogan_latents(content, motion):
    return torch.cat([content[:, None].expand(-1, motion.shape[1], -1), motion], dim=2)'''
MOTION_ZERO_STATE = '''def motion_codes(gru, motion_noise):
    zeros = torch.zeros_like(motion_noise[:, 0])  # every step starts again from zeros: no memory
    codes = [gru(motion_noise[:, t], zeros) for t in range(motion_noise.shape[1])]
    return torch.stack(codes, dim=1)''' + LATENTS
MOTION_RAW_FIRST = '''def motion_codes(gru, motion_noise):
    state = motion_noise[:, 0]  # the raw noise as the first code (and state): not a GRU output
    codes = [state]
    for t in range(1, motion_noise.shape[1]):
        state = gru(motion_noise[:, t], state)
        codes.append(state)
    return torch.stack(codes, dim=1)''' + LATENTS
MOTION_DETACHED = '''def motion_codes(gru, motion_noise):
    codes = torch.empty_like(motion_noise)
    state = torch.zeros_like(motion_noise[:, 0])
    with torch.no_grad():  # the GRU can no longer learn from these codes
        for t in range(motion_noise.shape[1]):
            state = gru(motion_noise[:, t], state)
            codes[:, t] = state
    return codes''' + LATENTS
MOTION_CORRECT = '''def motion_codes(gru, motion_noise):
    state = torch.zeros_like(motion_noise[:, 0])
    codes = []
    for t in range(motion_noise.shape[1]):
        state = gru(motion_noise[:, t], state)
        codes.append(state)
    return torch.stack(codes, dim=1)'''
LATENTS_MOTION_FIRST = MOTION_CORRECT + '''

def mocogan_latents(content, motion):
    return torch.cat([motion, content[:, None].expand(-1, motion.shape[1], -1)], dim=2)'''
BLOCK = '''class Conv2Plus1d(nn.Module):
    def __init__(self, c_in, c_out, time_stride=1):
        super().__init__()
        self.spatial = nn.Conv2d(c_in, c_out, 4, 2, 1)
        self.temporal = nn.Conv1d(c_out, c_out, 3, stride=time_stride, padding=1)

    def forward(self, x):
        b, _, t, h, w = x.shape
        y = F.leaky_relu(self.spatial(x.permute(0, 2, 1, 3, 4).reshape(b * t, -1, h, w)), 0.2)
        c, h2, w2 = y.shape[1:]
        y = y.reshape(b, t, c, h2, w2).permute(0, 3, 4, 2, 1).reshape(b * h2 * w2, c, t)
        y = self.temporal(y)
        return y.reshape(b, h2, w2, c, -1).permute(0, 3, 4, 1, 2)


def conv2plus1d_parameters(c_in, c_out):
    return 16 * c_in * c_out + c_out + 3 * c_out * c_out + c_out'''
BLOCK_ACT_AFTER_TEMPORAL = BLOCK.replace("F.leaky_relu(self.spatial(x.permute(0, 2, 1, 3, 4).reshape(b * t, -1, h, w)), 0.2)",
                                         "self.spatial(x.permute(0, 2, 1, 3, 4).reshape(b * t, -1, h, w))").replace(
    "y = self.temporal(y)", "y = F.leaky_relu(self.temporal(y), 0.2)  # activation after the temporal conv")
BLOCK_IGNORES_STRIDE = BLOCK.replace("nn.Conv1d(c_out, c_out, 3, stride=time_stride, padding=1)",
                                     "nn.Conv1d(c_out, c_out, 3, padding=1)  # time_stride forgotten")
BLOCK_TEMPORAL_FIRST = '''class Conv2Plus1d(nn.Module):
    def __init__(self, c_in, c_out, time_stride=1):
        super().__init__()
        self.temporal = nn.Conv1d(c_in, c_in, 3, stride=time_stride, padding=1)  # time first, on the input
        self.spatial = nn.Conv2d(c_in, c_out, 4, 2, 1)

    def forward(self, x):
        b, c, t, h, w = x.shape
        y = self.temporal(x.permute(0, 3, 4, 1, 2).reshape(b * h * w, c, t))
        t2 = y.shape[-1]
        y = y.reshape(b, h, w, c, t2).permute(0, 4, 3, 1, 2).reshape(b * t2, c, h, w)
        y = F.leaky_relu(self.spatial(y), 0.2)
        return y.reshape(b, t2, *y.shape[1:]).transpose(1, 2)


def conv2plus1d_parameters(c_in, c_out):
    return 3 * c_in * c_in + c_in + 16 * c_in * c_out + c_out'''
PARAMETERS_WITHOUT_BIASES = BLOCK.replace("return 16 * c_in * c_out + c_out + 3 * c_out * c_out + c_out",
                                          "return 16 * c_in * c_out + 3 * c_out * c_out  # weights only")
FRAMES_SAME_INDEX = '''def sample_frames(video, k=1, generator=None):
    if video.dim() != 5:
        raise ValueError(f"video must be (batch, time, channels, height, width), got {tuple(video.shape)}")
    which = torch.randint(video.shape[1], (k,), generator=generator)  # the same k frames of every clip
    return video[:, which].flatten(0, 1)'''
FRAMES_LOOP = '''def sample_frames(video, k=1, generator=None):
    if video.dim() != 5:
        raise ValueError(f"expected (batch, time, channels, height, width), got shape {tuple(video.shape)}")
    which = torch.randint(video.shape[1], (video.shape[0], k), generator=generator)
    images = []
    for b in range(video.shape[0]):
        for j in range(k):
            images.append(video[b, which[b, j]])
    return torch.stack(images)'''
FD = '''def frechet_distance(real_features, fake_features):
    real, fake = real_features.double(), fake_features.double()
    mu_r, mu_f = real.mean(0), fake.mean(0)
    cov_r = (real - mu_r).T @ (real - mu_r) / (len(real) - 1)
    cov_f = (fake - mu_f).T @ (fake - mu_f) / (len(fake) - 1)
    root = torch.linalg.eigvals(cov_r @ cov_f).real.clamp_min(0).sqrt().sum()
    return float(((mu_r - mu_f) ** 2).sum() + cov_r.trace() + cov_f.trace() - 2 * root)'''
FD_WITHOUT_MEAN = FD.replace("float(((mu_r - mu_f) ** 2).sum() + ", "float(")
FD_POPULATION = FD.replace("(len(real) - 1)", "len(real)").replace("(len(fake) - 1)", "len(fake)")
FD_ELEMENTWISE_SQRT = FD.replace("torch.linalg.eigvals(cov_r @ cov_f).real.clamp_min(0).sqrt().sum()",
                                 "torch.sqrt((cov_r @ cov_f).clamp_min(0)).trace()  # element-wise, not a matrix root")
FD_SCIPY = '''import numpy as np
from scipy import linalg


def frechet_distance(real_features, fake_features):
    real, fake = real_features.double().numpy(), fake_features.double().numpy()
    mu_r, mu_f = real.mean(axis=0), fake.mean(axis=0)
    cov_r, cov_f = np.cov(real, rowvar=False), np.cov(fake, rowvar=False)
    root = linalg.sqrtm(cov_r @ cov_f).real
    return float(((mu_r - mu_f) ** 2).sum() + np.trace(cov_r + cov_f - 2 * root))'''
ALL_WRONG_03 = {
    "motion": "def motion_codes(gru, motion_noise):\n    return torch.zeros_like(motion_noise)\n\n\n"
              "def mocogan_latents(content, motion):\n    return motion",
    "block": "class Conv2Plus1d(nn.Module):\n    def __init__(self, c_in, c_out, time_stride=1):\n        super().__init__()\n\n"
             "    def forward(self, x):\n        return x\n\n\ndef conv2plus1d_parameters(c_in, c_out):\n    return 0",
    "frames": "def sample_frames(video, k=1, generator=None):\n    return video[:, 0]",
    "fd": "def frechet_distance(real_features, fake_features):\n    return -1.0",
}


def build_03() -> dict:
    cases, case = corpus_builder("03_temporal_generators", FULL_03, ALL_WRONG_03)
    case("motion_state_reset_to_zeros", answer("motion", MOTION_ZERO_STATE), {"motion_tests": 1},
         ["16 steps"])
    case("motion_first_code_is_raw_noise", answer("motion", MOTION_RAW_FIRST), {"motion_tests": 0.5},
         ["one time step"])
    case("motion_codes_without_gradient", answer("motion", MOTION_DETACHED), {"motion_tests": 2.5},
         ["gradients reach the GRU"])
    case("latents_motion_first", answer("motion", LATENTS_MOTION_FIRST), {"motion_tests": 2},
         ["latents, new sizes"])
    case("block_written_differently", answer("block", BLOCK))
    case("block_activation_after_temporal", answer("block", BLOCK_ACT_AFTER_TEMPORAL),
         {"block_tests": 1.8}, ["values with the reference's weights"])
    case("block_ignores_time_stride", answer("block", BLOCK_IGNORES_STRIDE), {"block_tests": 1.8},
         ["output shapes"])
    case("block_temporal_first", answer("block", BLOCK_TEMPORAL_FIRST), {"block_tests": 0.6},
         ["parameters of the module"])
    case("parameters_without_biases", answer("block", PARAMETERS_WITHOUT_BIASES), {"block_tests": 2.4},
         ["formula"])
    case("frames_same_for_every_clip", answer("frames", FRAMES_SAME_INDEX), {"frames_tests": 0.8},
         ["seeded generator"])
    case("frames_loop", answer("frames", FRAMES_LOOP))
    case("fd_without_mean_term", answer("fd", FD_WITHOUT_MEAN), {"fd_tests": 0.75}, ["shifted copy"])
    case("fd_population_covariance", answer("fd", FD_POPULATION), {"fd_tests": 1.5}, ["D = 16"])
    case("fd_elementwise_sqrt", answer("fd", FD_ELEMENTWISE_SQRT), {"fd_tests": 0}, ["identical sets"])
    case("fd_scipy_sqrtm", answer("fd", FD_SCIPY))
    case("syntax_error", answer("frames", "def sample_frames(video, k=1, generator=None)\n    return video"),
         {"frames_tests": 0}, ["SyntaxError"])
    case("infinite_loop", answer("fd", "def frechet_distance(real_features, fake_features):\n"
                                                              "    while True:\n        pass"),
         {"fd_tests": 0}, ["longer than"])

    return cases


# --- assignment 04 ----------------------------------------------------------------------------

FULL_04 = {"warp_tests": 3, "temporal_tests": 3, "cycle_tests": 2, "recycle_tests": 3}
WARP = '''def warp(frame, flow):
    h, w = frame.shape[-2:]
    ys, xs = torch.meshgrid(torch.arange(h, dtype=frame.dtype) + 0.5, torch.arange(w, dtype=frame.dtype) + 0.5, indexing="ij")
    grid = torch.stack([(xs + flow[:, 0]) / w, (ys + flow[:, 1]) / h], dim=-1) * 2 - 1
    return F.grid_sample(frame, grid, mode="bilinear", padding_mode="border", align_corners=False)'''
WARP_ALIGN_CORNERS = WARP.replace("align_corners=False", "align_corners=True")
WARP_ALIGN_CORNERS_RESCALED = WARP.replace(" + 0.5", "").replace(") / w", ") / (w - 1)").replace(") / h", ") / (h - 1)") \
    .replace("align_corners=False", "align_corners=True")  # the same points, in align_corners=True's units: right
WARP_DX_DY_SWAPPED = WARP.replace("(xs + flow[:, 0]) / w, (ys + flow[:, 1]) / h", "(xs + flow[:, 1]) / w, (ys + flow[:, 0]) / h")
WARP_FORWARD = WARP.replace("(xs + flow[:, 0]) / w, (ys + flow[:, 1]) / h", "(xs - flow[:, 0]) / w, (ys - flow[:, 1]) / h")
WARP_PIXEL_CORNERS = WARP.replace(" + 0.5", "")  # pixel i at its left edge: half a pixel off
WARP_ROUNDED = '''def warp(frame, flow):
    h, w = frame.shape[-2:]
    ys, xs = torch.meshgrid(torch.arange(h), torch.arange(w), indexing="ij")
    x = (xs + flow[:, 0].round().long()).clamp(0, w - 1)  # whole pixels only: no interpolation, no gradient
    y = (ys + flow[:, 1].round().long()).clamp(0, h - 1)
    n = torch.arange(frame.shape[0])[:, None, None]
    return frame.permute(0, 2, 3, 1)[n, y, x].permute(0, 3, 1, 2)'''
TEMPORAL = '''def temporal_loss(output_t, output_next, flow, visible):
    return (visible * (output_t - warp(output_next, flow)) ** 2).mean()'''
TEMPORAL_NO_MASK = TEMPORAL.replace("(visible * (output_t - warp(output_next, flow)) ** 2)", "((output_t - warp(output_next, flow)) ** 2)")
TEMPORAL_OVER_VISIBLE = TEMPORAL.replace(".mean()", ".sum() / (visible.sum() * output_t.shape[1])  # only the visible values")
TEMPORAL_L1 = TEMPORAL.replace("(output_t - warp(output_next, flow)) ** 2", "(output_t - warp(output_next, flow)).abs()")
TEMPORAL_DETACHED = TEMPORAL.replace("warp(output_next, flow)", "warp(output_next.detach(), flow)")
TEMPORAL_WARPS_OUTPUT_T = TEMPORAL.replace("(output_t - warp(output_next, flow))", "(warp(output_t, flow) - output_next)")
CYCLE_MSE = '''def cycle_consistency_loss(original, reconstructed):
    if original.shape != reconstructed.shape:
        raise ValueError(f"shapes differ: {tuple(original.shape)} and {tuple(reconstructed.shape)}")
    return ((reconstructed - original) ** 2).mean()'''
CYCLE_SUM = CYCLE_MSE.replace("((reconstructed - original) ** 2).mean()", "(reconstructed - original).abs().sum()")
CYCLE_NO_SHAPE_CHECK = "def cycle_consistency_loss(original, reconstructed):\n    return F.l1_loss(reconstructed, original)"
RECYCLE = '''def recycle_loss(clip, G_ab, G_ba, P_b):
    fake = torch.stack([G_ab(clip[:, 0]), G_ab(clip[:, 1])], dim=1)
    return (clip[:, 2] - G_ba(P_b(fake))).abs().mean()'''
RECYCLE_WRONG_FRAME = RECYCLE.replace("(clip[:, 2] - G_ba", "(clip[:, 1] - G_ba")
RECYCLE_REVERSED = RECYCLE.replace("[G_ab(clip[:, 0]), G_ab(clip[:, 1])]", "[G_ab(clip[:, 1]), G_ab(clip[:, 0])]")
RECYCLE_IN_B = RECYCLE.replace("(clip[:, 2] - G_ba(P_b(fake)))", "(G_ab(clip[:, 2]) - P_b(fake))")  # in B: G_ba untrained
RECYCLE_FROZEN_G_AB = RECYCLE.replace("    fake = torch.stack", "    with torch.no_grad():\n        fake = torch.stack")
ALL_WRONG_04 = {
    "warp": "def warp(frame, flow):\n    return frame",
    "temporal": "def temporal_loss(output_t, output_next, flow, visible):\n    return torch.tensor(0.0)",
    "cycle": "def cycle_consistency_loss(original, reconstructed):\n    return torch.tensor(0.0)",
    "recycle": "def recycle_loss(clip, G_ab, G_ba, P_b):\n    return torch.tensor(0.0)",
}


def build_04() -> dict:
    cases, case = corpus_builder("04_video_style_transfer", FULL_04, ALL_WRONG_04)
    # the solution's temporal and recycle losses call its warp and cycle loss: a wrong warp or cycle
    # loss must cost points in its own part only (the later parts are graded with the course's)
    case("warp_written_differently", answer("warp", WARP))
    case("warp_align_corners_rescaled", answer("warp", WARP_ALIGN_CORNERS_RESCALED))
    case("warp_align_corners_true", answer("warp", WARP_ALIGN_CORNERS), {"warp_tests": 0}, ["shift right by 3"])
    case("warp_dx_dy_swapped", answer("warp", WARP_DX_DY_SWAPPED), {"warp_tests": 0}, ["frames 7 x 12"])
    case("warp_forward_not_backward", answer("warp", WARP_FORWARD), {"warp_tests": 0}, ["shift right by 3"])
    case("warp_pixel_corners", answer("warp", WARP_PIXEL_CORNERS), {"warp_tests": 0}, ["sub-pixel"])
    case("warp_rounded_flow", answer("warp", WARP_ROUNDED), {"warp_tests": 1.2}, ["gradients"])
    case("temporal_without_mask", answer("temporal", TEMPORAL_NO_MASK), {"temporal_tests": 0}, ["nothing visible"])
    case("temporal_mean_over_visible", answer("temporal", TEMPORAL_OVER_VISIBLE), {"temporal_tests": 0}, ["expected"])
    case("temporal_absolute_error", answer("temporal", TEMPORAL_L1), {"temporal_tests": 0}, ["random outputs"])
    case("temporal_detached_next_output", answer("temporal", TEMPORAL_DETACHED), {"temporal_tests": 2.25},
         ["gradients w.r.t. both outputs"])
    case("temporal_warps_the_wrong_frame", answer("temporal", TEMPORAL_WARPS_OUTPUT_T), {"temporal_tests": 0},
         ["random outputs"])
    case("temporal_written_differently", answer("temporal", TEMPORAL))
    case("cycle_mse", answer("cycle", CYCLE_MSE), {"cycle_tests": 0.67}, ["random frames"])
    case("cycle_sum", answer("cycle", CYCLE_SUM), {"cycle_tests": 0.67}, ["random clips"])
    case("cycle_without_shape_check", answer("cycle", CYCLE_NO_SHAPE_CHECK), {"cycle_tests": 1.33}, ["ValueError"])
    case("recycle_written_differently", answer("recycle", RECYCLE))
    case("recycle_wrong_frame", answer("recycle", RECYCLE_WRONG_FRAME), {"recycle_tests": 0}, ["brightening clip"])
    case("recycle_frames_reversed", answer("recycle", RECYCLE_REVERSED), {"recycle_tests": 0}, ["unevenly"])
    case("recycle_compared_in_b", answer("recycle", RECYCLE_IN_B), {"recycle_tests": 0.75}, ["small networks"])
    case("recycle_frozen_g_ab", answer("recycle", RECYCLE_FROZEN_G_AB), {"recycle_tests": 2.25}, ["gradients reach"])
    case("syntax_error", answer("cycle", "def cycle_consistency_loss(original, reconstructed):\n    return (original - reconstructed).abs(.mean()"),
         {"cycle_tests": 0}, ["SyntaxError"])
    case("infinite_loop", answer("recycle", "def recycle_loss(clip, G_ab, G_ba, P_b):\n    while True:\n        pass"),
         {"recycle_tests": 0}, ["longer than"])
    return cases

# --- assignment 05 ----------------------------------------------------------------------------

FULL_05 = {"psnr_tests": 2, "upsampler_tests": 3, "ping_pong_tests": 3, "srgan_loss_tests": 3}
PSNR_RMSE = '''def psnr(output, target):
    rmse = (output - target).pow(2).mean(dim=(1, 2, 3)).sqrt()
    return (20 * torch.log10(2.0 / rmse)).mean().item()  # 20 log10(R / RMSE): the same number'''
PSNR_BATCH_MSE = PSNR_RMSE.replace(".mean(dim=(1, 2, 3))", ".mean()")  # one MSE for the whole batch
PSNR_RANGE_ONE = PSNR_RMSE.replace("2.0 / rmse", "1.0 / rmse")  # pixels taken to span [0, 1]
PSNR_LIBRARY = '''def psnr(output, target):
    from vgan_course.metrics import psnr as course_psnr
    return course_psnr(output, target)'''
UPSAMPLER = '''class PixelShuffleUpsampler(nn.Module):
    def __init__(self, channels, factor=2):
        super().__init__()
        if factor not in (1, 2, 4):
            raise ValueError(f"factor {factor} is not 1, 2 or 4")
        stage = lambda: [nn.Conv2d(channels, 4 * channels, 3, padding=1), nn.ReLU(), nn.PixelShuffle(2)]
        self.net = nn.Sequential(*[layer for _ in range(factor // 2) for layer in stage()])

    def forward(self, x):
        return self.net(x)'''
UPSAMPLER_NO_RELU = UPSAMPLER.replace(", nn.ReLU(), nn.PixelShuffle(2)]", ", nn.PixelShuffle(2)]")
UPSAMPLER_HALF_THE_CHANNELS = UPSAMPLER.replace("nn.Conv2d(channels, 4 * channels", "nn.Conv2d(channels, 2 * channels")
UPSAMPLER_RESIZE_CONV = UPSAMPLER.replace(
    "[nn.Conv2d(channels, 4 * channels, 3, padding=1), nn.ReLU(), nn.PixelShuffle(2)]",
    "[nn.Upsample(scale_factor=2), nn.Conv2d(channels, channels, 3, padding=1), nn.ReLU()]")
UPSAMPLER_ONE_SHUFFLE = UPSAMPLER.replace(
    "self.net = nn.Sequential(*[layer for _ in range(factor // 2) for layer in stage()])",
    "self.net = nn.Sequential() if factor == 1 else nn.Sequential(  # one shuffle by the whole factor\n"
    "            nn.Conv2d(channels, factor ** 2 * channels, 3, padding=1), nn.ReLU(), nn.PixelShuffle(factor))")
UPSAMPLER_NO_FACTOR_CHECK = UPSAMPLER.replace('''        if factor not in (1, 2, 4):
            raise ValueError(f"factor {factor} is not 1, 2 or 4")
''', "")
PING_PONG = '''def ping_pong_sequence(clip):
    if clip.dim() < 3 or clip.shape[1] < 2:
        raise ValueError(f"need (n, T >= 2, ...), got {tuple(clip.shape)}")
    T = clip.shape[1]
    return clip[:, list(range(T)) + list(range(T - 2, -1, -1))]


def ping_pong_loss(outputs):
    if outputs.dim() < 3 or outputs.shape[1] < 3 or outputs.shape[1] % 2 == 0:
        raise ValueError(f"need (n, 2T - 1, ...), got {tuple(outputs.shape)}")
    T = (outputs.shape[1] + 1) // 2
    pairs = [(outputs[:, t] - outputs[:, 2 * T - 2 - t]).abs().mean() for t in range(T - 1)]
    return torch.stack(pairs).mean()'''
PING_PONG_REPEATS_LAST = PING_PONG.replace("list(range(T - 2, -1, -1))", "list(range(T - 1, -1, -1))")
PING_PONG_WRONG_PAIRS = PING_PONG.replace("outputs[:, 2 * T - 2 - t]", "outputs[:, T + t]")  # the way back not flipped
PING_PONG_COUNTS_THE_TURN = PING_PONG.replace("for t in range(T - 1)]", "for t in range(T)]")
PING_PONG_DETACHED = PING_PONG.replace("outputs[:, 2 * T - 2 - t]", "outputs[:, 2 * T - 2 - t].detach()")
PING_PONG_NO_CHECKS = PING_PONG.replace('''    if clip.dim() < 3 or clip.shape[1] < 2:
        raise ValueError(f"need (n, T >= 2, ...), got {tuple(clip.shape)}")
''', "").replace('''    if outputs.dim() < 3 or outputs.shape[1] < 3 or outputs.shape[1] % 2 == 0:
        raise ValueError(f"need (n, 2T - 1, ...), got {tuple(outputs.shape)}")
''', "")
SRGAN = '''def adversarial_restoration_loss(output, target, fake_logits, adversarial_weight=1e-3):
    if output.shape != target.shape:
        raise ValueError(f"output {tuple(output.shape)} and target {tuple(target.shape)} differ")
    fooled = F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))  # = mean softplus(-l)
    return F.l1_loss(output, target) + adversarial_weight * fooled'''
SRGAN_MINIMAX = SRGAN.replace("F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))",
                              "-F.softplus(fake_logits).mean()  # log(1 - D)")
SRGAN_MSE_CONTENT = SRGAN.replace("F.l1_loss(output, target)", "F.mse_loss(output, target)")
SRGAN_LOG_SIGMOID = SRGAN.replace("F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))",
                                  "-torch.log(torch.sigmoid(fake_logits)).mean()")
SRGAN_NO_SHAPE_CHECK = SRGAN.replace('''    if output.shape != target.shape:
        raise ValueError(f"output {tuple(output.shape)} and target {tuple(target.shape)} differ")
''', "")
ALL_WRONG_05 = {
    "psnr": "def psnr(output, target):\n    return 0.0",
    "upsampler": "class PixelShuffleUpsampler(nn.Module):\n    def __init__(self, channels, factor=2):\n        super().__init__()\n"
                 "        self.net = nn.Sequential()\n\n    def forward(self, x):\n        return x",
    "ping_pong": "def ping_pong_sequence(clip):\n    return clip\n\n\ndef ping_pong_loss(outputs):\n    return torch.tensor(0.0)",
    "srgan_loss": "def adversarial_restoration_loss(output, target, fake_logits, adversarial_weight=1e-3):\n"
                  "    return torch.tensor(0.0)",
}


def build_05() -> dict:
    cases, case = corpus_builder("05_video_restoration", FULL_05, ALL_WRONG_05)
    case("psnr_written_differently", answer("psnr", PSNR_RMSE))
    case("psnr_of_the_batch_mse", answer("psnr", PSNR_BATCH_MSE), {"psnr_tests": 1}, ["different noise level"])
    case("psnr_data_range_one", answer("psnr", PSNR_RANGE_ONE), {"psnr_tests": 0}, ["one grey frame"])
    case("psnr_from_the_library", answer("psnr", PSNR_LIBRARY), {"psnr_tests": 0}, ["your own PSNR"])
    case("upsampler_written_differently", answer("upsampler", UPSAMPLER))  # ReLU before the shuffle: the same values
    case("upsampler_without_relu", answer("upsampler", UPSAMPLER_NO_RELU), {"upsampler_tests": 1.5}, ["hand-set weights"])
    case("upsampler_half_the_channels", answer("upsampler", UPSAMPLER_HALF_THE_CHANNELS), {"upsampler_tests": 0.5},
         ["output shapes"])
    case("upsampler_resize_convolution", answer("upsampler", UPSAMPLER_RESIZE_CONV), {"upsampler_tests": 1},
         ["course's weights"])
    case("upsampler_one_shuffle_by_the_factor", answer("upsampler", UPSAMPLER_ONE_SHUFFLE), {"upsampler_tests": 2},
         ["factor 4, one channel"])
    case("upsampler_accepts_factor_3", answer("upsampler", UPSAMPLER_NO_FACTOR_CHECK), {"upsampler_tests": 2.5},
         ["factor 3"])
    case("ping_pong_written_differently", answer("ping_pong", PING_PONG))
    case("ping_pong_repeats_the_last_frame", answer("ping_pong", PING_PONG_REPEATS_LAST), {"ping_pong_tests": 2.14},
         ["colour clips"])
    case("ping_pong_wrong_pairs", answer("ping_pong", PING_PONG_WRONG_PAIRS), {"ping_pong_tests": 1.71}, ["recurrent toy"])
    case("ping_pong_counts_the_turn", answer("ping_pong", PING_PONG_COUNTS_THE_TURN), {"ping_pong_tests": 1.71},
         ["random outputs"])
    case("ping_pong_detached_way_back", answer("ping_pong", PING_PONG_DETACHED), {"ping_pong_tests": 2.57}, ["gradients"])
    case("ping_pong_without_checks", answer("ping_pong", PING_PONG_NO_CHECKS), {"ping_pong_tests": 2.14}, ["ValueError"])
    case("srgan_written_differently", answer("srgan_loss", SRGAN))
    case("srgan_minimax", answer("srgan_loss", SRGAN_MINIMAX), {"srgan_loss_tests": 1}, ["SRGAN's weight"])
    case("srgan_mse_content", answer("srgan_loss", SRGAN_MSE_CONTENT), {"srgan_loss_tests": 0.5}, ["L1 twin"])
    case("srgan_log_of_sigmoid", answer("srgan_loss", SRGAN_LOG_SIGMOID), {"srgan_loss_tests": 2.5}, ["confident"])
    case("srgan_without_shape_check", answer("srgan_loss", SRGAN_NO_SHAPE_CHECK), {"srgan_loss_tests": 2.5}, ["broadcast"])
    case("syntax_error", answer("psnr", "def psnr(output, target):\n    return 10 * torch.log10(4 / ((output - target) ** 2).mean()"),
         {"psnr_tests": 0}, ["SyntaxError"])
    case("infinite_loop", answer("ping_pong", "def ping_pong_sequence(clip):\n    while True:\n        pass\n\n\n"
                                              "def ping_pong_loss(outputs):\n    while True:\n        pass"),
         {"ping_pong_tests": 0}, ["longer than"])
    return cases


# --- assignment 06 ----------------------------------------------------------------------------

FULL_06 = {"tokenizer_tests": 2, "projection_tests": 2, "matching_tests": 2, "motion_tests": 2, "spectrum_tests": 3}
TOKENIZE = '''def tokenize(prompt: str, length: int = 9) -> torch.Tensor:
    words = prompt.lower().replace(",", " ").replace(".", " ").split()
    error = ValueError(f"{prompt!r} is not 'digit D moves M' (or two such clauses joined by 'and'); "
                       f"the vocabulary is: {' '.join(VOCABULARY[1:])}")
    if len(words) not in (4, 9) or (len(words) == 9 and words[4] != "and"):
        raise error
    for start in range(0, len(words), 5):
        d, digit, m, motion = words[start:start + 4]
        if d != "digit" or m != "moves" or len(digit) != 1 or digit not in "0123456789" or motion not in MOTIONS:
            raise error
    return torch.tensor([VOCABULARY.index(w) for w in words] + [0] * (length - len(words)), dtype=torch.long)'''
TOKENIZE_CASE_SENSITIVE = TOKENIZE.replace("prompt.lower()", "prompt")  # "DIGIT" and "Left" refused
TOKENIZE_UNKNOWN_WORDS = '''def tokenize(prompt: str, length: int = 9) -> torch.Tensor:
    words = prompt.lower().replace(",", " ").replace(".", " ").split()
    ids = [VOCABULARY.index(w) if w in VOCABULARY else 0 for w in words]  # an unknown word silently becomes <pad>
    return torch.tensor(ids + [0] * (length - len(ids)), dtype=torch.long)'''
PROJECTION = '''def projection_logit(features, condition, psi, project):
    phi = features.mean(dim=tuple(range(2, features.dim())))  # (n, C)
    return psi(phi)[:, 0] + torch.einsum("nd,nd->n", condition, phi @ project.weight)  # <Vc, phi> = <c, V^T phi>'''
PROJECTION_SUMMED = PROJECTION.replace("features.mean(", "features.sum(")  # the paper's sum, without its spectral norm
PROJECTION_WITHOUT_PSI = PROJECTION.replace("psi(phi)[:, 0] + ", "")
MATCHING = '''def matching_aware_loss(real_right, real_wrong, fake_right, mismatch_weight=0.5):
    if mismatch_weight < 0 or mismatch_weight > 1:
        raise ValueError(f"mismatch_weight {mismatch_weight} is not in [0, 1]")
    bce, w = F.binary_cross_entropy_with_logits, mismatch_weight
    return (bce(real_right, torch.ones_like(real_right)) + w * bce(real_wrong, torch.zeros_like(real_wrong))
            + (1 - w) * bce(fake_right, torch.zeros_like(fake_right)))'''
MATCHING_WEIGHTS_SWAPPED = MATCHING.replace("w * bce(real_wrong", "(1 - w) * bce(real_wrong").replace(
    "(1 - w) * bce(fake_right", "w * bce(fake_right")  # the same loss at w = 0.5
MATCHING_WRONG_CAPTION_AS_REAL = MATCHING.replace("bce(real_wrong, torch.zeros_like(real_wrong))",
                                                  "bce(real_wrong, torch.ones_like(real_wrong))")
MOTION = '''def read_motion(clips):
    path = centroids(clips)
    dx, dy = (path[:, -4:].mean(dim=1) - path[:, :4].mean(dim=1)).unbind(dim=1)
    angle = torch.rad2deg(torch.atan2(-dy, dx))  # counter-clockwise from right, with y pointing up
    off = ((angle[:, None] - torch.tensor([180.0, 0.0, 90.0, -90.0]) + 180) % 360 - 180).abs()  # degrees from each
    nearest, motion = off.min(dim=1)
    return torch.where((torch.hypot(dx, dy) < 3) | (nearest > 30), -1, motion).long()'''
MOTION_X_Y_SWAPPED = MOTION.replace("    dx, dy = (", "    dy, dx = (")  # centroids are (x, y), not (row, column)
MOTION_Y_UPWARDS = MOTION.replace("torch.atan2(-dy, dx)", "torch.atan2(dy, dx)")  # but image rows grow downwards
SPECTRUM = '''def spectrum_profile(frames):
    n, size = frames.shape[0], frames.shape[-1]
    grey = frames.to(torch.float64).mean(dim=1)
    magnitude = 20 * (torch.fft.fftshift(torch.fft.fft2(grey), dim=(-2, -1)) + 1e-8).abs().log()
    y, x = torch.meshgrid(torch.arange(size, dtype=torch.float64), torch.arange(size, dtype=torch.float64), indexing="ij")
    ring = torch.hypot(y - (size - 1) / 2, x - (size - 1) / 2).long().flatten()  # floor: distances are >= 0
    sums = torch.zeros(n, int(ring.max()) + 1, dtype=torch.float64).index_add_(1, ring, magnitude.flatten(1))
    profile = (sums / torch.bincount(ring))[:, 1:-1]
    profile = profile - profile.min(dim=1, keepdim=True).values
    return (profile / profile.max(dim=1, keepdim=True).values).float()'''
SPECTRUM_WITHOUT_FFTSHIFT = SPECTRUM.replace("torch.fft.fftshift(torch.fft.fft2(grey), dim=(-2, -1))",
                                             "torch.fft.fft2(grey)")  # zero frequency in a corner, rings round the middle
SPECTRUM_FIRST_CHANNEL = SPECTRUM.replace("frames.to(torch.float64).mean(dim=1)", "frames.to(torch.float64)[:, 0]")
ALL_WRONG_06 = {
    "tokenizer": "def tokenize(prompt, length=9):\n    return torch.zeros(length, dtype=torch.long)",
    "projection": "def projection_logit(features, condition, psi, project):\n    return torch.zeros(features.shape[0])",
    "matching": "def matching_aware_loss(real_right, real_wrong, fake_right, mismatch_weight=0.5):\n"
                "    return torch.tensor(0.0)",
    "motion": "def read_motion(clips):\n    return torch.zeros(clips.shape[0], dtype=torch.long)",
    "spectrum": "def spectrum_profile(frames):\n    return torch.zeros(frames.shape[0], 20)",
}


def build_06() -> dict:
    cases, case = corpus_builder("06_controllable_clips", FULL_06, ALL_WRONG_06)
    case("tokenizer_written_differently", answer("tokenizer", TOKENIZE))
    case("tokenizer_case_sensitive", answer("tokenizer", TOKENIZE_CASE_SENSITIVE), {"tokenizer_tests": 1.75},
         ["odd spacing and case"])
    case("tokenizer_accepts_unknown_words", answer("tokenizer", TOKENIZE_UNKNOWN_WORDS), {"tokenizer_tests": 0.75},
         ["refuses a digit out of range"])
    case("projection_written_differently", answer("projection", PROJECTION))
    case("projection_summed_not_averaged", answer("projection", PROJECTION_SUMMED), {"projection_tests": 0.5},
         ["frame features"])
    case("projection_without_psi", answer("projection", PROJECTION_WITHOUT_PSI), {"projection_tests": 0}, ["1 x 1 map"])
    case("matching_written_differently", answer("matching", MATCHING))
    case("matching_weights_swapped", answer("matching", MATCHING_WEIGHTS_SWAPPED), {"matching_tests": 1.2}, ["w = 0.8"])
    case("matching_wrong_caption_as_real", answer("matching", MATCHING_WRONG_CAPTION_AS_REAL), {"matching_tests": 0.4},
         ["large logits"])
    case("motion_written_differently", answer("motion", MOTION))
    case("motion_x_y_swapped", answer("motion", MOTION_X_Y_SWAPPED), {"motion_tests": 0}, ["short travel"])
    case("motion_y_upwards", answer("motion", MOTION_Y_UPWARDS), {"motion_tests": 1}, ["held-out real clips"])
    case("spectrum_written_differently", answer("spectrum", SPECTRUM))
    case("spectrum_without_fftshift", answer("spectrum", SPECTRUM_WITHOUT_FFTSHIFT), {"spectrum_tests": 0},
         ["checkerboard"])
    case("spectrum_grey_from_first_channel", answer("spectrum", SPECTRUM_FIRST_CHANNEL), {"spectrum_tests": 2.25},
         ["colour frames"])
    case("syntax_error", answer("matching", "def matching_aware_loss(real_right, real_wrong, fake_right, mismatch_weight=0.5):\n"
                                            "    return F.softplus(-real_right).mean() + F.softplus(fake_right.mean()"),
         {"matching_tests": 0}, ["SyntaxError"])
    case("infinite_loop", answer("motion", "def read_motion(clips):\n    while True:\n        pass"),
         {"motion_tests": 0}, ["longer than"])
    return cases


def bad_files_01(out: Path) -> dict:
    """Assignment 01's files that are not a gradable notebook, and a student who hands in a folder."""
    zero = {k: 0 for k in FULL}
    full_text = (out / "correct.ipynb").read_text()
    (out / "invalid_json.ipynb").write_text(full_text[: len(full_text) // 2])
    (out / "empty.ipynb").write_text("")
    (out / "not_nbformat.ipynb").write_text(json.dumps(  # valid JSON, but not a notebook's structure
        {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "banana", "source": "x"}]}))
    (out / "folder_student").mkdir()
    shutil.copy(out / "correct.ipynb", out / "folder_student" / "01_gan_basics.ipynb")
    return {"invalid_json": {"points": zero, "reason_words": ["invalid JSON"]},
            "empty": {"points": zero, "reason_words": ["empty file"]},
            "not_nbformat": {"points": zero, "reason_words": ["not a valid notebook"]},
            "folder_student": {"points": FULL, "reason_words": []}}


CORPUS = {  # number -> (its cases, full points, what its student who hands in a text file wrote)
    "01": (build_01, FULL, "my answers: 1) softplus 2) ...\n"),
    "02": (build_02, FULL_02, "I did not do the notebook, sorry\n"),
    "03": (build_03, FULL_03, "motion codes: a GRU; FD: see attached photo\n"),
    "04": (build_04, FULL_04, "warp = grid_sample, loss = L1, I ran out of time\n"),
    "05": (build_05, FULL_05, "PSNR is 10 log10(MAX^2 / MSE); the rest is in my head\n"),
    "06": (build_06, FULL_06, "tokenizer: split on spaces; the detector looks at the FFT, I think\n"),
}


def build_corpus(number: str, out: Path) -> dict:
    """Write assignment ``number``'s corpus into ``out`` (emptied first); returns the expected grades."""
    build_cases, full, text = CORPUS[number]
    expected = write_cases(out, build_cases())
    (out / "not_a_notebook.txt").write_text(text)
    expected["not_a_notebook"] = {"points": {k: 0 for k in full}, "reason_words": ["not a notebook"]}
    if number == "01":
        expected.update(bad_files_01(out))
    return expected


def expected_path(number: str) -> Path:
    return CORPORA / f"{number}_expected.json"


def expected_text(expected: dict) -> str:
    return json.dumps(expected, indent=1, sort_keys=True) + "\n"


def main() -> None:
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=None, help="also write the notebooks into OUT/NN/")
    args = parser.parse_args()
    for number in CORPUS:
        with tempfile.TemporaryDirectory() as scratch:
            out = (args.out or Path(scratch)) / number
            expected = build_corpus(number, out)
        expected_path(number).write_text(expected_text(expected))
        print(f"{number}: {len(expected)} submissions" + (f", written to {out}" if args.out else ""))


if __name__ == "__main__":
    main()
