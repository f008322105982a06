"""Tests for settings: defaults, environment and .env, and one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine.review import DEFAULT_STEPS, ReviewSteps
from bot.settings import SHIPPED_CONTENT_DIR, SettingsError, load_settings
from tests.conftest import AnnealCli

ENV_NAMES = (
    "DISCORD_TOKEN",
    "ANNEAL_DATABASE",
    "ANNEAL_CONTENT_DIR",
    "ANNEAL_PREFIX",
    "ANNEAL_DISCORD_API",
    "ANNEAL_DISCORD_GATEWAY",
    "ANNEAL_DEV_GUILD",
    "ANNEAL_RESUME_WINDOW",
    "ANNEAL_REVEAL_GRACE",
    "ANNEAL_JOIN_WINDOW",
    "ANNEAL_RETRY_WINDOW",
    "ANNEAL_REVIEW_STEPS",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env from the developer's checkout


def test_defaults() -> None:
    """With nothing set: no token, Discord's URLs, the shipped content, prefix !."""
    settings = load_settings()
    assert not settings.has_token
    assert settings.prefix == "!"
    assert settings.discord_api == "https://discord.com/api/v10"
    assert settings.discord_gateway.startswith("wss://gateway.discord.gg")
    assert settings.content_dir == SHIPPED_CONTENT_DIR
    assert (SHIPPED_CONTENT_DIR / "lr-scheduler-master.yaml").is_file()


def test_content_dir_does_not_depend_on_working_directory(tmp_path: Path) -> None:
    """The shipped content is found from the package, wherever Anneal is started."""
    assert load_settings().content_dir.is_absolute()
    assert not load_settings().content_dir.is_relative_to(tmp_path)


def test_environment_and_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Values come from .env, and the environment wins over it."""
    (tmp_path / ".env").write_text("ANNEAL_PREFIX=?\nANNEAL_DEV_GUILD=42\n", encoding="utf-8")
    monkeypatch.setenv("ANNEAL_PREFIX", "$")
    settings = load_settings()
    assert settings.prefix == "$"
    assert settings.dev_guild == 42


def test_token_never_shows_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    """The token is a secret: printing the settings does not reveal it."""
    monkeypatch.setenv("DISCORD_TOKEN", "very-secret-token")
    settings = load_settings()
    assert settings.has_token
    assert "very-secret-token" not in repr(settings)
    assert "very-secret-token" not in str(settings)


def test_blank_token_means_no_token(monkeypatch: pytest.MonkeyPatch) -> None:
    """DISCORD_TOKEN= (empty, as in a template .env) counts as unset."""
    monkeypatch.setenv("DISCORD_TOKEN", "  ")
    assert not load_settings().has_token


def test_invalid_settings_name_each_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every invalid value is named in a single line."""
    monkeypatch.setenv("ANNEAL_DEV_GUILD", "not-a-number")
    monkeypatch.setenv("ANNEAL_DISCORD_GATEWAY", "http://wrong")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert "\n" not in message
    assert "ANNEAL_DEV_GUILD" in message
    assert "ANNEAL_DISCORD_GATEWAY" in message


def test_pace_and_resume_window_defaults() -> None:
    """A challenge waits 15 minutes for a restart; reveals come 5 s after everyone is done."""
    settings = load_settings()
    assert settings.resume_window == 900
    assert (settings.reveal_grace, settings.join_window, settings.retry_window) == (5, 15, 20)


@pytest.mark.parametrize(
    ("written", "seconds"), [("90", 90), ("15m", 900), ("1.5 h", 5400), ("30s", 30), ("2min", 120)]
)
def test_durations_take_seconds_or_a_unit(
    monkeypatch: pytest.MonkeyPatch, written: str, seconds: float
) -> None:
    """ANNEAL_RESUME_WINDOW=15m reads as 900 seconds; a bare number is seconds."""
    monkeypatch.setenv("ANNEAL_RESUME_WINDOW", written)
    assert load_settings().resume_window == seconds


@pytest.mark.parametrize("written", ["soon", "-5", "15 days", "8d"])
def test_a_bad_duration_names_the_setting(monkeypatch: pytest.MonkeyPatch, written: str) -> None:
    """A duration that is not seconds, minutes or hours is refused, naming the setting."""
    monkeypatch.setenv("ANNEAL_RETRY_WINDOW", written)
    with pytest.raises(SettingsError, match="ANNEAL_RETRY_WINDOW"):
        load_settings()


def test_review_steps_come_from_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    """ANNEAL_REVIEW_STEPS is read as the review intervals; unset, the default steps."""
    assert load_settings().review_steps == DEFAULT_STEPS
    monkeypatch.setenv("ANNEAL_REVIEW_STEPS", "1h, 2d")
    assert load_settings().review_steps == ReviewSteps((3_600.0, 172_800.0))


@pytest.mark.parametrize("written", ["10m,soon", "", "10m,,1d", "0s"])
def test_bad_review_steps_name_the_setting(monkeypatch: pytest.MonkeyPatch, written: str) -> None:
    """A review step that is no duration is refused in one line naming the variable."""
    monkeypatch.setenv("ANNEAL_REVIEW_STEPS", written)
    with pytest.raises(SettingsError, match=r"^invalid settings: ANNEAL_REVIEW_STEPS: .*step"):
        load_settings()


def test_invalid_settings_stop_the_program_with_one_line(anneal_cli: AnnealCli) -> None:
    """`anneal play` with a bad setting exits 2 with one line on stderr, no traceback."""
    done = anneal_cli("play", env={"ANNEAL_PREFIX": ""})
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("anneal: invalid settings: ANNEAL_PREFIX")
