"""The weekly restore drill on a MySQL dump: a throwaway MariaDB of its own (own data
directory, Unix socket only, removed afterwards) restores spatie's gzipped ``mysql-*.sql`` and
is read back with the MySQL dialect."""

from __future__ import annotations

import gzip
import os
import zipfile
from pathlib import Path

import pytest

from facturino_verify.clients import opsdb
from facturino_verify.clients.mysqlrestore import ThrowawayMariaDB
from facturino_verify.clients.restore import (
    RestoreFailed,
    ThrowawayPostgres,
    restore,
    throwaway_for,
)

ENTRY = "db-dumps/mysql-facturino.sql.gz"
# What mysqldump writes (spatie's MySql dumper): version-gated settings, then per table.
DUMP = b"""/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!40101 SET NAMES utf8mb4 */;
/*!40103 SET TIME_ZONE='+00:00' */;
/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;
DROP TABLE IF EXISTS `migrations`;
CREATE TABLE `migrations` (
  `id` int unsigned NOT NULL AUTO_INCREMENT,
  `migration` varchar(255) NOT NULL,
  `batch` int NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
LOCK TABLES `migrations` WRITE;
INSERT INTO `migrations` VALUES (1,'2014_10_12_000000_create_users_table',1),\
(2,'2026_08_18_000001_make_audit_logs_company_id_nullable',2);
UNLOCK TABLES;
DROP TABLE IF EXISTS `invoices`;
CREATE TABLE `invoices` (
  `id` bigint unsigned NOT NULL AUTO_INCREMENT,
  `invoice_number` varchar(255) DEFAULT NULL,
  `status` varchar(255) NOT NULL,
  `total` bigint unsigned NOT NULL,
  `notes` text,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
"""


def _zip(tmp_path: Path, sql: bytes, damage: bool = False) -> Path:
    packed = gzip.compress(sql)
    if damage:
        middle = len(packed) // 2
        flipped = bytes(b ^ 0xFF for b in packed[middle : middle + 16])
        packed = packed[:middle] + flipped + packed[middle + 16 :]
    archive = tmp_path / ("bad.zip" if damage else "dump.zip")
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr(ENTRY, packed)
    return archive


def test_a_mysql_dump_is_restored_into_a_throwaway_mariadb_and_is_read_back(
    tmp_path: Path,
) -> None:
    rows = b"".join(
        b"INSERT INTO `invoices` VALUES (%d,'INV-%d','PAID',%d,'line\\none');\n" % (i, i, i * 100)
        for i in range(1, 2001)
    )
    server = throwaway_for(ENTRY, None)
    assert isinstance(server, ThrowawayMariaDB)
    with server:
        root = server.root
        assert restore(server, _zip(tmp_path, DUMP + rows), ENTRY, 60) == []
        counts = opsdb.row_counts(server.rows, ["migrations", "invoices", "users"], server.dialect)
        assert counts == {"migrations": 2, "invoices": 2000, "users": None}
        newest = server.records("SELECT id, invoice_number, total FROM invoices ORDER BY id DESC")
        assert newest[0] == {"id": 2000, "invoice_number": "INV-2000", "total": 200000}
        # Unix socket only: the server listens on no TCP port.
        ((networking,),) = server.rows("SELECT @@skip_networking")
        assert networking == 1 and server.socket.is_socket()
        with pytest.raises(RestoreFailed, match="damaged"):
            restore(server, _zip(tmp_path, DUMP + rows, damage=True), ENTRY, 60)
        with pytest.raises(RestoreFailed, match=r"mariadb exited 1: .*syntax"):
            restore(server, _zip(tmp_path, b"CREATE TABLE x (;\n"), ENTRY, 60)
    assert not root.exists()


def test_a_postgresql_dump_still_goes_to_a_throwaway_postgres() -> None:
    assert isinstance(
        throwaway_for("db-dumps/postgresql-facturino.sql.gz", None), ThrowawayPostgres
    )


def test_the_throwaway_mariadb_runs_as_mysql_when_root() -> None:
    if os.geteuid() != 0:
        pytest.skip("only root hands the server to the mysql user")
    with ThrowawayMariaDB() as server:
        ((user,),) = server.rows("SELECT CURRENT_USER()")
        assert user == "root@localhost" and server.root.stat().st_uid != 0
