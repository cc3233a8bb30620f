"""Valid environment files: overrides, ``${VAR}`` interpolation, anchored paths, secrets and the
values derived from the file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from facturino_verify.config import ConfigError, Environment, load_environment
from facturino_verify.config.model import HSTS
from facturino_verify.plugin.capabilities import missing_capabilities

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = '[target]\nurl = "https://facturino.example"\n'
WITH_DATABASE = MINIMAL + (
    '\n[database]\nhost = "db.example"\nname = "facturino"\nuser = "verify"\n'
    'password = "${FACTURINO_TEST_DB_PASSWORD}"\nnewest_migration = "2026_01_01_000000_x"\n'
)


@pytest.fixture
def env_file(tmp_path: Path) -> Path:
    return tmp_path / "demo.toml"


def load(path: Path, text: str, **environ: str) -> Environment:
    path.write_text(text)
    return load_environment(path, environ=environ)


def test_minimal_file_is_valid_and_named_after_its_file(env_file: Path) -> None:
    env = load(env_file, MINIMAL)
    assert (env.name, env.target.url, env.database) == ("demo", "https://facturino.example", None)


def test_trailing_slash_is_dropped_from_target_url(env_file: Path) -> None:
    assert load(env_file, MINIMAL.replace('example"', 'example/"')).target.url == (
        "https://facturino.example"
    )


def test_env_var_overrides_target_url(env_file: Path) -> None:
    env = load(env_file, MINIMAL, FACTURINO_VERIFY__TARGET__URL="https://override.example")
    assert env.target.url == "https://override.example"


def test_env_var_override_is_parsed_as_toml_scalar(env_file: Path) -> None:
    env = load(
        env_file,
        MINIMAL,
        FACTURINO_VERIFY__TARGET__CONNECT_TIMEOUT="7.5",
        FACTURINO_VERIFY__ALLOW__WRITES="true",
        FACTURINO_VERIFY__EXPECT__TLS__MIN_DAYS_VALID="30",
    )
    assert (env.target.connect_timeout, env.allow.writes, env.expect.tls.min_days_valid) == (
        7.5,
        True,
        30,
    )


def test_env_var_override_keeps_other_keys_of_the_section(env_file: Path) -> None:
    env = load(
        env_file,
        MINIMAL + "read_timeout = 4.0\n",
        FACTURINO_VERIFY__TARGET__URL="https://o.example",
    )
    assert env.target.read_timeout == 4.0


def test_env_var_override_of_unknown_key_is_validated(env_file: Path) -> None:
    with pytest.raises(ConfigError, match=r"unknown key 'urll'\. Did you mean 'url'\?"):
        load(env_file, MINIMAL, FACTURINO_VERIFY__TARGET__URLL="https://o.example")


def test_env_var_override_naming_no_key_is_config_error(env_file: Path) -> None:
    with pytest.raises(ConfigError, match=r"FACTURINO_VERIFY__ names no key"):
        load(env_file, MINIMAL, FACTURINO_VERIFY__="x")


@pytest.mark.parametrize("secret", ["20250917", "pa${ss"])
def test_overridden_secret_never_appears_in_config_error(env_file: Path, secret: str) -> None:
    try:
        env = load(
            env_file,
            WITH_DATABASE,
            FACTURINO_TEST_DB_PASSWORD="x",
            FACTURINO_VERIFY__DATABASE__PASSWORD=secret,
        )
    except ConfigError as error:
        assert secret not in str(error)
    else:
        assert env.database and env.database.password
        assert env.database.password.get_secret_value() == secret


def test_reference_default_is_used_when_variable_unset(env_file: Path) -> None:
    env = load(
        env_file,
        MINIMAL.replace(
            '"https://facturino.example"', '"${FACTURINO_TEST_URL:-https://d.example}"'
        ),
    )
    assert env.target.url == "https://d.example"


def test_reference_variable_wins_over_default(env_file: Path) -> None:
    text = MINIMAL.replace(
        '"https://facturino.example"', '"${FACTURINO_TEST_URL:-https://d.example}"'
    )
    assert (
        load(env_file, text, FACTURINO_TEST_URL="https://v.example").target.url
        == "https://v.example"
    )


def test_reference_is_substituted_inside_a_longer_string(env_file: Path) -> None:
    text = MINIMAL + 'login_path = "/${FACTURINO_TEST_PREFIX:-admin}/login"\n'
    assert load(env_file, text, FACTURINO_TEST_PREFIX="team").target.login_path == "/team/login"


def test_relative_ca_file_is_anchored_at_the_file_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "envs" / "tls").mkdir(parents=True)
    (tmp_path / "envs" / "tls" / "ca.pem").write_text("a CA\n")
    monkeypatch.chdir(tmp_path)  # not the file's directory
    env = load(tmp_path / "envs" / "demo.toml", MINIMAL + 'ca_file = "tls/ca.pem"\n')
    assert env.target.ca_file == tmp_path / "envs" / "tls" / "ca.pem"


def test_absolute_ca_file_is_kept(env_file: Path, tmp_path: Path) -> None:
    ca = tmp_path / "elsewhere" / "ca.pem"
    ca.parent.mkdir()
    ca.write_text("a CA\n")
    env = load(env_file, MINIMAL + f'ca_file = "{ca}"\n')
    assert env.target.ca_file == ca


def test_relative_migrations_manifest_is_anchored_at_the_file_directory(tmp_path: Path) -> None:
    (tmp_path / "manifests").mkdir()
    (tmp_path / "manifests" / "release.txt").write_text("2026_01_01_000000_x\n")
    (tmp_path / "envs").mkdir()
    text = WITH_DATABASE + 'migrations_manifest = "../manifests/release.txt"\n'
    env = load(tmp_path / "envs" / "demo.toml", text, FACTURINO_TEST_DB_PASSWORD="pw-1234")
    assert (
        env.database and env.database.migrations_manifest == tmp_path / "manifests" / "release.txt"
    )


def test_secrets_are_secret_str_and_never_in_repr(env_file: Path) -> None:
    env = load(env_file, WITH_DATABASE, FACTURINO_TEST_DB_PASSWORD="pw-canary-123")
    assert env.database and env.database.password
    assert env.database.password.get_secret_value() == "pw-canary-123"
    assert "pw-canary-123" not in repr(env) + str(env) + env.model_dump_json()


def test_secret_reference_with_default_is_accepted(env_file: Path) -> None:
    env = load(env_file, WITH_DATABASE.replace("PASSWORD}", "PASSWORD:-throwaway}"))
    assert env.database and env.database.password
    assert env.database.password.get_secret_value() == "throwaway"


def test_secret_partly_written_literally_is_rejected(env_file: Path) -> None:
    with pytest.raises(ConfigError, match=r"\[database\] password: a secret written as a literal"):
        load(
            env_file,
            WITH_DATABASE.replace('"${FACTURINO', '"prefix-${FACTURINO'),
            FACTURINO_TEST_DB_PASSWORD="pw",
        )


@pytest.mark.parametrize(
    ("extra", "cookie"),
    [
        ("", "facturino_session"),
        ('[app]\nname = "Facturino Pro!"\n', "facturino_pro_session"),
        ('[expect.cookies]\nsession_name = "custom_session"\n', "custom_session"),
    ],
    ids=["default_app_name", "slug_of_app_name", "configured"],
)
def test_session_cookie_name_follows_laravel_or_config(
    env_file: Path, extra: str, cookie: str
) -> None:
    assert load(env_file, MINIMAL + extra).session_cookie_name == cookie


@pytest.mark.parametrize(
    ("extra", "hsts"),
    [
        ("", HSTS),
        ('[app]\nenv = "staging"\n', None),
        ('[expect]\nhsts = ""\n', None),
        ('[app]\nenv = "staging"\n[expect]\nhsts = "max-age=60"\n', "max-age=60"),
    ],
    ids=["production", "staging", "disabled_explicitly", "configured"],
)
def test_expected_hsts_only_for_production_unless_configured(
    env_file: Path, extra: str, hsts: str | None
) -> None:
    assert load(env_file, MINIMAL + extra).expected_hsts == hsts


def test_plain_http_url_defaults_to_target_host(env_file: Path) -> None:
    env = load(env_file, MINIMAL.replace("example", "example:8443"))
    assert (env.target.host, env.target.port, env.target.plain_http_url) == (
        "facturino.example",
        8443,
        "http://facturino.example:8443",
    )


def placeholder(name: str) -> str:
    """A value of the variable's shape: a webhook is a URL."""
    if name.endswith(("_WEBHOOK", "_URL")):
        return f"https://hooks.example/{name.lower()}"
    return f"value-of-{name.lower()}"


@pytest.mark.parametrize(
    "path", sorted((ROOT / "environments").glob("*.toml")), ids=lambda p: p.stem
)
def test_shipped_environment_file_is_valid(path: Path) -> None:
    # Variables without a default are the operator's secrets and host names: give each a value.
    names = set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", path.read_text()))
    # Its shape only: the files it names live on the runner (the reference's CA, /etc/...).
    environ = {name: placeholder(name) for name in names}
    env = load_environment(path, environ=environ, check_files=False)
    assert env.name == path.stem


def test_production_alerts_go_to_the_runbooks_channels() -> None:
    """Runbook "Send alerts to": Slack #facturino-alerts and ops@facturino.mk, secrets as ${VAR}."""
    path = ROOT / "environments" / "prod.toml"
    names = set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", path.read_text()))
    env = load_environment(path, environ={n: placeholder(n) for n in names}, check_files=False)
    notify = env.notify
    assert notify.channels == ["slack", "email"]
    assert notify.slack is not None and notify.slack.channel == "#facturino-alerts"
    assert notify.email is not None and notify.email.to == ("ops@facturino.mk",)
    assert notify.email.tls == "starttls" and "GO" not in notify.on


def test_prod_and_staging_run_mysql_as_the_apps_image_does() -> None:
    """The app's image and its staging example run MySQL (docker-entrypoint.sh,
    .env.staging.example): both shipped environments say so, on MySQL's port."""
    for name in ("prod", "staging"):
        path = ROOT / "environments" / f"{name}.toml"
        names = set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", path.read_text()))
        environ = {n: placeholder(n) for n in names}
        database = load_environment(path, environ=environ, check_files=False).database
        assert database is not None and (database.engine, database.port) == ("mysql", 3306), name


BAKED = "no [queue] connection: the image's baked QUEUE_CONNECTION=database"


@pytest.mark.parametrize(
    ("sections", "uses", "queue_said_by"),
    [
        ({}, set(), BAKED),
        ({"redis": {"host": "r"}}, set(), BAKED),
        (
            {"redis": {"host": "r", "cache_store": "redis", "session_driver": "redis"}},
            {"cache", "sessions"},
            BAKED,
        ),
        (
            {"redis": {"host": "r"}, "queue": {"connection": "redis"}},
            {"queue"},
            "[queue] connection",
        ),
        (
            {"redis": {"host": "r", "queue_connection": "redis"}},
            {"queue"},
            "[redis] queue_connection",
        ),
    ],
    ids=["no_redis", "baked_drivers", "cache_and_sessions", "queue_section", "deprecated_alias"],
)
def test_what_the_app_keeps_in_redis_follows_the_app_drivers(
    sections: dict[str, object], uses: set[str], queue_said_by: str
) -> None:
    env = Environment.model_validate({"target": {"url": "https://x.test"}, **sections})
    assert env.redis_uses == uses
    assert env.queue_connection_said_by == queue_said_by
    deprecated = "queue_connection" in str(sections.get("redis", {}))
    assert bool(env.deprecations) is deprecated


def test_the_deprecated_queue_key_is_named_with_its_replacement_and_may_not_disagree() -> None:
    alias = {
        "target": {"url": "https://x.test"},
        "redis": {"host": "r", "queue_connection": "redis"},
    }
    (note,) = Environment.model_validate(alias).deprecations
    assert note == (
        '[redis] queue_connection is deprecated: write connection = "redis" under [queue] instead'
    )
    same = Environment.model_validate({**alias, "queue": {"connection": "redis"}})
    assert same.queue_connection == "redis"
    with pytest.raises(ValueError, match="disagree: keep \\[queue\\] connection only"):
        Environment.model_validate({**alias, "queue": {"connection": "database"}})


@pytest.mark.parametrize(
    ("metrics", "granted"),
    [
        ('expect = "open"', True),  # the real app: anonymous scrapes work
        ('expect = "auth_required"\ntoken = "${T}"', True),  # a proxy's credentials
        ('expect = "auth_required"', False),  # nothing to read it with
        ('expect = "disabled"\ntoken = "${T}"', False),  # 403: nothing to read
    ],
    ids=["open", "auth_with_token", "auth_without_credentials", "disabled"],
)
def test_metrics_exposition_is_readable_where_open_or_with_credentials(
    env_file: Path, metrics: str, granted: bool
) -> None:
    text = f'[target]\nurl = "https://facturino.example"\n[metrics]\n{metrics}\n'
    missing = missing_capabilities(load(env_file, text, T="secret"))
    assert ("metrics_auth" not in missing) is granted, missing.get("metrics_auth")
    if not granted:
        assert "[metrics] expect" in missing["metrics_auth"]


def test_shipped_local_environment_expects_metrics_open_and_prod_keeps_the_runbook() -> None:
    """local.toml describes the reference (no auth, like the real app); prod and staging keep
    the runbook's "admin auth required" for a proxy in front, and say why in a comment."""
    for name, expect in (
        ("local", "open"),
        ("prod", "auth_required"),
        ("staging", "auth_required"),
    ):
        text = (ROOT / "environments" / f"{name}.toml").read_text()
        section = text.split("[metrics]", 1)[1].split("\n[", 1)[0]
        assert f'expect = "{expect}"' in section, name
        assert "routes/web.php:170" in section, name


WITH_DSN = MINIMAL + (
    '\n[database]\ndsn = "${FACTURINO_TEST_DB_URL}"\nnewest_migration = "2026_01_01_000000_x"\n'
)
ENGINE_CASES = [
    # (the file's extra [database] lines, the DSN, the engine and port the run uses)
    ("", "postgresql://verify:pw@db.example/facturino", "postgresql", 5432),
    ("", "host=db.example dbname=facturino user=verify", "postgresql", 5432),
    ("", "mysql://verify:pw@db.example/facturino", "mysql", 3306),
    ("", "mysql+pymysql://verify:pw@db.example:3307/facturino", "mysql", 3306),
    ('engine = "mysql"\n', "mariadb://verify:pw@db.example/facturino", "mysql", 3306),
    ('engine = "mysql"\nport = 3310\n', "mysql://verify:pw@db.example/f", "mysql", 3310),
]


@pytest.mark.parametrize(("extra", "dsn", "engine", "port"), ENGINE_CASES)
def test_database_engine_follows_the_dsn_scheme_and_the_port_the_engine(
    env_file: Path, extra: str, dsn: str, engine: str, port: int
) -> None:
    env = load(env_file, WITH_DSN + extra, FACTURINO_TEST_DB_URL=dsn)
    assert env.database is not None
    assert (env.database.engine, env.database.port) == (engine, port)


def test_database_engine_defaults_to_postgresql_and_mysql_defaults_to_3306(env_file: Path) -> None:
    pg = load(env_file, WITH_DATABASE, FACTURINO_TEST_DB_PASSWORD="pw").database
    my = load(
        env_file, WITH_DATABASE + 'engine = "mysql"\n', FACTURINO_TEST_DB_PASSWORD="pw"
    ).database
    assert pg is not None and my is not None
    assert (pg.engine, pg.port, my.engine, my.port) == ("postgresql", 5432, "mysql", 3306)


@pytest.mark.parametrize(
    ("extra", "dsn", "message"),
    [
        (
            'engine = "postgresql"\n',
            "mysql://verify:Sup3r-s3cret@db.example/facturino",
            "[database]: dsn's scheme mysql:// says mysql, engine says postgresql"
            " (drop engine or make them agree); fix the value",
        ),
        (
            'engine = "mysql"\n',
            "postgres://verify:Sup3r-s3cret@db.example/facturino",
            "[database]: dsn's scheme postgres:// says postgresql, engine says mysql"
            " (drop engine or make them agree); fix the value",
        ),
        (
            'engine = "mysql"\n',
            "host=db.example dbname=facturino password=Sup3r-s3cret",
            "[database]: a mysql dsn is a URL: mysql://user:password@host:port/name; fix the value",
        ),
        (
            "",
            "mysql://verify:Sup3r/s3cret@db.example/facturino",
            "[database]: the mysql dsn is not a valid URL (is its password percent-encoded?);"
            " fix the value",
        ),
        (
            "",
            "mysql://verify:Sup3r-s3cret@db.example",
            "[database]: a mysql dsn names a host and a database: mysql://user:pw@host:port/name;"
            " fix the value",
        ),
    ],
)
def test_a_dsn_that_contradicts_the_engine_is_a_config_error_without_the_dsn(
    env_file: Path, extra: str, dsn: str, message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load(env_file, WITH_DSN + extra, FACTURINO_TEST_DB_URL=dsn)
    assert str(caught.value) == f"{env_file} {message}"
    assert "s3cret" not in str(caught.value)
