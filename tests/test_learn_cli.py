"""`anneal learn` as a learner runs it: a card as text, its chart as a PNG, clear refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.card_library import load_cards
from bot.settings import SHIPPED_CONTENT_DIR
from tests.conftest import AnnealCli


def test_a_card_is_printed_with_its_parts(anneal_cli: AnnealCli) -> None:
    """`anneal learn steplr` prints StepLR's card: rule, defaults, facts, next steps."""
    done = anneal_cli("learn", "steplr")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("StepLR  (torch.optim.lr_scheduler.StepLR)\n")
    for heading in ("Update rule", "Parameters (torch's defaults)", "Pitfalls", "Next steps"):
        assert f"\n{heading}\n" in out
    assert "lr(t) = lr0 · gamma ^ ⌊t / step_size⌋" in out
    assert "gamma=0.1: what the rate is multiplied by" in out
    assert "drops to 0.01 at epoch 10" in out
    assert "Try it: anneal run 'StepLR(step_size=10, gamma=0.1) lr=0.1 steps=30'" in out
    assert "`" not in out
    assert "{" not in out
    assert max(len(line) for line in out.splitlines()) <= 100


def test_aliases_and_typos_find_a_card(anneal_cli: AnnealCli) -> None:
    """`cosine` and `OneCycelLR` find their cards."""
    assert anneal_cli("learn", "cosine").stdout.startswith("CosineAnnealingLR  (")
    assert anneal_cli("learn", "OneCycelLR").stdout.startswith("OneCycleLR  (")


def test_an_unknown_name_is_one_line_with_suggestions(anneal_cli: AnnealCli) -> None:
    """A name that matches no card exits 2 with one line naming the close ones."""
    done = anneal_cli("learn", "MultLR")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip() == (
        "anneal learn: there is no card for 'MultLR'; did you mean MultiStepLR or "
        "MultiplicativeLR or StepLR? (`anneal learn` lists them)"
    )


def test_no_name_lists_every_card(anneal_cli: AnnealCli) -> None:
    """`anneal learn` alone lists the 16 cards with their one-line summaries."""
    done = anneal_cli("learn")
    assert done.returncode == 0, done.stderr
    for name in load_cards(SHIPPED_CONTENT_DIR / "cards").cards:
        assert f"\n{name} " in f"\n{done.stdout}"
    assert "anneal learn <name> shows one" in done.stdout


@pytest.mark.parametrize(
    ("plot", "message"),
    [
        ("chart.jpg", "anneal learn: --plot writes a PNG: give a file name ending in .png"),
        ("nowhere/chart.png", "anneal learn: --plot: the folder 'nowhere' does not exist"),
    ],
)
def test_a_bad_plot_path_is_refused_before_any_work(
    anneal_cli: AnnealCli, plot: str, message: str
) -> None:
    """A non-PNG name or a missing folder gets one line and no card, no chart."""
    done = anneal_cli("learn", "StepLR", "--plot", plot)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip().startswith(message)
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_missing_cards_folder_is_one_line(anneal_cli: AnnealCli, tmp_path: Path) -> None:
    """Content without a `cards` folder says where it looked."""
    (tmp_path / "content").mkdir()
    done = anneal_cli("learn", "StepLR", env={"ANNEAL_CONTENT_DIR": str(tmp_path / "content")})
    assert done.returncode == 2
    assert done.stderr.strip().endswith(f"no learn cards found in {tmp_path / 'content' / 'cards'}")


@pytest.mark.torch
def test_plot_writes_the_typical_schedules_chart(anneal_cli: AnnealCli) -> None:
    """`--plot steplr.png` prints the card and writes a PNG computed by the runner."""
    done = anneal_cli("learn", "StepLR", "--plot", "steplr.png")
    assert done.returncode == 0, done.stderr
    written = anneal_cli.workdir / "steplr.png"
    assert written.read_bytes().startswith(b"\x89PNG")
    assert done.stdout.rstrip().endswith("Chart of the typical schedule written to steplr.png")
