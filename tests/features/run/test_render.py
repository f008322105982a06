"""The `!run` embed stays within Discord's limits whatever the run, and reads well."""

from __future__ import annotations

import discord
import pytest

from bot.content import ContentLibrary
from bot.features.run.render import CHART_NAME, CODE_LIMIT, CODE_NAME, build_reply
from bot.features.run.request import RunRequest, resolve
from bot.runner import RunResult, parse_run, render_snippet

PNG = b"\x89PNG\r\n\x1a\n"  # build_reply passes the bytes through; their content is not read


def fits_discord(embed: discord.Embed) -> None:
    """Assert every embed limit Discord enforces."""
    assert len(embed.title or "") <= 256
    assert len(embed.description or "") <= 4096
    for field in embed.fields:
        assert len(field.name or "") <= 256
        assert len(field.value or "") <= 1024
    assert len(embed.footer.text or "") <= 2048
    assert len(embed) <= 6000


def big_result(*, noisy: bool) -> RunResult:
    """10,000 steps of 8 groups with momentum; with long warnings and an error if `noisy`."""
    groups = tuple(tuple(0.1 * (g + 1) / (1 + i) for i in range(10_000)) for g in range(8))
    return RunResult(
        groups=groups,
        initial=tuple(0.1 * (g + 1) for g in range(8)),
        momentum=groups,
        warnings=tuple(f"warning {n}: " + "torch says something long. " * 60 for n in range(5))
        if noisy
        else (),
        error=("ValueError: " + "a very long explanation " * 200) if noisy else None,
    )


@pytest.mark.parametrize("noisy", [False, True])
def test_10000_steps_of_8_groups_fit_every_embed_limit(noisy: bool) -> None:
    """The largest run, with and without long notes, fits; the table keeps its last step."""
    lrs = ", ".join(f"0.{g + 1}" for g in range(8))
    spec = parse_run(f"OneCycleLR(max_lr=1.0, total_steps=10000) lr=[{lrs}] steps=10000")
    reply = build_reply(RunRequest(spec), big_result(noisy=noisy), PNG, command="!run")
    fits_discord(reply.embed)
    assert "10,000" in (reply.embed.description or "")
    assert ("❌ torch stopped with an error" in [f.name for f in reply.embed.fields]) is noisy


def test_a_problem_run_with_long_code_fits_and_attaches_the_code(
    library: ContentLibrary,
) -> None:
    """Code too long for the description is attached as run.py, whole, and the embed fits."""
    request = resolve("steplr-three-epochs", library, "!run")
    decay = "(1.0 + 0.001 * e) / (1.0 + 0.002 * e) * (1.0 - 0.00001 * e)"
    lambdas = ", ".join(f"lambda e: 0.{n + 1} ** (e / 1000) * {decay}" for n in range(8))
    spec = parse_run(f"LambdaLR(lr_lambda=[{lambdas}]) lr=[{', '.join(['0.1'] * 8)}] steps=10000")
    assert len(render_snippet(spec)) > CODE_LIMIT
    long_request = RunRequest(spec, request.problem, {"lr_lambda": "[...]"})
    reply = build_reply(long_request, big_result(noisy=True), PNG, command="!run")
    fits_discord(reply.embed)
    assert reply.code == render_snippet(spec)
    assert f"attached as `{CODE_NAME}`" in (reply.embed.description or "")
    assert "```py" not in (reply.embed.description or "")
    assert [f.filename for f in reply.files()] == [CHART_NAME, CODE_NAME]


def test_a_problem_run_shows_its_changes_code_and_hint(library: ContentLibrary) -> None:
    """The description names the problem and the change, then the exact code in a ```py block."""
    request = resolve("steplr-three-epochs gamma=0.3", library, "!run")
    result = RunResult(groups=((0.1, 0.03, 0.03),), initial=(0.1,))
    reply = build_reply(request, result, PNG, command="!run")
    description = reply.embed.description or ""
    assert description.startswith("Problem `steplr-three-epochs` with `gamma=0.3`.")
    assert f"```py\n{render_snippet(request.spec)}```" in description
    assert reply.code is None
    assert "You can change: step_size, gamma, steps" in (reply.embed.footer.text or "")
    assert [f.filename for f in reply.files()] == [CHART_NAME]


def test_an_expression_run_has_no_code_and_no_footer() -> None:
    """The user wrote the run: the embed shows only the title, table and chart."""
    spec = parse_run("StepLR(step_size=2, gamma=0.5) lr=0.1 steps=3")
    result = RunResult(groups=((0.1, 0.05, 0.05),), initial=(0.1,))
    reply = build_reply(RunRequest(spec), result, PNG, command="!run")
    assert reply.embed.title == "StepLR(step_size=2, gamma=0.5) · SGD(lr=0.1) · 3 steps"
    assert (reply.embed.description or "").startswith("```text\n")
    assert "```py" not in (reply.embed.description or "")
    assert reply.embed.footer.text is None
    assert reply.embed.image.url == f"attachment://{CHART_NAME}"
    assert reply.embed.colour == discord.Colour.blurple()


def test_torchs_notes_are_fields_not_table_rows() -> None:
    """Warnings and the error read as sentences in fields; the table keeps only numbers."""
    spec = parse_run("StepLR(step_size=2) steps=3")
    result = RunResult(
        groups=((0.1,),),
        initial=(0.1,),
        warnings=("Detected call of `lr_scheduler.step()` before `optimizer.step()`.",) * 2,
        error="StepLR divided by zero at step 2.",
    )
    reply = build_reply(RunRequest(spec), result, PNG, command="!run")
    fields = {field.name: field.value for field in reply.embed.fields}
    assert fields["❌ torch stopped with an error"] == (
        "StepLR divided by zero at step 2.\nThe table shows the steps before it."
    )
    warned = fields["⚠️ torch warned"] or ""
    assert warned.count("•") == 1  # the same warning twice is shown once
    assert "error:" not in (reply.embed.description or "")
    assert "warning:" not in (reply.embed.description or "")
    assert reply.embed.colour == discord.Colour.red()


def test_a_long_title_is_clipped() -> None:
    """describe_run of a long lambda is cut to Discord's 256-character title."""
    body = " + ".join(["0.001 * e"] * 40)
    spec = parse_run(f"LambdaLR(lr_lambda=lambda e: 1.0 + {body}) steps=3")
    result = RunResult(groups=((0.1, 0.1, 0.1),), initial=(0.1,))
    reply = build_reply(RunRequest(spec), result, PNG, command="!run")
    assert len(reply.embed.title or "") == 256
    assert (reply.embed.title or "").endswith("…")


def test_files_are_fresh_each_time() -> None:
    """Each call of files() gives new File objects (a File can be sent only once)."""
    spec = parse_run("StepLR(step_size=2) steps=1")
    reply = build_reply(RunRequest(spec), RunResult(((0.1,),), (0.1,)), PNG, command="!run")
    first, second = reply.files(), reply.files()
    assert first[0] is not second[0]
    assert first[0].fp.read() == PNG
    assert second[0].fp.read() == PNG
