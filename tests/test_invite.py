"""Tests for bot.invite and `anneal invite`: the URL, its permissions and the client id."""

from __future__ import annotations

import base64
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import discord
import pytest

from bot.cli import main
from bot.features.admin.permissions import missing_permissions
from bot.invite import (
    NEEDED,
    InviteError,
    client_id_from_token,
    invite_text,
    invite_url,
    permissions,
    resolve_client_id,
)

BOT_ID = 1_234_567_890_123_456_789


def fake_token(user_id: int) -> str:
    """A token shaped like Discord's: base64 of the id (no padding), a timestamp, an HMAC."""
    first = base64.b64encode(str(user_id).encode()).decode().rstrip("=")
    return f"{first}.GhIjKl.{'x' * 38}"


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_url_permissions_are_exactly_the_named_flags() -> None:
    """The permissions integer in the URL is the sum of the eight flags, and nothing else."""
    expected = (
        (1 << 10)  # view_channel
        | (1 << 11)  # send_messages
        | (1 << 14)  # embed_links
        | (1 << 15)  # attach_files
        | (1 << 6)  # add_reactions
        | (1 << 16)  # read_message_history
        | (1 << 13)  # manage_messages
        | (1 << 28)  # manage_roles, for role rewards only
    )
    assert query(invite_url(BOT_ID))["permissions"] == [str(expected)]
    assert permissions().value == expected
    assert bin(expected).count("1") == len(NEEDED)  # one bit per named flag, no extras


def test_url_has_both_scopes_and_the_client_id() -> None:
    """scope is `bot applications.commands`; client_id is the one given."""
    url = invite_url(BOT_ID)
    assert url.startswith("https://discord.com/oauth2/authorize?")
    params = query(url)
    assert params["client_id"] == [str(BOT_ID)]
    assert params["scope"] == ["bot applications.commands"]


def test_no_permission_the_bot_does_not_use() -> None:
    """No admin, mention-everyone, external emoji, thread or server permissions are asked for."""
    asked = permissions()
    assert not asked.administrator
    assert not asked.mention_everyone
    assert not asked.use_external_emojis
    assert not asked.send_messages_in_threads
    assert not asked.manage_guild


def test_every_flag_is_a_real_permission_with_a_reason() -> None:
    """Each entry names a discord.Permissions flag and says why it is needed."""
    for needed in NEEDED:
        assert needed.flag in discord.Permissions.VALID_FLAGS
        assert needed.reason
        assert needed.label


def test_manage_roles_is_asked_for_role_rewards_only() -> None:
    """The text says only role rewards need Manage Roles; the channel check never asks for it."""
    [manage_roles] = [needed for needed in NEEDED if needed.flag == "manage_roles"]
    assert manage_roles.only_for is not None
    lines = invite_text(BOT_ID).splitlines()
    after = lines[next(i for i, line in enumerate(lines) if "Manage Roles" in line) + 1]
    assert "only for role rewards" in after
    assert "untick it" in after
    nothing = discord.Permissions.none()
    assert "Manage Roles" not in missing_permissions(nothing)
    assert "Manage Messages" in missing_permissions(nothing)
    assert missing_permissions(permissions() & ~discord.Permissions(manage_roles=True)) == []


def test_client_id_is_decoded_from_the_token() -> None:
    """The first token segment is the bot's id in base64, padded or not."""
    assert client_id_from_token(fake_token(BOT_ID)) == BOT_ID
    assert client_id_from_token(fake_token(80351110224678912)) == 80351110224678912


@pytest.mark.parametrize("token", ["", "....", "not-base64!.a.b", "aGVsbG8.a.b", "LTU.a.b"])
def test_a_token_that_is_not_one_gives_none(token: str) -> None:
    """Empty, garbage, base64 of a word ("hello") or of a negative number: None."""
    assert client_id_from_token(token) is None


def test_explicit_client_id_wins_over_the_token() -> None:
    """--client-id is used as given, even with a token set."""
    assert resolve_client_id(42, fake_token(BOT_ID)) == 42
    assert resolve_client_id(None, fake_token(BOT_ID)) == BOT_ID


@pytest.mark.parametrize(
    ("explicit", "token"), [(None, None), (None, "  "), (None, "junk"), (0, None)]
)
def test_no_usable_client_id_is_one_clear_error(explicit: int | None, token: str | None) -> None:
    """Neither a positive --client-id nor a decodable token: InviteError with one line."""
    with pytest.raises(InviteError) as caught:
        resolve_client_id(explicit, token)
    assert "\n" not in str(caught.value)
    assert "--client-id" in str(caught.value)


def test_text_lists_each_permission_with_its_reason() -> None:
    """The printed text has the URL and one line per permission, with its reason."""
    text = invite_text(BOT_ID)
    assert invite_url(BOT_ID) in text
    for needed in NEEDED:
        line = next(line for line in text.splitlines() if needed.label in line)
        assert needed.reason in line


def test_anneal_invite_with_client_id(capsys: pytest.CaptureFixture[str]) -> None:
    """`anneal invite --client-id ID` prints the URL for that id and exits 0."""
    assert main(["invite", "--client-id", "42"]) == 0
    out = capsys.readouterr().out
    assert "client_id=42&scope=bot+applications.commands&permissions=" in out
    assert "Manage Messages" in out


def test_anneal_invite_reads_the_token(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Without --client-id, the id comes from DISCORD_TOKEN."""
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("DISCORD_TOKEN", fake_token(BOT_ID))
    assert main(["invite"]) == 0
    assert f"client_id={BOT_ID}&" in capsys.readouterr().out


def test_anneal_invite_without_id_or_token_is_a_one_line_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """No --client-id and no DISCORD_TOKEN: exit 2 and one line on stderr."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    assert main(["invite"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("anneal: no client id: pass --client-id ID")
    assert captured.err.count("\n") == 1
