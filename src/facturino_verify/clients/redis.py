"""Redis client (redis-py): Facturino's DB numbers and key prefixes, timeouts on every call."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from ..config.model import Redis as RedisConfig
from .errors import (
    AuthFailure,
    ConnectionRefused,
    DnsFailure,
    ProtocolFailure,
    TimedOut,
    url_password,
    without_fragments,
)

if TYPE_CHECKING:
    import redis

T = TypeVar("T")
RUNNER_KEYS = b"facturino_verify:"  # what every key the suite itself writes carries


class HeldRedis:
    """An open client whose errors are mapped as :class:`RedisClient` maps them."""

    def __init__(self, client: redis.Redis, mapped: Callable[[], AbstractContextManager[None]]):
        self._client, self._mapped = client, mapped

    def call(self, action: Callable[[redis.Redis], T]) -> T:
        with self._mapped():
            return action(self._client)


class RedisClient:
    """One short-lived connection per question, to the DB each question is about."""

    def __init__(self, config: RedisConfig) -> None:
        self._config = config
        self.what = f"Redis {config.host}:{config.port}" if config.host else "Redis (url)"

    def _open(self, db: int) -> redis.Redis:
        # redis-py (with its asyncio client) is imported where a probe first connects, in the
        # probe's thread: a run that never reaches Redis does not pay for it at start-up.
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        c = self._config
        common: dict[str, Any] = {
            "socket_connect_timeout": c.connect_timeout,
            "socket_timeout": c.read_timeout,
            # No silent driver retries: retrying is the plugin's decision, and it is reported.
            "retry": Retry(NoBackoff(), 0),
            "decode_responses": False,
        }
        if c.url is not None:
            return redis.Redis.from_url(c.url.get_secret_value(), db=db, **common)
        password = c.password.get_secret_value() if c.password else None
        return redis.Redis(
            host=c.host or "",
            port=c.port,
            db=db,
            username=c.username,
            password=password,
            ssl=c.tls,
            **common,
        )

    def _scrubbed(self, error: Exception) -> str:
        """The driver's message without any piece of the configured password."""
        c = self._config
        url = c.url.get_secret_value() if c.url else ""
        password = c.password.get_secret_value() if c.password else ""
        return without_fragments(str(error), password, url_password(url))

    @contextmanager
    def _mapped(self) -> Iterator[None]:
        import redis

        try:
            yield
        except redis.AuthenticationError as error:
            raise AuthFailure(self.what, self._scrubbed(error), "check [redis] password") from None
        except redis.TimeoutError as error:
            raise TimedOut(self.what, self._scrubbed(error) or "no answer in time") from None
        except (ValueError, TypeError) as error:
            # redis-py parsing [redis] url: its message quotes the URL's pieces.
            raise ProtocolFailure(
                self.what,
                f"[redis] url could not be used: {self._scrubbed(error)}",
                "percent-encode reserved characters (/ : @ ? #) in the URL's password",
            ) from None
        except redis.ConnectionError as error:
            text = self._scrubbed(error)
            if "name or service not known" in text.lower():
                raise DnsFailure(self.what, text, "check [redis] host") from None
            raise ConnectionRefused(self.what, text, "is Redis running and reachable?") from None
        except redis.RedisError as error:
            raise ProtocolFailure(self.what, self._scrubbed(error)) from None

    def call(self, db: int, action: Callable[[redis.Redis], T]) -> T:
        with self._mapped():
            client = self._open(db)
            try:
                return action(client)
            finally:
                client.close()

    def ping(self, db: int) -> bool:
        return bool(self.call(db, lambda r: r.ping()))

    def cache_key(self, name: str) -> str:
        """Laravel ≥ 11 joins the prefixes without a separator (contract §3.2)."""
        return f"{self._config.prefix}{self._config.cache_prefix}{name}"

    def round_trip(
        self, name: str, value: bytes, ttl_seconds: int = 60
    ) -> tuple[bytes | None, int]:
        """SET, GET and DEL ``name`` in the cache DB (the runbook's ``Cache::put`` check).

        Returns what was read back and whether the key still exists after the delete (0 or 1);
        the TTL bounds the key's life even if the delete never arrives.
        """

        def act(r: redis.Redis) -> tuple[bytes | None, int]:
            key = self.cache_key(name)
            r.set(key, value, ex=ttl_seconds)
            try:
                read = r.get(key)
                read = read.encode() if isinstance(read, str) else read
            finally:
                r.delete(key)
            return read, int(r.exists(key))

        return self.call(self._config.cache_db, act)

    def app_keys(self, db: int, limit: int = 100) -> int:
        """How many keys (up to ``limit``) lie under the app's cache prefix in ``db``: what
        Laravel's Redis cache store and session driver write (read-only SCAN; the names are
        never returned, session ids are credentials)."""

        def act(r: redis.Redis) -> int:
            found = 0
            for key in r.scan_iter(match=self.cache_key("*"), count=1000):
                if RUNNER_KEYS in key:  # the smoke round trip's own key is not the app's
                    continue
                found += 1
                if found >= limit:
                    break
            return found

        return self.call(db, act)

    @contextmanager
    def held(self, db: int) -> Iterator[HeldRedis]:
        """One connection for a burst of questions (a fast poll must not reconnect per look)."""
        with self._mapped():
            client = self._open(db)
        try:
            yield HeldRedis(client, self._mapped)
        finally:
            client.close()

    def queue_db(self) -> int:
        return self._config.queue_db

    def queue_key(self, queue: str, part: str = "") -> str:
        """``{prefix}queues:{q}`` and its ``:reserved`` / ``:delayed`` sorted sets."""
        return f"{self._config.prefix}queues:{queue}" + (f":{part}" if part else "")
