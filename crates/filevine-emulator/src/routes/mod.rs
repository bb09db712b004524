//! The emulator's routes, wired in one place: the gateway operations behind the token and
//! header checks, the identity service, both behind injected faults, and the pre-signed
//! storage URLs, all counted.

mod billing;
mod calendar;
mod contacts;
mod documents;
mod feed;
mod partners;
mod projects;

use axum::middleware::from_fn_with_state;
use axum::routing::post;
use axum::Router;
use std::sync::Arc;

use crate::{auth, faults, Shared};

pub fn router(shared: Arc<Shared>) -> Router {
    let gateway = Router::new()
        .merge(partners::routes())
        .merge(contacts::routes())
        .merge(projects::routes())
        .merge(feed::routes())
        .merge(calendar::routes())
        .merge(billing::routes())
        .merge(documents::routes())
        .route_layer(from_fn_with_state(shared.clone(), auth::guard));
    let identity = Router::new().route("/connect/token", post(auth::token));
    gateway
        .merge(identity)
        .route_layer(from_fn_with_state(shared.clone(), faults::inject))
        .merge(documents::storage())
        .layer(from_fn_with_state(shared.clone(), faults::count))
        .with_state(shared)
}
