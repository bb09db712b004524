//! The emulator answers requests that break Filevine's contract as Filevine would: real HTTP
//! on loopback, with a plain HTTP client rather than MigrationAI's.

use migrationai_filevine_emulator::{Config, Emulator, Faults};
use serde_json::{json, Value};

async fn token(emu: &Emulator, scope: &str) -> reqwest::Response {
    let c = emu.credentials();
    reqwest::Client::new()
        .post(format!("{}/connect/token", emu.identity_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=personal_access_token&token={}&client_id={}&client_secret={}&scope={}",
            c.pat,
            c.client_id,
            c.client_secret,
            scope.replace(' ', "+").replace('*', "%2A")
        ))
        .send()
        .await
        .expect("token request")
}

async fn bearer(emu: &Emulator) -> String {
    let res = token(
        emu,
        "fv.api.gateway.access tenant filevine.v2.api.* email openid",
    )
    .await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 1200);
    body["access_token"].as_str().expect("token").to_string()
}

#[tokio::test]
async fn the_gateway_refuses_what_breaks_the_contract() {
    let emu = Emulator::start(Config::default()).await.expect("start");
    let http = reqwest::Client::new();
    let base = emu.gateway_url();
    let c = emu.credentials().clone();

    // Comma-separated scopes are refused; space-separated ones get a token.
    let res = token(&emu, "fv.api.gateway.access,filevine.v2.api.*").await;
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["error"], "invalid_scope");
    let bearer = bearer(&emu).await;

    // No bearer: 401.
    let res = http
        .get(format!("{base}/fv-app/v2/Contacts"))
        .header("x-fv-orgid", c.org_id)
        .header("x-fv-userid", c.user_id)
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 401);

    // A bearer but no org header: 400 naming the header.
    let res = http
        .get(format!("{base}/fv-app/v2/Contacts"))
        .bearer_auth(&bearer)
        .header("x-fv-userid", c.user_id)
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.expect("json");
    assert!(body["Message"]
        .as_str()
        .unwrap_or("")
        .contains("x-fv-orgid"));

    // Paths are case-sensitive.
    let res = http
        .get(format!("{base}/fv-app/v2/contacts"))
        .bearer_auth(&bearer)
        .header("x-fv-orgid", c.org_id)
        .header("x-fv-userid", c.user_id)
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 404);

    // A note needs its project.
    let res = http
        .post(format!("{base}/fv-app/v2/Notes"))
        .bearer_auth(&bearer)
        .header("x-fv-orgid", c.org_id)
        .header("x-fv-userid", c.user_id)
        .json(&json!({ "Body": "hello" }))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 400);

    // A contact is created, and found again by its partner id.
    let res = http
        .post(format!("{base}/fv-app/v2/Contacts"))
        .bearer_auth(&bearer)
        .header("x-fv-orgid", c.org_id)
        .header("x-fv-userid", c.user_id)
        .json(&json!({ "FirstName": "Ada", "LastName": "Lovelace", "PersonId": { "Partner": "k-1" } }))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 200);
    let created: Value = res.json().await.expect("json");
    assert_eq!(created["FullName"], "Ada Lovelace");
    let res = http
        .get(format!("{base}/fv-app/v2/PartnerIdentifiers/Contact/@k-1"))
        .bearer_auth(&bearer)
        .header("x-fv-orgid", c.org_id)
        .header("x-fv-userid", c.user_id)
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 200);
    let id: Value = res.json().await.expect("json");
    assert_eq!(id["Native"], created["PersonId"]["Native"]);
    assert_eq!(emu.snapshot().contacts, 1);
}

#[tokio::test]
async fn faults_are_injected_at_their_rates() {
    let emu = Emulator::start(Config::default()).await.expect("start");
    emu.set_faults(Faults {
        throttle_rate: 0.5,
        retry_after_secs: 3,
        ..Faults::none()
    });
    let bearer = loop {
        let res = token(&emu, "fv.api.gateway.access filevine.v2.api.*").await;
        if res.status() == 200 {
            let body: Value = res.json().await.expect("json");
            break body["access_token"].as_str().expect("token").to_string();
        }
        assert_eq!(res.status(), 429);
        assert_eq!(res.headers()["retry-after"], "3");
    };
    let c = emu.credentials().clone();
    let http = reqwest::Client::new();
    let mut throttled = 0;
    for _ in 0..200 {
        let res = http
            .get(format!("{}/fv-app/v2/Projects", emu.gateway_url()))
            .bearer_auth(&bearer)
            .header("x-fv-orgid", c.org_id)
            .header("x-fv-userid", c.user_id)
            .send()
            .await
            .expect("send");
        if res.status() == 429 {
            throttled += 1;
        } else {
            assert_eq!(res.status(), 200);
        }
    }
    assert!(
        (60..=140).contains(&throttled),
        "{throttled} of 200 throttled at 50%"
    );
    assert_eq!(emu.stats().route("GET", "/fv-app/v2/Projects"), 200);
}
