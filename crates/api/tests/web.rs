//! The web apps: sign-in with login CSRF, session cookie flags, CSRF on forms, pages render.

mod common;

use common::spawn;

fn cookie(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_string)
}

fn value(set_cookie: &str) -> String {
    set_cookie
        .split(';')
        .next()
        .and_then(|kv| kv.split_once('='))
        .map(|(_, v)| v.to_string())
        .unwrap_or_default()
}

async fn sign_in(app: &common::TestApp, base: &str, email: &str) -> (u16, Option<String>) {
    let name = if base == app.admin_web {
        "mai_console"
    } else {
        "mai_session"
    };
    let page = app
        .http
        .get(format!("{base}/sign-in"))
        .send()
        .await
        .expect("page");
    let pre = cookie(&page, "mai_pre").expect("pre cookie");
    let pre = value(&pre);
    let html = page.text().await.expect("html");
    assert!(html.contains("<label for=\"email\">"));
    let r = app
        .http
        .post(format!("{base}/sign-in"))
        .header("cookie", format!("mai_pre={pre}"))
        .form(&[
            ("email", email),
            ("password", common::PASSWORD),
            ("csrf", pre.as_str()),
        ])
        .send()
        .await
        .expect("post");
    (r.status().as_u16(), cookie(&r, name))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_and_csrf() {
    let app = spawn().await;
    // Without a session: to the sign-in page.
    let r = app
        .http
        .get(format!("{}/", app.web))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/sign-in");

    let (status, session) = sign_in(&app, &app.web, "a@firm-a.test").await;
    assert_eq!(status, 303);
    let session = session.expect("session cookie");
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Strict"),
        "{session}"
    );
    let sid = format!("mai_session={}", value(&session));

    let home = app
        .http
        .get(format!("{}/", app.web))
        .header("cookie", &sid)
        .send()
        .await
        .expect("home");
    assert_eq!(home.status(), 200);
    let html = home.text().await.expect("html");
    assert!(html.contains("No migrations yet"));
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("csrf")
        .to_string();

    // A form without (or with a wrong) CSRF token is refused; with it, the job is made.
    for bad in ["", "0000"] {
        let r = app
            .http
            .post(format!("{}/jobs", app.web))
            .header("cookie", &sid)
            .form(&[("name", "x"), ("csrf", bad)])
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), 403);
    }
    let r = app
        .http
        .post(format!("{}/jobs", app.web))
        .header("cookie", &sid)
        .form(&[("name", "From the web"), ("csrf", csrf.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    let job_page = r.headers()["location"].to_str().expect("loc").to_string();
    let page = app
        .http
        .get(format!("{}{job_page}", app.web))
        .header("cookie", &sid)
        .send()
        .await
        .expect("job");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains("Upload the export") && html.contains("data-csrf"));
    // Upload through the page's script endpoint needs the CSRF header.
    let up = format!("{}{job_page}/files/contacts.csv", app.web);
    let r = app
        .http
        .put(&up)
        .header("cookie", &sid)
        .body("id\n1\n")
        .send()
        .await
        .expect("put");
    assert_eq!(r.status(), 403);
    let r = app
        .http
        .put(&up)
        .header("cookie", &sid)
        .header("x-csrf-token", &csrf)
        .body("id\n1\n")
        .send()
        .await
        .expect("put");
    assert_eq!(r.status(), 201);

    // A firm user cannot sign in to the console; the operator can.
    let (status, session) = sign_in(&app, &app.admin_web, "a@firm-a.test").await;
    assert_eq!((status, session.is_none()), (200, true));
    let (status, session) = sign_in(&app, &app.admin_web, "op@ops.test").await;
    assert_eq!(status, 303);
    let sid = format!("mai_console={}", value(&session.expect("session")));
    let home = app
        .http
        .get(format!("{}/", app.admin_web))
        .header("cookie", &sid)
        .send()
        .await
        .expect("home");
    assert_eq!(home.status(), 200);
    let html = home.text().await.expect("html");
    assert!(
        html.contains("Queues") && html.contains("From the web"),
        "{html}"
    );
    let dlq = app
        .http
        .get(format!("{}/dlq/contacts", app.admin_web))
        .header("cookie", &sid)
        .send()
        .await
        .expect("dlq");
    assert_eq!(dlq.status(), 200);
    app.stop().await;
}

/// The frontends keep no data: they sign in through the APIs and show what the APIs answer
/// to the session's own token. A session is a bearer for its own firm only, and ends for
/// the API and the page at once when the user signs out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frontends_work_through_the_apis_with_the_session_token() {
    let app = spawn().await;
    let (_, session) = sign_in(&app, &app.web, "a@firm-a.test").await;
    let token = value(&session.expect("session"));
    // The cookie's token is the API's session: the API answers to it with the CSRF secret.
    let (status, me) = app.get_json(&token, "/v1/me").await;
    assert_eq!(status, 200);
    assert_eq!(me["tenant"], "firm-a");
    let csrf = me["csrf"].as_str().expect("csrf of a session").to_string();
    assert!(csrf.len() >= 16);
    let (_, me) = app.get_json(&app.a, "/v1/me").await;
    assert!(
        me["csrf"].is_null(),
        "an API token has no CSRF secret: {me}"
    );
    // A firm's session is not an operator's.
    let r = app
        .http
        .get(format!("{}/admin/v1/tenants", app.admin))
        .bearer_auth(&token)
        .send()
        .await
        .expect("admin");
    assert_eq!(r.status(), 403);
    // Firm B's job is as invisible through the page as through the API.
    let b_job = app.create_job(&app.b, "B only").await;
    let sid = format!("mai_session={token}");
    let r = app
        .http
        .get(format!("{}/jobs/{b_job}", app.web))
        .header("cookie", &sid)
        .send()
        .await
        .expect("page");
    assert_eq!(r.status(), 404);
    // Signing out revokes the session in the API, not only the cookie.
    let r = app
        .http
        .post(format!("{}/sign-out", app.web))
        .header("cookie", &sid)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("sign out");
    assert_eq!(r.status(), 303);
    let (status, _) = app.get_json(&token, "/v1/me").await;
    assert_eq!(status, 401);
    let r = app
        .http
        .get(format!("{}/", app.web))
        .header("cookie", &sid)
        .send()
        .await
        .expect("home");
    assert_eq!(r.status(), 303, "a revoked session goes back to sign in");
    app.stop().await;
}

/// A frontend whose API is down says so on a page instead of failing blankly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frontend_without_its_api_shows_a_clear_error() {
    // A port that was free a moment ago: nothing listens there.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port");
    let front = migrationai_web::kit::Front::new(
        migrationai_web::kit::backend::Backend::new(&format!("http://{closed}")).expect("backend"),
        &migrationai_web::kit::FIRM,
        false,
    );
    let stop = tokio_util::sync::CancellationToken::new();
    let (addr, task) = migrationai_api::serve::spawn(
        "127.0.0.1:0".parse().expect("addr"),
        migrationai_web::firm::router(front),
        stop.clone(),
    )
    .await
    .expect("serve");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let page = http
        .get(format!("http://{addr}/sign-in"))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), 200, "the sign-in page needs no API");
    let pre = value(&cookie(&page, "mai_pre").expect("pre"));
    let r = http
        .post(format!("http://{addr}/sign-in"))
        .header("cookie", format!("mai_pre={pre}"))
        .form(&[
            ("email", "a@firm-a.test"),
            ("password", "x"),
            ("csrf", pre.as_str()),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 503);
    let html = r.text().await.expect("html");
    assert!(html.contains("backend API is not reachable"), "{html}");
    let r = http
        .get(format!("http://{addr}/"))
        .header("cookie", "mai_session=some-token")
        .send()
        .await
        .expect("home");
    assert_eq!(r.status(), 503);
    stop.cancel();
    let _ = task.await;
}
