"""The redactor masks known secrets and anything shaped like a credential, and nothing else."""

from __future__ import annotations

import base64
import threading

import httpx
import pytest
from pydantic import SecretStr

from facturino_verify.checks import CheckFailed, remedies
from facturino_verify.checks.base import shorten
from facturino_verify.checks.http import expect_status
from facturino_verify.clients.errors import ProtocolFailure, url_password, without_fragments
from facturino_verify.clients.redis import RedisClient
from facturino_verify.config.model import Redis as RedisConfig
from facturino_verify.redact import MASK, Redactor


def test_known_secret_is_masked_everywhere() -> None:
    redact = Redactor(["db-pass-1234"])
    assert redact("a db-pass-1234 b db-pass-1234") == f"a {MASK} b {MASK}"


def test_longer_secret_containing_a_shorter_one_is_masked_whole() -> None:
    assert Redactor(["abcd", "abcdef12"])("x abcdef12 y") == f"x {MASK} y"


def test_trivially_short_secret_is_not_masked() -> None:
    assert Redactor(["abc", ""])("abc is short") == "abc is short"


def test_secret_added_later_is_masked() -> None:
    redact = Redactor()
    redact.add("late-token-99")
    assert redact("late-token-99") == MASK


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("postgres://user:pass@host:5432/db", f"postgres://user:{MASK}@host:5432/db"),
        (
            "postgresql://verify:s3cr3t@db.internal/facturino?sslmode=require",
            f"postgresql://verify:{MASK}@db.internal/facturino?sslmode=require",
        ),
        ("redis://:pw123@redis:6379/0", f"redis://:{MASK}@redis:6379/0"),
        ("Authorization: Bearer x", f"Authorization: Bearer {MASK}"),
        ("authorization: bearer abc.def-ghi", f"authorization: bearer {MASK}"),
        ("Authorization: Basic dXNlcjpwYXNz", f"Authorization: Basic {MASK}"),
        ("Cookie: facturino_session=abc; XSRF-TOKEN=def", f"Cookie: {MASK}"),
        ("Set-Cookie: XSRF-TOKEN=eyJ; path=/; secure", f"Set-Cookie: {MASK}"),
        ("password=hunter2", f"password={MASK}"),
        (
            "login with password=hunter2&email=a@b.example",
            f"login with password={MASK}&email=a@b.example",
        ),
        ("password: hunter2", f"password: {MASK}"),
        ("token=abc123", f"token={MASK}"),
        ("APP_KEY=base64:kgk/4DW1vEV=", f"APP_KEY={MASK}"),
        ('{"X-XSRF-TOKEN": "tok123"}', f'{{"X-XSRF-TOKEN": "{MASK}"}}'),
        (
            "Application key [base64:Y2FuYXJ5LWFwcC1rZXktM2M1ZTdhOWIxZDJmNGE2Yzg=] set",
            f"Application key [base64:{MASK}] set",
        ),
    ],
    ids=[
        "dsn",
        "dsn_with_query",
        "redis_url",
        "bearer",
        "bearer_lowercase",
        "basic",
        "cookie",
        "set_cookie",
        "password_eq",
        "password_in_query",
        "password_colon",
        "token",
        "app_key",
        "xsrf_header_json",
        "laravel_key_anywhere",
    ],
)
def test_credential_shaped_text_is_masked(text: str, masked: str) -> None:
    assert Redactor()(text) == masked


@pytest.mark.parametrize("text", ["DB_PASSWORD=hunter2", "REDIS_PASSWORD: hunter2"])
def test_password_in_env_variable_line_is_masked(text: str) -> None:
    assert "hunter2" not in Redactor()(text)


@pytest.mark.parametrize(
    "text",
    [
        '{"email": "a@b.example", "password": "hunter2"}',
        "{'password': 'hunter2'}",
        "{'Authorization': 'Bearer hunter2'}",
    ],
    ids=["json_password", "dict_password", "dict_authorization"],
)
def test_credential_under_quoted_key_is_masked(text: str) -> None:
    assert "hunter2" not in Redactor()(text)


def test_masking_twice_changes_nothing_more() -> None:
    redact = Redactor(["db-pass-1234"])
    once = redact("password=db-pass-1234 Authorization: Bearer t0k postgres://u:p@h")
    assert redact(once) == once


def check_failure_text() -> str:
    response = httpx.Response(
        500,
        text="Server Error",
        request=httpx.Request("GET", "https://facturino.example:8443/health"),
    )
    try:
        expect_status(response, 200, "GET /health answers 200", remedies.HEALTH)
    except CheckFailed as failure:
        return str(failure)
    raise AssertionError("the check should have failed")


@pytest.mark.parametrize(
    "text",
    [
        "GET https://localhost:18443/up → 200: Application up",
        "user@example.com wrote to https://a.example:8443/path",
        "the session cookie has the secure flag",
        "cookie facturino_session has httponly set\n  expected: httponly set",
        "a secret written as a literal value; the token is missing",
        check_failure_text(),
        remedies.APP_KEY,
        remedies.COOKIES,
    ],
    ids=[
        "url_with_port",
        "email",
        "cookie_prose",
        "cookie_claim",
        "secret_prose",
        "check_failure",
        "app_key_remedy",
        "cookie_remedy",
    ],
)
def test_harmless_text_is_unchanged(text: str) -> None:
    assert Redactor(["db-pass-1234"])(text) == text


@pytest.mark.parametrize(
    "shown",
    [
        "p=canary%2Fsecret%3D1",  # percent-encoded (uppercase hex)
        "p=canary%2fsecret%3d1",  # percent-encoded (lowercase hex)
        "p=canary%2Fsecret%3D1".replace("%2F", "/").replace("%3D", "%3D"),
        '{"pw": "canary/secret=1"}',
        "echo " + base64.b64encode(b"canary/secret=1").decode(),
        "token " + base64.b64encode(b"user:canary/secret=1\n").decode(),
        "a " + base64.urlsafe_b64encode(b"xy canary/secret=1 z").decode(),
    ],
    ids=["percent", "percent-lower", "mixed", "json", "base64", "base64-inside", "urlsafe"],
)
def test_a_known_secret_is_masked_in_any_encoding(shown: str) -> None:
    masked = Redactor(["canary/secret=1"])(shown)
    assert "canary" not in masked and "Y2FuYXJ5L3NlY3JldD0x" not in masked, masked
    for encoded in (base64.b64encode(b"canary/secret=1").decode()[:12],):
        assert encoded not in masked


def test_a_secret_an_excerpt_cut_off_is_masked() -> None:
    text = "DATABASE_URL=postgresql://verify:canary-db-7f3a9c1e@db/facturino"
    excerpt = shorten(f"/.env served: {text}", 48)
    assert excerpt.endswith("…")
    assert "canary-d" not in Redactor(["canary-db-7f3a9c1e"])(excerpt)


def test_shorten_masks_credential_shapes_before_cutting() -> None:
    # Cut inside the password: a pattern could no longer see it was one.
    excerpt = shorten("[remote] url = https://bot:ghp_canarytoken123456@github.com/x.git", 40)
    assert "ghp_cana" not in excerpt


def test_pieces_of_a_password_a_driver_quoted_are_masked() -> None:
    text = "failed to resolve host 'ss-canary@h': Servname not supported"
    assert without_fragments(text, "pa/ss-canary") == (
        f"failed to resolve host '{MASK}@h': Servname not supported"
    )
    assert url_password("redis://:pa/ss-canary@127.0.0.1:6379/0") == "pa/ss-canary"


def test_a_redis_url_with_an_unencoded_slash_fails_without_its_password() -> None:
    """Loading refuses such a URL (tests/config_cases/redis_url_unencoded_password.toml); a
    config built in code skips that, and the client's boundary still holds."""
    url = SecretStr("redis://:pa55/word-canary@127.0.0.1:6379/0")
    with pytest.raises(ValueError) as refused:
        RedisConfig(url=url)
    assert "word-canary" not in str(refused.value) and "pa55" not in str(refused.value)
    config = RedisConfig.model_construct(url=url)
    with pytest.raises(ProtocolFailure) as caught:
        RedisClient(config).ping(0)
    assert "word-canary" not in str(caught.value) and "pa55" not in str(caught.value)
    assert "percent-encode" in str(caught.value)


@pytest.mark.parametrize(
    "hostile",
    ["a." * 200_000, "a-" * 200_000, "q" * 400_000 + " 100%", "%4" * 200_000, "a://b:" * 70_000],
    ids=["dots", "dashes", "long_token_and_percent", "percent_runs", "schemes"],
)
def test_redaction_ends_on_hostile_text_a_target_can_serve(hostile: str) -> None:
    """A hang guard, not a speed test: these took quadratic time (40 KB of "a." 13 s, so these
    400 KB about 20 minutes), and every report of a run passes through the redactor."""
    done: list[str] = []
    worker = threading.Thread(target=lambda: done.append(Redactor(["pw-canary"])(hostile)))
    worker.daemon = True
    worker.start()
    worker.join(60)
    assert done == [hostile], "the redactor did not finish within 60 s"
