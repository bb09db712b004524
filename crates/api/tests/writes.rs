//! Single-record writes through the queues, end to end: the small sample is migrated through
//! the API, then records are written one at a time and go through the same entity handlers.

mod common;

use common::{migrated_sample, poll, spawn, TestApp};
use serde_json::{json, Value};

async fn write(app: &TestApp, token: &str, job: &str, kind: &str, body: Value) -> (u16, Value) {
    let r = app
        .http
        .post(format!("{}/v1/jobs/{job}/records/{kind}", app.api))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("write");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Writes and waits until the request is no longer pending.
async fn write_and_wait(app: &TestApp, job: &str, kind: &str, body: Value) -> Value {
    let (status, v) = write(app, &app.a, job, kind, body).await;
    assert_eq!(status, 202, "{v}");
    assert_eq!(v["status"], "pending", "{v}");
    let id = v["request_id"].as_str().expect("request id").to_string();
    poll(
        app,
        &app.a,
        &format!("/v1/jobs/{job}/records/{kind}/requests/{id}"),
        |v| v["status"] != "pending",
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_records_go_through_the_queues_and_handlers() {
    let app = spawn().await;
    // Before any migration is done a write is a conflict.
    let early = app.create_job(&app.a, "not started").await;
    let (status, v) = write(&app, &app.a, &early, "contacts", json!({"contact_id": "X"})).await;
    assert_eq!(status, 409, "{v}");

    let job = migrated_sample(&app, "writes").await;
    // A cached page of contacts before the write: it must not be served after it.
    let list = format!("/v1/jobs/{job}/records/contacts?q=api-9001&per_page=10");
    let (status, before) = app.get_json(&app.a, &list).await;
    assert_eq!(status, 200);
    assert_eq!(before["total"], 0, "{before}");

    let v = write_and_wait(
        &app,
        &job,
        "contacts",
        json!({
            "contact_id": "API-9001",
            "first_name": "Ada",
            "last_name": "Lovelace",
            "email": "ada@example.com",
            "is_client": true,
        }),
    )
    .await;
    assert_eq!(v["status"], "loaded", "{v}");
    assert_eq!(v["source_id"], "API-9001");
    let (status, one) = app
        .get_json(&app.a, &format!("/v1/jobs/{job}/records/contacts/API-9001"))
        .await;
    assert_eq!(status, 200, "{one}");
    assert_eq!(one["record"]["canonical_id"], v["canonical_id"]);
    assert_eq!(
        one["record"]["data"]["fields"]["email"]["v"], "ada@example.com",
        "{one}"
    );
    let (_, after) = app.get_json(&app.a, &list).await;
    assert_eq!(
        after["total"], 1,
        "the cached page was not invalidated: {after}"
    );

    // A project of the new client resolves its reference to the loaded contact.
    let v = write_and_wait(
        &app,
        &job,
        "projects",
        json!({"project_id": "API-P1", "name": "Lovelace v. Babbage", "client_id": "API-9001"}),
    )
    .await;
    assert_eq!(v["status"], "loaded", "{v}");
    let (_, p) = app
        .get_json(&app.a, &format!("/v1/jobs/{job}/records/projects/API-P1"))
        .await;
    assert_eq!(
        p["record"]["data"]["refs"]["client_id"], one["record"]["canonical_id"],
        "{p}"
    );

    // A bad email is rejected by the handler's validation, with its reason.
    let v = write_and_wait(
        &app,
        &job,
        "contacts",
        json!({"contact_id": "API-9002", "last_name": "Byron", "email": "not an email"}),
    )
    .await;
    assert_eq!(v["status"], "rejected", "{v}");
    assert_eq!(v["field"], "email", "{v}");
    assert!(v["reason"].as_str().is_some_and(|r| !r.is_empty()), "{v}");
    let (status, _) = app
        .get_json(&app.a, &format!("/v1/jobs/{job}/records/contacts/API-9002"))
        .await;
    assert_eq!(status, 404);

    // A project whose client is not a loaded contact is an orphan.
    let v = write_and_wait(
        &app,
        &job,
        "projects",
        json!({"project_id": "API-P2", "name": "Nobody's matter", "client_id": "NO-SUCH-CLIENT"}),
    )
    .await;
    assert_eq!(v["status"], "rejected", "{v}");
    assert_eq!(v["code"], "orphan_reference", "{v}");
    assert_eq!(v["field"], "client_id", "{v}");
    assert!(
        v["reason"]
            .as_str()
            .unwrap_or("")
            .contains("NO-SUCH-CLIENT"),
        "{v}"
    );

    // The advances the writes asked for found the job done and changed nothing.
    let (_, j) = app.get_json(&app.a, &format!("/v1/jobs/{job}")).await;
    assert_eq!(j["run_status"], "done", "{j}");
    let queues: Value = app
        .http
        .get(format!("{}/admin/v1/queues", app.admin))
        .bearer_auth(&app.op)
        .send()
        .await
        .expect("queues")
        .json()
        .await
        .expect("json");
    for q in queues.as_array().expect("queues") {
        assert_eq!(q["dlq_depth"], 0, "{q}");
    }

    // Refused before queueing: unknown fields, kinds carrying files, unknown kinds.
    let (status, v) = write(&app, &app.a, &job, "contacts", json!({"shoe_size": "9"})).await;
    assert_eq!(status, 422, "{v}");
    assert!(
        v["message"].as_str().unwrap_or("").contains("shoe_size"),
        "{v}"
    );
    let (status, _) = write(&app, &app.a, &job, "document", json!({"document_id": "D"})).await;
    assert_eq!(status, 422);
    let (status, _) = write(&app, &app.a, &job, "jobs", json!({"id": "D"})).await;
    assert_eq!(status, 404);

    // Another firm sees neither the job nor the request.
    let (status, _) = write(
        &app,
        &app.b,
        &job,
        "contacts",
        json!({"contact_id": "B-1", "last_name": "B"}),
    )
    .await;
    assert_eq!(status, 404);
    let id = v_request(&app, &job).await;
    let (status, _) = app
        .get_json(
            &app.b,
            &format!("/v1/jobs/{job}/records/contacts/requests/{id}"),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = app
        .get_json(
            &app.a,
            &format!("/v1/jobs/{job}/records/contacts/requests/no-such-request"),
        )
        .await;
    assert_eq!(status, 404);
    app.stop().await;
}

/// A fresh request of firm A, to look up as firm B.
async fn v_request(app: &TestApp, job: &str) -> String {
    let (status, v) = write(
        app,
        &app.a,
        job,
        "contacts",
        json!({"contact_id": "API-9003", "organization": "Analytical Engines Ltd"}),
    )
    .await;
    assert_eq!(status, 202, "{v}");
    v["request_id"].as_str().expect("request id").to_string()
}
