"""A throwaway PostgreSQL cluster for tests: initdb in a temporary directory, the server listening only
on a Unix socket in that directory (no TCP at all), run as an unprivileged user (``nobody`` when the
tests run as root, as CI does), stopped and removed on exit. libpq is reached through ctypes, so the
tests need no Python driver."""
import ctypes
import ctypes.util
import os
import shutil
import subprocess
import tempfile

PG_BIN = os.environ.get("ORDERCORE_PG_BIN") or next(
    (d for d in ("/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin")
     if os.path.exists(os.path.join(d, "initdb"))), os.path.dirname(shutil.which("initdb") or "/usr/bin/initdb"))

CONNECTION_OK, PGRES_COMMAND_OK, PGRES_TUPLES_OK = 0, 1, 2
PG_DIAG_SQLSTATE = ord("C")


def available():
    """Why a cluster cannot start here (None: it can)."""
    if not os.path.exists(os.path.join(PG_BIN, "initdb")):
        return f"no initdb in {PG_BIN} (apt-get install postgresql)"
    if not ctypes.util.find_library("pq"):
        return "no libpq (apt-get install libpq-dev)"
    return None


def _libpq():
    pq = ctypes.CDLL(ctypes.util.find_library("pq"))
    pq.PQconnectdb.restype = ctypes.c_void_p
    pq.PQconnectdb.argtypes = [ctypes.c_char_p]
    pq.PQstatus.argtypes = [ctypes.c_void_p]
    pq.PQerrorMessage.restype = ctypes.c_char_p
    pq.PQerrorMessage.argtypes = [ctypes.c_void_p]
    pq.PQexec.restype = ctypes.c_void_p
    pq.PQexec.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    pq.PQprepare.restype = ctypes.c_void_p
    pq.PQprepare.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_void_p]
    pq.PQresultStatus.argtypes = [ctypes.c_void_p]
    pq.PQresultErrorMessage.restype = ctypes.c_char_p
    pq.PQresultErrorMessage.argtypes = [ctypes.c_void_p]
    pq.PQresultErrorField.restype = ctypes.c_char_p
    pq.PQresultErrorField.argtypes = [ctypes.c_void_p, ctypes.c_int]
    pq.PQclear.argtypes = [ctypes.c_void_p]
    pq.PQntuples.argtypes = [ctypes.c_void_p]
    pq.PQgetvalue.restype = ctypes.c_char_p
    pq.PQgetvalue.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
    pq.PQfinish.argtypes = [ctypes.c_void_p]
    return pq


class Connection:
    """One libpq connection; `run` and `prepare` return None or (sqlstate, message)."""

    def __init__(self, conninfo):
        self.pq = _libpq()
        self.conn = self.pq.PQconnectdb(conninfo.encode())
        if self.pq.PQstatus(self.conn) != CONNECTION_OK:
            raise RuntimeError(self.pq.PQerrorMessage(self.conn).decode())

    def _outcome(self, result):
        try:
            if self.pq.PQresultStatus(result) in (PGRES_COMMAND_OK, PGRES_TUPLES_OK):
                return None
            state = self.pq.PQresultErrorField(result, PG_DIAG_SQLSTATE)
            return (state.decode() if state else "?", self.pq.PQresultErrorMessage(result).decode().strip())
        finally:
            self.pq.PQclear(result)

    def run(self, sql):
        return self._outcome(self.pq.PQexec(self.conn, sql.encode()))

    def count(self, sql):
        """The number of rows a query returns."""
        return self._query(sql, self.pq.PQntuples)

    def value(self, sql):
        """The first column of the first row a query returns, as text (None when it returns none)."""
        return self._query(sql, lambda r: self.pq.PQgetvalue(r, 0, 0).decode() if self.pq.PQntuples(r) else None)

    def _query(self, sql, read):
        result = self.pq.PQexec(self.conn, sql.encode())
        try:
            if self.pq.PQresultStatus(result) != PGRES_TUPLES_OK:
                raise RuntimeError(self.pq.PQresultErrorMessage(result).decode())
            return read(result)
        finally:
            self.pq.PQclear(result)

    def prepare(self, sql):
        return self._outcome(self.pq.PQprepare(self.conn, b"", sql.encode(), 0, None))

    def close(self):
        self.pq.PQfinish(self.conn)


class Cluster:
    """A server in a directory of its own. With `primary` (a running Cluster), a streaming standby of it named
    `name` (`application_name`, as `synchronous_standby_names` lists it), copied with pg_basebackup.
    `settings`: more server settings (`-c name=value`). With `tcp`, it also listens on loopback (127.0.0.1,
    the port `port`), and `uri` names it there."""

    def __init__(self, max_connections=100, settings=None, primary=None, name=None, tcp=False):
        self.max_connections = max_connections
        self.tcp = tcp
        self.settings = settings or {}
        self.primary, self.name = primary, name

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="ordercore-pg-")
        self.data = os.path.join(self.dir, "data")
        # Only a Unix socket in a directory of its own: the port just names the socket file.
        self.port = 5432 + os.getpid() % 20000
        self.prefix = []
        if os.geteuid() == 0:
            os.chmod(self.dir, 0o755)
            shutil.chown(self.dir, "nobody", "nogroup")
            self.prefix = ["runuser", "-u", "nobody", "--"]
        if self.primary:
            source = self.primary.conninfo()
            self._run("pg_basebackup", "-D", self.data, "-d", source, "-R", "-X", "stream", "--no-sync")
            with open(os.path.join(self.data, "postgresql.auto.conf"), "a") as conf:
                conf.write(f"primary_conninfo = '{source} application_name={self.name}'\n")
        else:
            self._run("initdb", "-D", self.data, "-U", "ordercore", "--auth=trust", "--no-sync", "-E", "UTF8",
                      "--locale=C")
        self.start()
        return self

    def start(self):
        settings = "".join(f" -c {k}={v}" for k, v in self.settings.items())
        self._run("pg_ctl", "-D", self.data, "-w", "-l", os.path.join(self.dir, "server.log"), "-o",
                  f"-c listen_addresses='{'127.0.0.1' if self.tcp else ''}' -k {self.dir} -p {self.port} -c fsync=off "
                  f"-c max_connections={self.max_connections}{settings}", "start")

    def stop(self, mode="fast"):
        self._run("pg_ctl", "-D", self.data, "-w", "-m", mode, "stop")

    def promote(self):
        self._run("pg_ctl", "-D", self.data, "-w", "promote")

    def _run(self, program, *args):
        subprocess.run(self.prefix + [os.path.join(PG_BIN, program), *args], check=True, cwd=self.dir,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def uri(self, database):
        """The URI the engine opens `database` by: over loopback TCP with `tcp`, else the Unix socket."""
        if self.tcp:
            return f"postgresql://ordercore@127.0.0.1:{self.port}/{database}"
        return f"postgresql://ordercore@/{database}?host={self.dir}&port={self.port}"

    def conninfo(self, database="postgres"):
        return f"host={self.dir} port={self.port} user=ordercore dbname={database}"

    def connect(self, database="postgres"):
        return Connection(self.conninfo(database))

    def __exit__(self, *exc):
        try:
            if os.path.exists(os.path.join(self.data, "postmaster.pid")):
                self.stop("immediate")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
