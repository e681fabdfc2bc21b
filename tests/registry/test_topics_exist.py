"""A check or a contract on a topic with no live version is a 404 with a "did you mean"."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from registry.app import create_app
from registry.settings import Settings

SCHEMA = json.dumps(
    {"type": "record", "name": "Customer", "fields": [{"name": "id", "type": "string"}]}
)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def client(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TestClient]:
    if request.param == "postgres":
        url = request.getfixturevalue("empty_postgres_database")
    else:
        url = f"sqlite:///{tmp_path / 'accord.db'}"
    with TestClient(create_app(Settings(database_url=url))) as test_client:
        assert (
            test_client.post(
                "/subjects/CUSTOMER_CREATED/versions", json={"schema": SCHEMA}
            ).status_code
            == 200
        )
        yield test_client


def test_a_check_on_a_typo_is_a_404_naming_the_near_topic(client: TestClient) -> None:
    response = client.post("/subjects/CUSTOMER_CREATD/check", json={"schema": SCHEMA})
    assert response.status_code == 404
    body = response.json()
    assert body["error_code"] == 40401
    assert "Did you mean 'CUSTOMER_CREATED'?" in body["message"]


def test_a_check_on_an_unrelated_name_has_no_suggestion(client: TestClient) -> None:
    response = client.post("/subjects/INVOICE_PAID/check", json={"schema": SCHEMA})
    assert response.status_code == 404
    assert "Did you mean" not in response.json()["message"]


def test_new_topic_states_a_first_version_is_intended(client: TestClient) -> None:
    response = client.post("/subjects/INVOICE_PAID/check?newTopic=true", json={"schema": SCHEMA})
    assert response.status_code == 200, response.json()
    assert response.json()["ok"] is True


def test_a_contract_on_a_topic_with_no_live_version_is_refused(client: TestClient) -> None:
    response = client.put("/subjects/CUSTOMER_CREATD/consumers/marketing", json={"schema": SCHEMA})
    assert response.status_code == 404
    assert response.json()["error_code"] == 40401
    assert "Did you mean 'CUSTOMER_CREATED'?" in response.json()["message"]
    assert client.get("/subjects/CUSTOMER_CREATD/consumers/marketing").status_code == 404
    # A soft-deleted topic has no live version either.
    assert client.delete("/subjects/CUSTOMER_CREATED").status_code == 200
    response = client.put("/subjects/CUSTOMER_CREATED/consumers/marketing", json={"schema": SCHEMA})
    assert response.status_code == 404
