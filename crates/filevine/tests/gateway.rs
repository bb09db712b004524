//! The gateway client against the emulator: token exchange and refresh, credentials that
//! never show, Retry-After honoured, faults that neither lose nor double a record.

mod common;

use common::*;
use migrationai_domain::Kind;
use migrationai_filevine::{
    Call, Disposition, FvError, Gateway, MemoryIdMap, Op, Pusher, ReadBack, SecretString, Transport,
};
use migrationai_filevine_emulator::{Config, Emulator, Faults};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[tokio::test]
async fn the_token_is_exchanged_refreshed_and_replaced_when_refused() {
    let emu = Emulator::start(Config {
        token_ttl: Duration::from_secs(2),
        ..Config::default()
    })
    .await
    .expect("emulator");
    let gw = Gateway::new(&settings(&emu)).expect("gateway");
    gw.call(Call::new(Op::ContactList))
        .await
        .expect("first call");
    gw.call(Call::new(Op::ProjectList))
        .await
        .expect("same token");
    assert_eq!(emu.stats().token_exchanges, 1);
    assert_eq!(gw.stats().token_exchanges, 1);

    // Past four fifths of its life the token is exchanged again before it is used, so the
    // gateway never sees an expired one.
    tokio::time::sleep(Duration::from_millis(1700)).await;
    gw.call(Call::new(Op::ContactList))
        .await
        .expect("after refresh");
    assert_eq!(emu.stats().token_exchanges, 2);
    assert_eq!(emu.stats().unauthorized, 0);

    // A token the gateway stops honouring is replaced once, and the call goes through.
    emu.revoke_tokens();
    gw.call(Call::new(Op::ContactList))
        .await
        .expect("after revocation");
    let stats = emu.stats();
    assert_eq!((stats.unauthorized, stats.token_exchanges), (1, 3));
}

#[tokio::test]
async fn bad_credentials_are_permanent_and_never_printed() {
    let emu = Emulator::start(Config::default()).await.expect("emulator");
    let mut s = settings(&emu);
    s.client_secret = SecretString::from("wrong-secret-value");
    let gw = Gateway::new(&s).expect("gateway");
    let err = gw
        .call(Call::new(Op::ContactList))
        .await
        .expect_err("refused");
    assert_eq!(err.disposition(), Disposition::DeadLetter);
    let shown = format!("{err} {err:?} {s:?}");
    assert!(shown.contains("invalid_client"), "{shown}");
    assert!(
        !shown.contains("wrong-secret-value") && !shown.contains(&emu.credentials().pat),
        "{shown}"
    );
    assert_eq!(emu.stats().route("GET", "/fv-app/v2/Contacts"), 0);
}

#[tokio::test]
async fn retry_after_is_waited_out_and_an_overlong_one_is_left_to_the_queue() {
    let emu = Emulator::start(Config::default()).await.expect("emulator");
    let gw = Gateway::new(&settings(&emu)).expect("gateway");
    gw.call(Call::new(Op::ContactList)).await.expect("token");
    emu.set_faults(Faults {
        seed: 3,
        throttle_rate: 0.5,
        retry_after_secs: 1,
        ..Faults::none()
    });
    emu.reset_stats();
    let started = Instant::now();
    for _ in 0..4 {
        gw.call(Call::new(Op::ProjectList))
            .await
            .expect("eventually answered");
    }
    let throttled = emu.stats().throttled;
    assert!(throttled > 0, "the seed throttles some of these calls");
    assert_eq!(gw.stats().throttled, throttled);
    // Each 429 said "1 second"; the client waited at least that long each time.
    assert!(
        started.elapsed() >= Duration::from_secs(throttled),
        "{throttled} throttles answered in {:?}",
        started.elapsed()
    );

    // A wait longer than the client will hold a call is the queue's to wait out.
    emu.set_faults(Faults {
        throttle_rate: 1.0,
        retry_after_secs: 3600,
        ..Faults::none()
    });
    let started = Instant::now();
    let err = gw
        .call(Call::new(Op::ProjectList))
        .await
        .expect_err("throttled");
    assert_eq!(err.disposition(), Disposition::Retry);
    assert!(err.to_string().contains("429"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn slow_answers_time_out_as_transient() {
    let emu = Emulator::start(Config::default()).await.expect("emulator");
    let mut s = settings(&emu);
    s.limits.timeout = Duration::from_millis(300);
    s.limits.attempts = 2;
    let gw = Gateway::new(&s).expect("gateway");
    gw.call(Call::new(Op::ContactList)).await.expect("token");
    emu.set_faults(Faults {
        slow_rate: 1.0,
        slow_for: Duration::from_secs(2),
        ..Faults::none()
    });
    let err = gw
        .call(Call::new(Op::ContactList))
        .await
        .expect_err("timed out");
    assert!(matches!(err, FvError::Transient { .. }), "{err:?}");
    assert_eq!(gw.stats().broken, 2, "both attempts timed out");
}

/// 10% of calls throttled, 2% failing with 500 and 1% answered with a dropped connection
/// after the write was made: every record ends in Filevine exactly once.
#[tokio::test]
async fn under_injected_faults_nothing_is_lost_or_doubled() {
    let emu = Emulator::start(Config::default()).await.expect("emulator");
    let gw = Arc::new(Gateway::new(&settings(&emu)).expect("gateway"));
    emu.set_faults(Faults {
        seed: 11,
        throttle_rate: 0.10,
        retry_after_secs: 0,
        error_rate: 0.02,
        drop_rate: 0.01,
        ..Faults::none()
    });
    let ids = Arc::new(MemoryIdMap::new());
    let px = Pusher::new(gw.clone(), ids.clone(), job("faults"), config(&emu));
    let copies = 12;
    let firm = firm(copies);
    // A message that still fails transiently is received again, as from the queue.
    let outcomes = push_firm(&px, &firm, 5).await;
    assert_all_ok(&outcomes);

    let faults = emu.stats();
    assert!(
        faults.throttled > 20 && faults.server_errors > 2 && faults.dropped > 0,
        "{faults:?}"
    );
    assert!(gw.stats().retries > 0);
    // Records were found again by their partner ids, never re-created under them; only a
    // document's upload URL is asked for again by design.
    assert!(
        faults
            .partner_replays
            .keys()
            .all(|scope| scope == "Document"),
        "{faults:?}"
    );
    emu.set_faults(Faults::none());

    let snap = emu.snapshot();
    assert_eq!(snap.contacts, 3 * copies);
    assert_eq!(snap.projects, 2 * copies);
    assert_eq!(snap.collection_items, 2 * copies);
    assert_eq!(snap.form_values, 2 * copies);
    assert_eq!(
        (snap.notes, snap.tasks, snap.emails),
        (2 * copies, 2 * copies, copies)
    );
    assert_eq!(snap.appointments, 2 * copies);
    assert_eq!((snap.billing_items, snap.funds), (4 * copies, 3 * copies));
    assert_eq!((snap.invoices, snap.payments), (2 * copies, copies));
    assert_eq!(
        snap.documents - snap.emails,
        2 * copies,
        "documents, besides email attachments"
    );
    assert_eq!(snap.uncommitted_documents, 0);

    let delivery = ReadBack::new(gw.as_ref(), ids.as_ref(), &job("faults"))
        .run(&firm.expected())
        .await
        .expect("read back");
    assert!(delivery.delivered, "{delivery:#?}");
    for kind in Kind::ALL {
        let k = delivery.kind(kind).expect("kind");
        assert_eq!((k.found, k.extra), (firm.count(kind), 0), "{kind}");
    }
}
