//! The OpenAPI document of the backend API, served at /openapi.json.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{auth, corrections, export, jobs, records, system, uploads};

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "MigrationAI backend API", description = "Jobs, uploads, mapping review, progress, reports and migrated records, per firm."),
    paths(
        system::health, system::ready, system::metrics, system::catalogue,
        auth::sign_in, auth::start_session, auth::sign_out, auth::me, auth::tokens, auth::revoke, auth::users,
        jobs::list, jobs::create, jobs::get, jobs::files, jobs::upload, jobs::analyse,
        jobs::mapping, jobs::put_mapping, jobs::patch_mapping, jobs::check, jobs::request_check, jobs::start, jobs::cancel,
        jobs::progress, jobs::events, jobs::report, jobs::report_html, jobs::rejects,
        jobs::summary, jobs::rejects_page, jobs::push, jobs::push_status,
        records::list, records::one, records::write, records::request,
        uploads::begin, uploads::status, uploads::chunk, uploads::abort,
        export::download, corrections::template, corrections::submit, corrections::tables,
    ),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

#[cfg(test)]
mod tests {
    use super::*;
    use migrationai_domain::{DraftStatus, JobStatus, Kind};
    use serde_json::Value;

    /// The words a schema allows, following a `$ref` (and an `Option`'s `oneOf`) to it.
    fn words(doc: &Value, schema: &Value) -> Vec<String> {
        if let Some(r) = schema["$ref"].as_str() {
            let name = r.trim_start_matches("#/components/schemas/");
            return words(doc, &doc["components"]["schemas"][name]);
        }
        if let Some(any) = schema["oneOf"].as_array() {
            return any.iter().flat_map(|s| words(doc, s)).collect();
        }
        schema["enum"]
            .as_array()
            .map(|e| {
                e.iter()
                    .filter_map(|w| w.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn statuses_and_kinds_are_enums_of_their_stored_words() {
        let doc = serde_json::to_value(ApiDoc::openapi()).expect("document");
        let field = |schema: &str, field: &str| {
            let s = &doc["components"]["schemas"][schema]["properties"][field];
            assert!(!s.is_null(), "{schema}.{field} is in the document");
            words(&doc, s)
        };
        let all = |w: Vec<&str>| w.into_iter().map(String::from).collect::<Vec<_>>();
        let draft = all(DraftStatus::ALL.iter().map(|s| s.as_str()).collect());
        let job = all(JobStatus::ALL.iter().map(|s| s.as_str()).collect());
        assert_eq!(field("JobView", "status"), draft);
        assert_eq!(field("JobView", "run_status"), job);
        assert_eq!(field("ProgressView", "status"), draft);
        assert_eq!(field("ProgressView", "run_status"), job);
        assert_eq!(
            field("WriteRequest", "kind"),
            all(Kind::ALL.iter().map(|k| k.as_str()).collect())
        );
        assert_eq!(
            field("WriteRequest", "status"),
            ["pending", "loaded", "rejected"]
        );
    }
}
