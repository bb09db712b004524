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
        jobs::summary, jobs::rejects_page,
        records::list, records::one, records::write, records::request,
        uploads::begin, uploads::status, uploads::chunk, uploads::abort,
        export::download, corrections::template, corrections::submit, corrections::tables,
    ),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;
