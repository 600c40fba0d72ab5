async def test_live_and_ready(case_client, notifier_client) -> None:  # type: ignore[no-untyped-def]
    for client in (case_client, notifier_client):
        assert (await client.get("/health/live")).json() == {"status": "ok"}
        ready = await client.get("/health/ready")
        assert ready.status_code == 200, ready.text
        assert ready.json()["database"] == "ok"
