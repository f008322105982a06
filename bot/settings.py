"""Settings from the environment and `.env`, validated once at start-up."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.engine.review import DEFAULT_STEPS, ReviewSteps

# Shipped content sits beside the package in a source checkout or editable install;
# the Docker image points ANNEAL_CONTENT_DIR at its own copy. Never the working directory.
SHIPPED_CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"
CARDS_FOLDER = "cards"
DEFAULT_DATABASE = Path("~/.local/share/anneal/anneal.db")
_DURATION = re.compile(r"^\s*(?P<amount>\d+(?:\.\d+)?)\s*(?P<unit>s|m|min|h)?\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"": 1.0, "s": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0}


class SettingsError(Exception):
    """Settings that cannot work; the message is one line fit to print."""


class Settings(BaseSettings):
    """Anneal's settings, from the environment and `.env`; frozen once read."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    discord_token: SecretStr | None = Field(default=None, alias="DISCORD_TOKEN")
    database: Path = Field(default=DEFAULT_DATABASE, alias="ANNEAL_DATABASE")
    content_dir: Path = Field(default=SHIPPED_CONTENT_DIR, alias="ANNEAL_CONTENT_DIR")
    prefix: str = Field(default="!", alias="ANNEAL_PREFIX", min_length=1, max_length=5)
    discord_api: str = Field(default="https://discord.com/api/v10", alias="ANNEAL_DISCORD_API")
    discord_gateway: str = Field(
        default="wss://gateway.discord.gg/", alias="ANNEAL_DISCORD_GATEWAY"
    )
    dev_guild: int | None = Field(default=None, alias="ANNEAL_DEV_GUILD", gt=0)
    # Durations are seconds, or a number with s, m or h: "900", "15m".
    resume_window: float = Field(default=900.0, alias="ANNEAL_RESUME_WINDOW", ge=0, le=7 * 86400)
    reveal_grace: float = Field(default=5.0, alias="ANNEAL_REVEAL_GRACE", ge=0, le=60)
    join_window: float = Field(default=15.0, alias="ANNEAL_JOIN_WINDOW", ge=0, le=600)
    retry_window: float = Field(default=20.0, alias="ANNEAL_RETRY_WINDOW", ge=0, le=600)
    # The gaps between reviews of a missed problem, e.g. "10m,1d,3d" (bot/engine/review.py).
    # NoDecode: the text is ours to parse, not JSON.
    review_steps: Annotated[ReviewSteps, NoDecode] = Field(
        default=DEFAULT_STEPS, alias="ANNEAL_REVIEW_STEPS"
    )

    @field_validator("discord_token", mode="before")
    @classmethod
    def _blank_token_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("dev_guild", mode="before")
    @classmethod
    def _blank_guild_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("resume_window", "reveal_grace", "join_window", "retry_window", mode="before")
    @classmethod
    def _duration(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        match = _DURATION.match(value)
        if match is None:
            raise ValueError("must be seconds, or a number with s, m or h (e.g. 90, 15m)")
        return float(match["amount"]) * _UNIT_SECONDS[(match["unit"] or "").lower()]

    @field_validator("review_steps", mode="before")
    @classmethod
    def _review_steps(cls, value: object) -> object:
        return ReviewSteps.parse(value) if isinstance(value, str) else value

    @field_validator("database", "content_dir", mode="after")
    @classmethod
    def _expand_user(cls, value: Path) -> Path:
        return value.expanduser()

    @field_validator("discord_api")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("discord_gateway")
    @classmethod
    def _ws_url(cls, value: str) -> str:
        if not value.startswith(("ws://", "wss://")):
            raise ValueError("must start with ws:// or wss://")
        return value

    @property
    def cards_dir(self) -> Path:
        """The learn cards (`!learn`, `anneal learn`): the `cards` folder of the content."""
        return self.content_dir / CARDS_FOLDER

    @property
    def has_token(self) -> bool:
        """Whether a Discord token is set (else `anneal` plays in the terminal)."""
        return self.discord_token is not None


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning a validation failure into one readable line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else "settings"
            problems.append(f"{name}: {error['msg']}")
        raise SettingsError("invalid settings: " + "; ".join(problems)) from None
