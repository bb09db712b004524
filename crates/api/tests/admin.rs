//! The admin API: admin role only, tenants and users, queues, DLQ browse/redrive, purge
//! with confirmation, audit log.

mod common;

use common::spawn;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operators_only_and_every_change_is_audited() {
    let app = spawn().await;
    let admin = |path: &str| format!("{}{path}", app.admin);
    // No token, a firm's token: refused.
    let r = app
        .http
        .get(admin("/admin/v1/tenants"))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 401);
    let r = app
        .http
        .get(admin("/admin/v1/tenants"))
        .bearer_auth(&app.a)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 403);

    let r = app
        .http
        .post(admin("/admin/v1/tenants"))
        .bearer_auth(&app.op)
        .json(&json!({ "id": "firm-c", "name": "Firm C" }))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 201);
    let r = app
        .http
        .post(admin("/admin/v1/users"))
        .bearer_auth(&app.op)
        .json(
            &json!({ "tenant": "firm-c", "email": "c@firm-c.test", "password": common::PASSWORD }),
        )
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 201);
    let c = app.sign_in("c@firm-c.test").await;
    let (status, _) = app.get_json(&c, "/v1/jobs").await;
    assert_eq!(status, 200);

    let tenants: Value = app
        .http
        .get(admin("/admin/v1/tenants"))
        .bearer_auth(&app.op)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(tenants.as_array().map(Vec::len), Some(4));

    // Jobs of every tenant; cancel one of firm B's.
    let b_job = app.create_job(&app.b, "b job").await;
    let jobs: Value = app
        .http
        .get(admin("/admin/v1/jobs"))
        .bearer_auth(&app.op)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(jobs.as_array().map(Vec::len), Some(1));
    let r = app
        .http
        .post(admin(&format!("/admin/v1/jobs/firm-b/{b_job}/cancel")))
        .bearer_auth(&app.op)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 200);

    // Queues: 13 with their DLQs.
    let queues: Value = app
        .http
        .get(admin("/admin/v1/queues"))
        .bearer_auth(&app.op)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(queues.as_array().map(Vec::len), Some(13));
    let contacts = queues
        .as_array()
        .and_then(|q| q.iter().find(|q| q["kind"] == "contacts"))
        .cloned()
        .expect("contacts");

    // A poisoned message in the contacts DLQ: browse it, redrive the chosen one.
    let svc = &app.state.app.services;
    let dlq = contacts["dlq"].as_str().expect("dlq");
    svc.queue
        .send(dlq, "{\"poison\":true}", None)
        .await
        .expect("send");
    svc.queue
        .send(dlq, "{\"poison\":2}", None)
        .await
        .expect("send");
    let dead: Value = app
        .http
        .get(admin("/admin/v1/dlq/contacts"))
        .bearer_auth(&app.op)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(dead.as_array().map(Vec::len), Some(2), "{dead}");
    let chosen = dead[0]["message_id"].as_str().expect("id").to_string();
    let r = app
        .http
        .post(admin("/admin/v1/dlq/contacts/redrive"))
        .bearer_auth(&app.op)
        .json(&json!({ "message_ids": [chosen] }))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 200);
    let n: Value = r.json().await.expect("json");
    assert_eq!(n["count"], 1);
    let left: Value = app
        .http
        .get(admin("/admin/v1/dlq/contacts"))
        .bearer_auth(&app.op)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    // The redriven message left the DLQ (if the workers fail it again it comes back under
    // a new id); the other stayed.
    let ids = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|m| m["message_id"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let other = dead[1]["message_id"].as_str().expect("id").to_string();
    assert!(!ids(&left).contains(&chosen), "{left}");
    assert!(ids(&left).contains(&other), "{left}");

    let r = app
        .http
        .post(admin("/admin/v1/queues/contacts/purge"))
        .bearer_auth(&app.op)
        .json(&json!({ "confirm": "yes" }))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 400);
    let r = app
        .http
        .post(admin("/admin/v1/queues/contacts/purge"))
        .bearer_auth(&app.op)
        .json(&json!({ "confirm": dlq }))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 200);
    let left: Value = app
        .http
        .get(admin("/admin/v1/dlq/contacts"))
        .bearer_auth(&app.op)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert!(!ids(&left).contains(&other), "{left}");

    let audit: Value = app
        .http
        .get(admin("/admin/v1/audit"))
        .bearer_auth(&app.op)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    let actions: Vec<&str> = audit
        .as_array()
        .expect("audit")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for a in [
        "tenant.create",
        "user.create",
        "job.cancel",
        "dlq.redrive",
        "queue.purge",
    ] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
    assert!(audit[0]["actor"] == "op@ops.test");
    app.stop().await;
}
