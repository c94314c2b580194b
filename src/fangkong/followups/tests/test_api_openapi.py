"""The API is described in the OpenAPI document (what the docs page shows)."""


def test_the_followups_endpoints_are_in_the_openapi_document(client, qinghuayuan_worker):
    client.force_login(qinghuayuan_worker)
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    assert "/api/v1/followups/checks/batch" in paths and "/api/v1/followups/{followup_id}" in paths
