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
    (r.status().as_u16(), cookie(&r, "mai_session"))
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
    let sid = format!("mai_session={}", value(&session.expect("session")));
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
