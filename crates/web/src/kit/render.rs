//! Templates compiled into the binary (minijinja, HTML auto-escaped), and HTML errors.

use std::sync::OnceLock;

use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use minijinja::Environment;
use serde::Serialize;

use crate::error::WebError;

const TEMPLATES: &[(&str, &str)] = &[
    ("layout.html", include_str!("../../templates/layout.html")),
    ("sign_in.html", include_str!("../../templates/sign_in.html")),
    ("jobs.html", include_str!("../../templates/jobs.html")),
    ("job.html", include_str!("../../templates/job.html")),
    ("records.html", include_str!("../../templates/records.html")),
    ("review.html", include_str!("../../templates/review.html")),
    ("verdict.html", include_str!("../../templates/verdict.html")),
    ("report.html", include_str!("../../templates/report.html")),
    ("signoff.html", include_str!("../../templates/signoff.html")),
    ("rejects.html", include_str!("../../templates/rejects.html")),
    ("fix.html", include_str!("../../templates/fix.html")),
    (
        "admin_home.html",
        include_str!("../../templates/admin_home.html"),
    ),
    (
        "admin_dlq.html",
        include_str!("../../templates/admin_dlq.html"),
    ),
    ("error.html", include_str!("../../templates/error.html")),
];

pub const APP_JS: &str = include_str!("../../templates/app.js");
pub const APP_CSS: &str = include_str!("../../templates/app.css");

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.add_filter("percent", percent);
        env.add_filter("duration", duration);
        env.add_filter("datetime", datetime);
        env.add_filter("money", money);
        for (name, source) in TEMPLATES {
            if let Err(e) = env.add_template(name, source) {
                tracing::error!(template = name, error = %e, "template does not compile");
            }
        }
        env
    })
}

/// 0.9734 → "97.3%"; a share short of whole never reads "100%".
fn percent(share: f64) -> String {
    let p = share * 100.0;
    if p < 100.0 && p > 99.9 {
        return "99.9%".into();
    }
    let text = format!("{p:.1}");
    format!("{}%", text.trim_end_matches(".0"))
}

/// Seconds as people say them: "45 s", "3 min 20 s", "2 h 5 min".
fn duration(secs: u64) -> String {
    match secs {
        0..60 => format!("{secs} s"),
        60..3600 if secs.is_multiple_of(60) => format!("{} min", secs / 60),
        60..3600 => format!("{} min {} s", secs / 60, secs % 60),
        _ => format!("{} h {} min", secs / 3600, secs % 3600 / 60),
    }
}

/// An amount as the report stores it ("-1234567.50") with its thousands grouped
/// ("-1,234,567.50"); anything that is not a number is shown as it is.
fn money(amount: String) -> String {
    let (sign, digits) = match amount.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", amount.as_str()),
    };
    let (whole, fraction) = match digits.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return amount;
    }
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match fraction {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// Unix seconds as a UTC date and time.
fn datetime(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| secs.to_string())
}

pub fn render(name: &str, ctx: impl Serialize) -> Result<Response, WebError> {
    let t = env().get_template(name).map_err(WebError::internal)?;
    let html = t.render(ctx).map_err(WebError::internal)?;
    Ok(Html(html).into_response())
}

/// An error shown as a page rather than JSON.
/// The error page's HTML, or the bare message when the page itself cannot render.
pub fn error_page(status: StatusCode, message: &str) -> String {
    let ctx =
        minijinja::context! { brand => "MigrationAI", error => message, status => status.as_u16() };
    env()
        .get_template("error.html")
        .and_then(|t| t.render(ctx))
        .unwrap_or_else(|_| message.to_string())
}

pub fn static_js() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        APP_JS,
    )
        .into_response()
}

pub fn static_css() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], APP_CSS).into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn filters_read_as_people_write() {
        assert_eq!(super::percent(0.9734), "97.3%");
        assert_eq!(super::percent(1.0), "100%");
        assert_eq!(super::percent(0.99999), "99.9%");
        assert_eq!(super::duration(45), "45 s");
        assert_eq!(super::duration(200), "3 min 20 s");
        assert_eq!(super::duration(7500), "2 h 5 min");
        assert_eq!(super::datetime(0), "1970-01-01 00:00 UTC");
        assert_eq!(super::money("-1234567.50".into()), "-1,234,567.50");
        assert_eq!(super::money("830392.57".into()), "830,392.57");
        assert_eq!(super::money("12".into()), "12");
        assert_eq!(super::money("0.00".into()), "0.00");
    }

    /// Every template compiles and every filter it uses exists: a template is rendered with
    /// an empty context, which reaches each filter only behind data, so filters are also
    /// looked for by name.
    #[test]
    fn every_filter_a_template_uses_is_there() {
        let env = super::env();
        for (name, source) in super::TEMPLATES {
            assert!(env.get_template(name).is_ok(), "{name} does not compile");
            // The expressions: what stands between {{ }} and between {% %}.
            let tags: Vec<&str> = source
                .split("{{")
                .skip(1)
                .filter_map(|t| t.split("}}").next())
                .chain(
                    source
                        .split("{%")
                        .skip(1)
                        .filter_map(|t| t.split("%}").next()),
                )
                .collect();
            for part in tags.iter().flat_map(|t| t.split('|').skip(1)) {
                let filter: String = part
                    .trim_start()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if filter.is_empty() {
                    continue;
                }
                let probe = format!("{{{{ x|{filter} }}}}");
                let result = env.render_str(&probe, minijinja::context! { x => 1 });
                if let Err(e) = result {
                    assert_ne!(
                        e.kind(),
                        minijinja::ErrorKind::UnknownFilter,
                        "{name} uses the filter {filter}, which the engine lacks"
                    );
                }
            }
        }
    }
}
