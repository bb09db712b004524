//! The order of a push through the queues (`delivery::queued`), taken step by step with no
//! workers running: the test plays the jobs handler and the kind workers, and reads what
//! each step put on the queues. Pages are made small so that one invoice's payments fall
//! in several pages. The push goes into the canonical store (the order is the queues', not
//! a target's).

mod common;

use migrationai_domain::Kind;
use migrationai_pipeline::delivery::{queued, PushOptions, TargetKind};
use migrationai_pipeline::message::PushPageMessage;
use migrationai_pipeline::{App, Config, Services};
use migrationai_ports::store::PushOutcome;

/// Pages of a few records, so every kind of the small sample has several.
const PER_PAGE: usize = 7;

fn options() -> PushOptions {
    PushOptions {
        target: TargetKind::Store,
        records_per_page: PER_PAGE,
        ..PushOptions::default()
    }
}

struct Migrated {
    _sample: common::Sample,
    _data: tempfile::TempDir,
    config: Config,
}

async fn migrated() -> Migrated {
    let sample = common::small_sample();
    let data = tempfile::tempdir().expect("tempdir");
    let config = common::config(data.path());
    common::migrate(
        &sample.export,
        Some(&sample.mapping),
        Some("sample".into()),
        &config,
        &|_| {},
    )
    .await
    .expect("migrate");
    Migrated {
        _sample: sample,
        _data: data,
        config,
    }
}

/// The push page messages waiting on `kind`'s queue.
async fn waiting(s: &Services, kind: Kind) -> Vec<PushPageMessage> {
    s.queue
        .peek(&s.names.queue(kind.into()), 1_000)
        .await
        .expect("peek")
        .into_iter()
        .map(|m| serde_json::from_str(&m.body).expect("a push page message"))
        .collect()
}

/// Takes `kind`'s waiting messages off its queue, as its worker would receive them.
async fn take(s: &Services, kind: Kind) -> Vec<PushPageMessage> {
    let got = waiting(s, kind).await;
    s.queue
        .purge(&s.names.queue(kind.into()))
        .await
        .expect("purge");
    got
}

/// The phase `kind` is pushed in.
fn phase_of(kind: Kind) -> i64 {
    i64::from(kind.phase())
}

/// Starts the push and marks every page before `kind`'s phase done without pushing it (the
/// order of earlier phases is not the point), advancing phase by phase to `kind`'s, whose
/// pages are then fanned out. Every queue is emptied on the way.
async fn at_phase_of(app: &App, kind: Kind) -> (String, String) {
    let job = app.find_job("sample").await.expect("job");
    let s = &app.services;
    queued::start(s, &job.tenant, &job.id, &options())
        .await
        .expect("start");
    queued::resume(s, &job.tenant, &job.id)
        .await
        .expect("fan out the first phase");
    for phase in 0..phase_of(kind) {
        for p in s
            .store
            .push_pages(&job.tenant, &job.id)
            .await
            .expect("pages")
        {
            if i64::from(p.kind.phase()) == phase {
                let outcome = PushOutcome {
                    refusals: "[]".into(),
                    ..PushOutcome::default()
                };
                s.store
                    .finish_push_page(&job.tenant, &job.id, p.kind, p.page_no, &outcome)
                    .await
                    .expect("finish");
            }
        }
        for k in Kind::phases().into_iter().flatten() {
            if i64::from(k.phase()) <= phase {
                take(s, k).await;
            }
        }
        queued::advance(s, &job.tenant, &job.id, phase)
            .await
            .expect("advance");
    }
    let push = s
        .store
        .push(&job.tenant, &job.id)
        .await
        .expect("push")
        .expect("a push");
    assert_eq!(push.phase, phase_of(kind), "at {kind}'s phase");
    (job.tenant, job.id)
}

/// The pages of `kind` in the ledger.
async fn pages_of(s: &Services, tenant: &str, job: &str, kind: Kind) -> Vec<(i64, bool)> {
    s.store
        .push_pages(tenant, job)
        .await
        .expect("pages")
        .into_iter()
        .filter(|p| p.kind == kind)
        .map(|p| (p.page_no, p.done))
        .collect()
}

/// One invoice's payments may lie in several pages, and a payment applied to an invoice
/// reads what is outstanding on it before it writes: two payment pages pushed side by side
/// would race. So payment pages go one after another: the fan-out sends the first, and the
/// worker that finishes a page sends the next; a page that arrives before its turn (a
/// message sent again by a recovery) waits for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payment_pages_are_pushed_one_after_another_in_page_order() {
    let m = migrated().await;
    let app = common::open(&m.config).await.expect("open");
    let (tenant, job) = at_phase_of(&app, Kind::Payment).await;
    let s = &app.services;
    let pages = pages_of(s, &tenant, &job, Kind::Payment).await;
    assert!(pages.len() > 2, "the payments span pages: {pages:?}");

    // A kind whose records do not compete has every page sent at once.
    let others: Vec<Kind> = Kind::phases()
        .into_iter()
        .flatten()
        .filter(|k| *k != Kind::Payment && phase_of(*k) == phase_of(Kind::Payment))
        .collect();
    for k in others {
        let n = pages_of(s, &tenant, &job, k).await.len();
        assert_eq!(take(s, k).await.len(), n, "{k}");
    }

    let mut pushed = Vec::new();
    loop {
        let sent = take(s, Kind::Payment).await;
        let Some(m) = sent.first() else { break };
        assert_eq!(sent.len(), 1, "one payment page at a time: {sent:?}");
        // The page after it, sent early, is left for its turn.
        if let Some(&(next, _)) = pages.iter().find(|(no, _)| *no == m.push_page + 1) {
            let early = PushPageMessage {
                push_page: next,
                ..m.clone()
            };
            queued::push_page(s, &early).await.expect("early page");
            assert!(
                !pages_of(s, &tenant, &job, Kind::Payment).await
                    [usize::try_from(next).expect("page number")]
                .1,
                "page {next} waits for page {}",
                m.push_page
            );
            assert!(waiting(s, Kind::Payment).await.is_empty());
        }
        queued::push_page(s, m).await.expect("push the page");
        pushed.push(m.push_page);
    }
    let all: Vec<i64> = pages.iter().map(|(no, _)| *no).collect();
    assert_eq!(pushed, all, "every page once, in order");
    assert!(pages_of(s, &tenant, &job, Kind::Payment)
        .await
        .iter()
        .all(|(_, done)| *done));
}

/// Two handlers advancing the same phase at once (the last two pages of a phase finishing
/// together, or an advance message delivered twice) fan the next phase out once: each of
/// its pages is sent once, and an advance delivered again later sends nothing. (Sent twice,
/// a page would be pushed by two workers side by side, each finding it not done.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_advance_delivered_twice_at_once_sends_each_page_once() {
    let m = migrated().await;
    let app = common::open(&m.config).await.expect("open");
    let first = Kind::phases()[0][0];
    let (tenant, job) = at_phase_of(&app, first).await;
    let s = &app.services;
    let outcome = PushOutcome {
        refusals: "[]".into(),
        ..PushOutcome::default()
    };
    for p in s.store.push_pages(&tenant, &job).await.expect("pages") {
        s.store
            .finish_push_page(&tenant, &job, p.kind, p.page_no, &outcome)
            .await
            .expect("finish");
    }
    for k in Kind::phases().into_iter().flatten() {
        take(s, k).await;
    }

    let (a, b) = tokio::join!(
        queued::advance(s, &tenant, &job, 0),
        queued::advance(s, &tenant, &job, 0)
    );
    a.expect("advance");
    b.expect("advance again");
    let next = &Kind::phases()[1];
    let mut sent = 0;
    for &k in next {
        let messages = waiting(s, k).await;
        let mut pages: Vec<i64> = messages.iter().map(|m| m.push_page).collect();
        pages.sort_unstable();
        let ledger: Vec<i64> = pages_of(s, &tenant, &job, k)
            .await
            .into_iter()
            .map(|(no, _)| no)
            .collect();
        assert!(!ledger.is_empty(), "{k} has pages");
        assert_eq!(pages, ledger, "{k}: every page sent once");
        sent += pages.len();
    }
    assert!(sent > 1);

    queued::advance(s, &tenant, &job, 0)
        .await
        .expect("a late redelivery");
    let total: usize = {
        let mut n = 0;
        for &k in next {
            n += waiting(s, k).await.len();
        }
        n
    };
    assert_eq!(total, sent, "nothing more is sent");
}
