"""A throwaway PostgreSQL cluster for the tests: started once per session on a loopback port.

``HUBBUB_TEST_POSTGRES_URL`` (a server URL whose user may create databases) is used when
set; otherwise the server binaries of Debian's ``postgresql`` package
(``/usr/lib/postgresql/*/bin``, or ``initdb`` on the ``PATH``) run a new cluster in a
temporary folder. PostgreSQL refuses to run as root, so as root the cluster runs as the
``nobody`` user. Durability is switched off (``fsync=off``): the data is thrown away.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

#: the environment variable naming an existing server to test against
URL_VARIABLE = "HUBBUB_TEST_POSTGRES_URL"


def find_binaries() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``, newest version first; ``None`` if absent."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
        reverse=True,
    )
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A running server: ``url`` reaches its ``postgres`` database as a user who creates databases."""

    url: str
    #: a migrated database that new test databases copy (set by the session fixture)
    template: str = ""
    _free: list[str] = field(default_factory=list)
    _version: str = ""

    def database_url(self, name: str) -> str:
        """The URL of database ``name`` on this server."""
        return self.url.rsplit("/", 1)[0] + "/" + name

    def execute(self, *statements: str) -> None:
        """Run statements in autocommit mode on the ``postgres`` database."""
        import psycopg

        with psycopg.connect(_libpq(self.url), autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)

    def create_database(self, template: str | None = None) -> str:
        """A new, empty database (or a copy of ``template``); returns its URL.

        ``FILE_COPY`` (PostgreSQL 15+) copies the template's files, faster than the
        default for a small template.
        """
        name = f"t_{uuid.uuid4().hex[:16]}"
        clause = f"TEMPLATE {template or 'template0'}"
        try:
            self.execute(f"CREATE DATABASE {name} {clause} STRATEGY FILE_COPY")
        except Exception:  # an older server has no STRATEGY
            self.execute(f"CREATE DATABASE {name} {clause}")
        return self.database_url(name)

    def acquire(self) -> str:
        """A migrated, empty database: a released one emptied again, or a new copy of
        :attr:`template` (creating a database costs far more than emptying one)."""
        return self._free.pop() if self._free else self.create_database(template=self.template)

    def release(self, url: str) -> None:
        """Empty a database from :meth:`acquire` for the next test (or drop it if that fails)."""
        import psycopg

        try:
            with psycopg.connect(_libpq(url), autocommit=True) as conn:
                version = conn.execute("SELECT version_num FROM alembic_version").fetchone()
                if version is None or version[0] != self._template_version():
                    raise psycopg.Error("the schema was changed")
                tables = [
                    row[0]
                    for row in conn.execute(
                        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                        "AND tablename <> 'alembic_version'"
                    )
                ]
                conn.execute(
                    "TRUNCATE " + ", ".join(f'"{name}"' for name in tables) + " RESTART IDENTITY"
                )
        except psycopg.Error:
            self.drop_database(url)
            return
        self._free.append(url)

    def _template_version(self) -> str:
        if not self._version:
            import psycopg

            with psycopg.connect(_libpq(self.database_url(self.template))) as conn:
                self._version = conn.execute("SELECT version_num FROM alembic_version").fetchone()[
                    0
                ]
        return self._version

    def drop_all(self) -> None:
        """Drop the template and the emptied databases (on a server the tests do not own)."""
        for url in self._free:
            self.drop_database(url)
        self._free.clear()
        if self.template:
            self.drop_database(self.database_url(self.template))

    def drop_database(self, url: str) -> None:
        """Drop the database ``url`` names, closing its connections."""
        name = url.rsplit("/", 1)[1]
        self.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _libpq(url: str) -> str:
    """A SQLAlchemy URL as libpq takes it."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@contextlib.contextmanager
def running_server() -> Iterator[Server | str]:
    """A :class:`Server`, or a string saying why there is none (the tests then skip)."""
    given = os.environ.get(URL_VARIABLE)
    if given:
        server = Server(given.replace("postgresql://", "postgresql+psycopg://", 1))
        try:
            yield server
        finally:
            server.drop_all()  # leave the server as it was
        return
    binaries = find_binaries()
    if binaries is None:
        yield "no PostgreSQL server binaries (install Debian's postgresql package)"
        return
    root = Path(tempfile.mkdtemp(prefix="hubbub-pg-"))
    data = root / "data"
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "nobody")
        as_user = ["runuser", "-u", "nobody", "--"]
    port = _free_port()
    log = root / "server.log"
    try:
        subprocess.run(
            [*as_user, str(binaries / "initdb"), "-D", str(data), "-U", "postgres",
             "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
            check=True, capture_output=True,
        )  # fmt: skip
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200 -c shared_buffers=128MB"
        )
        subprocess.run(
            [*as_user, str(binaries / "pg_ctl"), "-D", str(data), "-l", str(log),
             "-o", options, "-w", "-t", "60", "start"],
            check=True, capture_output=True,
        )  # fmt: skip
    except (subprocess.CalledProcessError, OSError) as error:
        detail = getattr(error, "stderr", b"") or b""
        shutil.rmtree(root, ignore_errors=True)
        yield f"the PostgreSQL test cluster did not start: {error} {detail.decode()[-300:]}"
        return
    try:
        yield Server(f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres")
    finally:
        subprocess.run(
            [*as_user, str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        deadline = time.monotonic() + 10
        while (data / "postmaster.pid").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        shutil.rmtree(root, ignore_errors=True)
