"""`accord team|token|audit` and `--token` on every client command, against `accord serve` with
auth on."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import accord

ADMIN_TOKEN = "cli-admin-" + "0123456789abcdef"
V1 = json.dumps({"type": "record", "name": "C", "fields": [{"name": "id", "type": "string"}]})


def test_teams_tokens_and_audit_from_the_command_line(
    sqlite_database: str, accord_server_factory, tmp_path: Path
) -> None:
    schema = tmp_path / "CUSTOMER_CREATED.avsc"
    schema.write_text(V1)
    with accord_server_factory(sqlite_database, env={"ACCORD_ADMIN_TOKEN": ADMIN_TOKEN}) as server:
        admin = ("--registry", server.url, "--token", ADMIN_TOKEN)
        assert accord("team", "create", "crm", *admin)[0] == 0
        code, token, note = accord("token", "create", "crm", *admin)
        assert code == 0
        token = token.strip()
        assert token.startswith("accord_")
        assert "shown once" in note
        token_id = token.split("_")[1]

        crm = ("--registry", server.url, "--token", token)
        code, _, err = accord("schema", "register", "CUSTOMER_CREATED", str(schema), *crm)
        assert code == 0, err
        code, listed, _ = accord("token", "list", "crm", *crm, "--format", "json")
        assert code == 0
        assert [t["id"] for t in json.loads(listed)] == [token_id]
        assert token.split("_", 2)[2] not in listed

        code, log, _ = accord("audit", "--topic", "CUSTOMER_CREATED", *crm, "--format", "json")
        assert code == 0
        assert [(e["actor"], e["action"]) for e in json.loads(log)] == [("crm", "register")]
        code, text, _ = accord("audit", "--team", "admin", *crm)
        assert code == 0
        assert "create_token" in text
        assert token not in text

        assert accord("token", "revoke", "crm", token_id, *crm)[0] == 0
        code, _, err = accord("audit", *crm)
        assert code == 3  # refused credentials: exit 3, apart from usage and connection (2)
        assert "401" in err
        assert err.count("\n") == 1
        assert token not in err
        assert accord("audit", "--registry", server.url)[0] == 3  # no token at all
