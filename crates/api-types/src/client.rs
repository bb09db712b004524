//! The browser's address, as the API and the frontends both read it: the API limits sign-in
//! attempts per client address, and a frontend passes its browser's address on to the API in
//! `X-Forwarded-For` (otherwise every attempt would count against the frontend's own
//! address). Both sides of that hand-off read it here, so they cannot disagree on whom to
//! believe.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::HeaderMap;

/// The header a proxy of ours appends the address it saw to.
pub const FORWARDED_FOR: &str = "x-forwarded-for";

/// The address a request came from: the peer, or, when the peer is a proxy of ours (a
/// private or loopback address: the load balancer, a frontend), the last address that proxy
/// appended to `X-Forwarded-For`. Earlier entries are the client's own claims and are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl ClientAddr {
    /// The client behind `peer`, given the request's headers.
    pub fn resolve(peer: IpAddr, headers: &HeaderMap) -> ClientAddr {
        if !is_internal(peer) {
            return ClientAddr(peer);
        }
        let forwarded = headers
            .get_all(FORWARDED_FOR)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|a| a.trim().parse::<IpAddr>().ok())
            .next_back();
        ClientAddr(forwarded.unwrap_or(peer))
    }
}

/// Loopback, private and link-local peers are our own load balancers and proxies, whose
/// last X-Forwarded-For entry is the client; any other peer is the client itself (a header
/// it sent is not to be believed).
fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback() || v4.is_private() || v4.is_link_local(),
        IpAddr::V6(v6) => v6.is_loopback() || (v6.segments()[0] & 0xfe00) == 0xfc00,
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        // No ConnectInfo: the router was served without peer addresses (a test's oneshot).
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::from([0, 0, 0, 0]));
        Ok(ClientAddr::resolve(peer, &parts.headers))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(values: &[&'static str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(FORWARDED_FOR, HeaderValue::from_static(v));
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("test address")
    }

    #[test]
    fn a_public_peer_is_the_client_whatever_it_claims() {
        let addr = ClientAddr::resolve(ip("203.0.113.9"), &headers(&["198.51.100.1"]));
        assert_eq!(addr, ClientAddr(ip("203.0.113.9")));
    }

    #[test]
    fn behind_a_proxy_of_ours_the_last_forwarded_entry_is_the_client() {
        let h = headers(&["198.51.100.1, 198.51.100.2", "203.0.113.9"]);
        assert_eq!(
            ClientAddr::resolve(ip("10.0.0.7"), &h),
            ClientAddr(ip("203.0.113.9"))
        );
        assert_eq!(
            ClientAddr::resolve(ip("::1"), &headers(&["2001:db8::5"])),
            ClientAddr(ip("2001:db8::5"))
        );
    }

    #[test]
    fn a_proxy_that_forwarded_nothing_readable_is_the_client() {
        let addr = ClientAddr::resolve(ip("127.0.0.1"), &headers(&["not an address"]));
        assert_eq!(addr, ClientAddr(ip("127.0.0.1")));
    }
}
