//! Queue conformance suite: the SQS semantics every `Queue` adapter must
//! share. Each case takes `&dyn Queue` and a name prefix unique to the run
//! (so a shared SQS account can run cases side by side) and creates its own
//! queues under that prefix.
//!
//! An adapter's test file stamps out one test per case with
//! `queue_conformance_tests!(make_fixture);`, where `make_fixture(case_name)`
//! is an async fn returning a [`QueueFixture`].

use std::time::{Duration, Instant};

use migrationai_ports::queue::{
    limits, DeleteEntry, Queue, QueueConfig, QueueErrorCode, ReceiveOptions, ReceivedMessage,
    SendEntry, VisibilityEntry,
};

/// What an adapter's test file hands to each case.
pub trait QueueFixture {
    fn queue(&self) -> &dyn Queue;
}

/// Visibility timeout of the suite's queues: short so the suite runs in
/// seconds.
pub const VISIBILITY: Duration = Duration::from_secs(1);
/// Margin for timers (SQS timings are approximate).
const SLACK: Duration = Duration::from_millis(600);

/// Stamps out one `#[tokio::test]` per conformance case.
#[macro_export]
macro_rules! queue_conformance_tests {
    ($make:path) => {
        $crate::queue_conformance_tests!(@cases $make;
            reappears_after_visibility_timeout,
            receive_count_increments_and_redrives_to_dlq,
            move_messages_redrives_back_to_source,
            peek_leaves_messages_untouched,
            delay_hides_a_message_until_due,
            queue_default_delay_applies,
            visibility_timeout_is_the_queues,
            long_poll_returns_when_a_message_arrives,
            long_poll_times_out_empty,
            change_visibility_extends_and_zero_releases,
            stale_receipt_is_rejected,
            delete_batch_reports_entries_separately,
            batch_roundtrip,
            send_batch_request_limits,
            send_batch_oversized_entry_fails_alone,
            send_batch_total_payload_limit,
            delete_and_visibility_batch_limits,
            message_size_limit,
            receive_parameter_limits,
            missing_queue_is_reported,
            stats_count_visible_in_flight_and_delayed,
            purge_empties_the_queue,
        );
    };
    (@cases $make:path; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let fixture = $make(stringify!($case)).await;
                $crate::conformance::queue::$case(
                    $crate::conformance::queue::QueueFixture::queue(&fixture),
                    stringify!($case),
                )
                .await;
            }
        )*
    };
}

/// Creates `<prefix>-dlq` and `<prefix>-q` (redriving to it after 3
/// receives) and returns their names.
pub async fn setup(q: &dyn Queue, prefix: &str) -> (String, String) {
    let dlq = format!("{prefix}-dlq");
    let queue = format!("{prefix}-q");
    let config = QueueConfig {
        visibility_timeout: VISIBILITY,
        ..QueueConfig::default()
    };
    q.ensure_queue(&dlq, &config).await.unwrap();
    let source = QueueConfig {
        dlq: Some(dlq.clone()),
        max_receive_count: 3,
        ..config
    };
    q.ensure_queue(&queue, &source).await.unwrap();
    (queue, dlq)
}

/// Receives until `count` messages arrived or `within` passed.
pub async fn receive_n(
    q: &dyn Queue,
    queue: &str,
    count: usize,
    within: Duration,
    visibility: Option<Duration>,
) -> Vec<ReceivedMessage> {
    let deadline = Instant::now() + within;
    let mut got = Vec::new();
    while got.len() < count {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        let mut options = ReceiveOptions::batch((count - got.len()).min(10) as u32)
            .wait(left.min(limits::MAX_WAIT_TIME));
        options.visibility_timeout = visibility;
        got.extend(q.receive(queue, &options).await.unwrap());
    }
    got
}

async fn receive_one(q: &dyn Queue, queue: &str, visibility: Option<Duration>) -> ReceivedMessage {
    let mut got = receive_n(q, queue, 1, Duration::from_secs(5), visibility).await;
    assert_eq!(got.len(), 1, "expected one message in {queue}");
    got.remove(0)
}

async fn receive_none(q: &dyn Queue, queue: &str) {
    let got = q.receive(queue, &ReceiveOptions::batch(10)).await.unwrap();
    assert!(got.is_empty(), "expected {queue} empty, got {got:?}");
}

pub async fn reappears_after_visibility_timeout(q: &dyn Queue, prefix: &str) {
    let (queue, _) = setup(q, prefix).await;
    let sent = q.send(&queue, "hello", None).await.unwrap();
    let first = receive_one(q, &queue, None).await;
    assert_eq!(first.message_id, sent);
    assert_eq!(first.body, "hello");
    assert_eq!(first.receive_count, 1);
    receive_none(q, &queue).await;

    tokio::time::sleep(VISIBILITY + SLACK).await;
    let second = receive_one(q, &queue, None).await;
    assert_eq!(second.message_id, sent);
    assert_eq!(second.receive_count, 2);
    assert_ne!(second.receipt_handle, first.receipt_handle);
    assert_eq!(second.sent_at, first.sent_at);
    assert_eq!(second.first_received_at, first.first_received_at);
}

pub async fn receive_count_increments_and_redrives_to_dlq(q: &dyn Queue, prefix: &str) {
    let (queue, dlq) = setup(q, prefix).await;
    let sent = q.send(&queue, "poison", None).await.unwrap();
    // A zero visibility override makes each receive's message visible again
    // at once, like a consumer that fails instantly.
    for expected in 1..=3 {
        let got = receive_one(q, &queue, Some(Duration::ZERO)).await;
        assert_eq!(got.message_id, sent);
        assert_eq!(got.receive_count, expected);
    }
    // The 4th receive finds it gone from the source, moved to the DLQ.
    receive_none(q, &queue).await;
    let dead = receive_one(q, &dlq, None).await;
    assert_eq!(dead.message_id, sent);
    assert_eq!(dead.body, "poison");
    assert_eq!(dead.receive_count, 1);
    let stats = q.stats(&queue).await.unwrap();
    assert_eq!((stats.visible, stats.in_flight, stats.delayed), (0, 0, 0));
}

/// Drives one message into the DLQ; returns its id.
async fn into_dlq(q: &dyn Queue, queue: &str, dlq: &str, body: &str) -> String {
    let sent = q.send(queue, body, None).await.unwrap();
    for _ in 0..3 {
        receive_one(q, queue, Some(Duration::ZERO)).await;
    }
    receive_none(q, queue).await;
    let stats = q.stats(dlq).await.unwrap();
    assert!(
        stats.visible >= 1,
        "message should be in the DLQ: {stats:?}"
    );
    sent
}

pub async fn move_messages_redrives_back_to_source(q: &dyn Queue, prefix: &str) {
    let (queue, dlq) = setup(q, prefix).await;
    let sent = into_dlq(q, &queue, &dlq, "retry me").await;
    let moved = q.move_messages(&dlq, &queue, 10).await.unwrap();
    assert_eq!(moved, 1);
    let stats = q.stats(&dlq).await.unwrap();
    assert_eq!((stats.visible, stats.in_flight), (0, 0));

    let back = receive_one(q, &queue, None).await;
    assert_eq!(back.body, "retry me");
    assert_eq!(back.receive_count, 1);
    let _ = sent;
    q.delete(&queue, &back.receipt_handle).await.unwrap();
    assert_eq!(q.move_messages(&dlq, &queue, 10).await.unwrap(), 0);
}

pub async fn peek_leaves_messages_untouched(q: &dyn Queue, prefix: &str) {
    let (queue, dlq) = setup(q, prefix).await;
    let sent = into_dlq(q, &queue, &dlq, "inspect me").await;
    for _ in 0..2 {
        let peeked = q.peek(&dlq, 10).await.unwrap();
        assert_eq!(peeked.len(), 1);
        assert_eq!(peeked[0].message_id, sent);
        assert_eq!(peeked[0].body, "inspect me");
        assert_eq!(peeked[0].receive_count, 0);
    }
    let stats = q.stats(&dlq).await.unwrap();
    assert_eq!((stats.visible, stats.in_flight), (1, 0));
    let got = receive_one(q, &dlq, None).await;
    assert_eq!(got.receive_count, 1);
}

pub async fn delay_hides_a_message_until_due(q: &dyn Queue, prefix: &str) {
    let (queue, _) = setup(q, prefix).await;
    let start = Instant::now();
    q.send(&queue, "later", Some(Duration::from_secs(1)))
        .await
        .unwrap();
    receive_none(q, &queue).await;
    assert_eq!(q.stats(&queue).await.unwrap().delayed, 1);
    // A long poll wakes by itself when the delay ends.
    let options = ReceiveOptions::batch(1).wait(Duration::from_secs(5));
    let got = q.receive(&queue, &options).await.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].body, "later");
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(900),
        "arrived early: {waited:?}"
    );
    assert!(waited < Duration::from_secs(4), "arrived late: {waited:?}");
}

pub async fn visibility_timeout_is_the_queues(q: &dyn Queue, prefix: &str) {
    let queue = format!("{prefix}-slow");
    let config = QueueConfig {
        visibility_timeout: Duration::from_secs(1805),
        ..QueueConfig::default()
    };
    q.ensure_queue(&queue, &config).await.unwrap();
    assert_eq!(
        q.visibility_timeout(&queue).await.unwrap(),
        Duration::from_secs(1805)
    );
    let missing = q.visibility_timeout(&format!("{prefix}-none")).await;
    assert_eq!(missing.unwrap_err().code, QueueErrorCode::QueueDoesNotExist);
}

pub async fn queue_default_delay_applies(q: &dyn Queue, prefix: &str) {
    let queue = format!("{prefix}-delayed");
    let config = QueueConfig {
        visibility_timeout: VISIBILITY,
        delay: Duration::from_secs(1),
        ..QueueConfig::default()
    };
    q.ensure_queue(&queue, &config).await.unwrap();
    q.send(&queue, "default delay", None).await.unwrap();
    q.send(&queue, "no delay", Some(Duration::ZERO))
        .await
        .unwrap();
    let first = receive_one(q, &queue, None).await;
    assert_eq!(first.body, "no delay");
    receive_none(q, &queue).await;
    tokio::time::sleep(Duration::from_secs(1) + SLACK).await;
    assert_eq!(receive_one(q, &queue, None).await.body, "default delay");
}

pub async fn long_poll_returns_when_a_message_arrives(q: &dyn Queue, prefix: &str) {
    let (queue, _) = setup(q, prefix).await;
    let start = Instant::now();
    let options = ReceiveOptions::batch(10).wait(Duration::from_secs(10));
    let receiver = q.receive(&queue, &options);
    let sender = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        q.send(&queue, "wake up", None).await.unwrap();
    };
    let (got, ()) = tokio::join!(receiver, sender);
    let got = got.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].body, "wake up");
    let waited = start.elapsed();
    assert!(
        waited < Duration::from_secs(3),
        "long poll did not return early: {waited:?}"
    );
}

pub async fn long_poll_times_out_empty(q: &dyn Queue, prefix: &str) {
    let (queue, _) = setup(q, prefix).await;
    let start = Instant::now();
    let options = ReceiveOptions::batch(1).wait(Duration::from_secs(1));
    assert!(q.receive(&queue, &options).await.unwrap().is_empty());
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(900),
        "returned early: {waited:?}"
    );
}

pub async fn change_visibility_extends_and_zero_releases(q: &dyn Queue, prefix: &str) {
    let (queue, _) = setup(q, prefix).await;
    q.send(&queue, "slow job", None).await.unwrap();
    let got = receive_one(q, &queue, None).await;
    q.change_visibility(&queue, &got.receipt_handle, Duration::from_secs(4))
        .await
        .unwrap();
    tokio::time::sleep(VISIBILITY + SLACK).await;
    receive_none(q, &queue).await;
    assert_eq!(q.stats(&queue).await.unwrap().in_flight, 1);

    q.change_visibility(&queue, &got.receipt_handle, Duration::ZERO)
        .await
        .unwrap();
    let again = receive_one(q, &queue, None).await;
    assert_eq!(again.message_id, got.message_id);
    assert_eq!(again.receive_count, 2);

    let outcome = q
        .change_visibility_batch(
            &queue,
            vec![
                VisibilityEntry {
                    id: "current".into(),
                    receipt_handle: again.receipt_handle.clone(),
                    timeout: Duration::from_secs(30),
                },
                VisibilityEntry {
                    id: "stale".into(),
                    receipt_handle: got.receipt_handle.clone(),
                    timeout: Duration::from_secs(30),
                },
            ],
        )
        .await
        .unwrap();
    assert_eq!(outcome.successful.len(), 1);
    assert_eq!(outcome.successful[0].id, "current");
    assert_eq!(outcome.failed.len(), 1);
    assert_eq!(outcome.failed[0].id, "stale");
    assert_eq!(
        outcome.failed[0].code,
        QueueErrorCode::ReceiptHandleIsInvalid
    );
}

pub async fn stale_receipt_is_rejected(q: &dyn Queue, prefix: &str) {
    let (queue, _) = setup(q, prefix).await;
    q.send(&queue, "twice", None).await.unwrap();
    let first = receive_one(q, &queue, Some(Duration::ZERO)).await;
    let second = receive_one(q, &queue, None).await;
    assert_eq!(second.message_id, first.message_id);

    let err = q.delete(&queue, &first.receipt_handle).await.unwrap_err();
    assert_eq!(err.code, QueueErrorCode::ReceiptHandleIsInvalid);
    assert_eq!(q.stats(&queue).await.unwrap().in_flight, 1);

    let err = q.delete(&queue, "not-a-receipt").await.unwrap_err();
    assert_eq!(err.code, QueueErrorCode::ReceiptHandleIsInvalid);

    q.delete(&queue, &second.receipt_handle).await.unwrap();
    let stats = q.stats(&queue).await.unwrap();
    assert_eq!((stats.visible, stats.in_flight), (0, 0));
}

pub async fn delete_batch_reports_entries_separately(q: &dyn Queue, prefix: &str) {
    let (queue, _) = setup(q, prefix).await;
    q.send(&queue, "a", None).await.unwrap();
    let got = receive_one(q, &queue, None).await;
    let outcome = q
        .delete_batch(
            &queue,
            vec![
                DeleteEntry {
                    id: "good".into(),
                    receipt_handle: got.receipt_handle.clone(),
                },
                DeleteEntry {
                    id: "bad".into(),
                    receipt_handle: "garbage".into(),
                },
            ],
        )
        .await
        .unwrap();
    assert_eq!(outcome.successful.len(), 1);
    assert_eq!(outcome.successful[0].id, "good");
    assert_eq!(outcome.failed.len(), 1);
    assert_eq!(outcome.failed[0].id, "bad");
    assert_eq!(
        outcome.failed[0].code,
        QueueErrorCode::ReceiptHandleIsInvalid
    );
    tokio::time::sleep(VISIBILITY + SLACK).await;
    receive_none(q, &queue).await;
}

pub async fn batch_roundtrip(q: &dyn Queue, prefix: &str) {
    let (queue, _) = setup(q, prefix).await;
    let entries: Vec<SendEntry> = (0..10)
        .map(|i| SendEntry::new(format!("e{i}"), format!("body {i}")))
        .collect();
    let outcome = q.send_batch(&queue, entries).await.unwrap();
    assert!(outcome.failed.is_empty());
    assert_eq!(outcome.successful.len(), 10);
    let mut sent: Vec<String> = outcome
        .successful
        .iter()
        .map(|s| s.message_id.clone().unwrap())
        .collect();

    let got = receive_n(q, &queue, 10, Duration::from_secs(5), None).await;
    assert_eq!(got.len(), 10);
    let mut received: Vec<String> = got.iter().map(|m| m.message_id.clone()).collect();
    sent.sort();
    received.sort();
    assert_eq!(sent, received);
    let mut bodies: Vec<&str> = got.iter().map(|m| m.body.as_str()).collect();
    bodies.sort();
    assert_eq!(bodies[0], "body 0");

    let deletes = got
        .iter()
        .enumerate()
        .map(|(i, m)| DeleteEntry {
            id: format!("d{i}"),
            receipt_handle: m.receipt_handle.clone(),
        })
        .collect();
    let outcome = q.delete_batch(&queue, deletes).await.unwrap();
    assert!(outcome.failed.is_empty(), "{:?}", outcome.failed);
    assert_eq!(outcome.successful.len(), 10);
    let stats = q.stats(&queue).await.unwrap();
    assert_eq!((stats.visible, stats.in_flight, stats.delayed), (0, 0, 0));
}

fn entries(n: usize, body_len: usize) -> Vec<SendEntry> {
    (0..n)
        .map(|i| SendEntry::new(format!("e{i}"), "x".repeat(body_len)))
        .collect()
}

pub async fn send_batch_request_limits(q: &dyn Queue, prefix: &str) {
    let (queue, _) = setup(q, prefix).await;
    let err = q.send_batch(&queue, entries(11, 1)).await.unwrap_err();
    assert_eq!(err.code, QueueErrorCode::TooManyEntriesInBatchRequest);
    let err = q.send_batch(&queue, Vec::new()).await.unwrap_err();
    assert_eq!(err.code, QueueErrorCode::EmptyBatchRequest);
    let dup = vec![SendEntry::new("same", "a"), SendEntry::new("same", "b")];
    let err = q.send_batch(&queue, dup).await.unwrap_err();
    assert_eq!(err.code, QueueErrorCode::BatchEntryIdsNotDistinct);
    let bad = vec![SendEntry::new("no spaces", "a")];
    let err = q.send_batch(&queue, bad).await.unwrap_err();
    assert_eq!(err.code, QueueErrorCode::InvalidBatchEntryId);
    // Nothing of a rejected request was sent.
    receive_none(q, &queue).await;
}

pub async fn send_batch_oversized_entry_fails_alone(q: &dyn Queue, prefix: &str) {
    let (queue, _) = setup(q, prefix).await;
    let batch = vec![
        SendEntry::new("small1", "ok 1"),
        SendEntry::new("huge", "x".repeat(limits::MAX_MESSAGE_BYTES + 1)),
        SendEntry::new("small2", "ok 2"),
    ];
    let outcome = q.send_batch(&queue, batch).await.unwrap();
    assert_eq!(outcome.failed.len(), 1);
    assert_eq!(outcome.failed[0].id, "huge");
    assert_eq!(outcome.failed[0].code, QueueErrorCode::MessageTooLong);
    let mut ok: Vec<&str> = outcome.successful.iter().map(|s| s.id.as_str()).collect();
    ok.sort();
    assert_eq!(ok, ["small1", "small2"]);
    let got = receive_n(q, &queue, 2, Duration::from_secs(5), None).await;
    assert_eq!(got.len(), 2);
}

pub async fn send_batch_total_payload_limit(q: &dyn Queue, prefix: &str) {
    let (queue, _) = setup(q, prefix).await;
    // Each entry fits alone; together they exceed 256 KiB.
    let err = q
        .send_batch(&queue, entries(3, 100 * 1024))
        .await
        .unwrap_err();
    assert_eq!(err.code, QueueErrorCode::BatchRequestTooLong);
    receive_none(q, &queue).await;
    // Exactly at the limit is accepted.
    let outcome = q
        .send_batch(&queue, entries(2, limits::MAX_MESSAGE_BYTES / 2))
        .await
        .unwrap();
    assert_eq!(outcome.successful.len(), 2);
}

pub async fn delete_and_visibility_batch_limits(q: &dyn Queue, prefix: &str) {
    let (queue, _) = setup(q, prefix).await;
    let deletes = |n: usize| -> Vec<DeleteEntry> {
        (0..n)
            .map(|i| DeleteEntry {
                id: format!("d{i}"),
                receipt_handle: "r".into(),
            })
            .collect()
    };
    let err = q.delete_batch(&queue, deletes(11)).await.unwrap_err();
    assert_eq!(err.code, QueueErrorCode::TooManyEntriesInBatchRequest);
    let err = q.delete_batch(&queue, Vec::new()).await.unwrap_err();
    assert_eq!(err.code, QueueErrorCode::EmptyBatchRequest);
    let mut dup = deletes(2);
    dup[1].id = dup[0].id.clone();
    let err = q.delete_batch(&queue, dup).await.unwrap_err();
    assert_eq!(err.code, QueueErrorCode::BatchEntryIdsNotDistinct);

    let changes = |n: usize| -> Vec<VisibilityEntry> {
        (0..n)
            .map(|i| VisibilityEntry {
                id: format!("v{i}"),
                receipt_handle: "r".into(),
                timeout: Duration::ZERO,
            })
            .collect()
    };
    let err = q
        .change_visibility_batch(&queue, changes(11))
        .await
        .unwrap_err();
    assert_eq!(err.code, QueueErrorCode::TooManyEntriesInBatchRequest);
    let err = q
        .change_visibility_batch(&queue, Vec::new())
        .await
        .unwrap_err();
    assert_eq!(err.code, QueueErrorCode::EmptyBatchRequest);
    let mut dup = changes(2);
    dup[1].id = dup[0].id.clone();
    let err = q.change_visibility_batch(&queue, dup).await.unwrap_err();
    assert_eq!(err.code, QueueErrorCode::BatchEntryIdsNotDistinct);
}

pub async fn message_size_limit(q: &dyn Queue, prefix: &str) {
    let (queue, _) = setup(q, prefix).await;
    let err = q
        .send(&queue, &"x".repeat(limits::MAX_MESSAGE_BYTES + 1), None)
        .await
        .unwrap_err();
    assert_eq!(err.code, QueueErrorCode::MessageTooLong);
    let at_limit = "y".repeat(limits::MAX_MESSAGE_BYTES);
    q.send(&queue, &at_limit, None).await.unwrap();
    let got = receive_one(q, &queue, None).await;
    assert_eq!(got.body.len(), limits::MAX_MESSAGE_BYTES);
}

pub async fn receive_parameter_limits(q: &dyn Queue, prefix: &str) {
    let (queue, _) = setup(q, prefix).await;
    for max in [0, 11] {
        let err = q
            .receive(&queue, &ReceiveOptions::batch(max))
            .await
            .unwrap_err();
        assert_eq!(err.code, QueueErrorCode::InvalidParameterValue, "max {max}");
    }
    let err = q
        .receive(
            &queue,
            &ReceiveOptions::batch(1).wait(Duration::from_secs(21)),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, QueueErrorCode::InvalidParameterValue);
    let too_long = limits::MAX_VISIBILITY_TIMEOUT + Duration::from_secs(1);
    let err = q
        .receive(&queue, &ReceiveOptions::batch(1).visibility(too_long))
        .await
        .unwrap_err();
    assert_eq!(err.code, QueueErrorCode::InvalidParameterValue);

    q.send(&queue, "m", None).await.unwrap();
    let got = receive_one(q, &queue, None).await;
    let err = q
        .change_visibility(&queue, &got.receipt_handle, too_long)
        .await
        .unwrap_err();
    assert_eq!(err.code, QueueErrorCode::InvalidParameterValue);
    let config = QueueConfig {
        visibility_timeout: too_long,
        ..QueueConfig::default()
    };
    let err = q
        .ensure_queue(&format!("{prefix}-bad"), &config)
        .await
        .unwrap_err();
    assert_eq!(err.code, QueueErrorCode::InvalidParameterValue);
}

pub async fn missing_queue_is_reported(q: &dyn Queue, prefix: &str) {
    let missing = format!("{prefix}-missing");
    let code = |r: Result<(), migrationai_ports::QueueError>| r.unwrap_err().code;
    let expected = QueueErrorCode::QueueDoesNotExist;
    assert_eq!(code(q.send(&missing, "m", None).await.map(drop)), expected);
    assert_eq!(
        code(
            q.receive(&missing, &ReceiveOptions::default())
                .await
                .map(drop)
        ),
        expected
    );
    assert_eq!(code(q.stats(&missing).await.map(drop)), expected);
    assert_eq!(code(q.purge(&missing).await), expected);
    let with_missing_dlq = QueueConfig {
        dlq: Some(missing.clone()),
        ..QueueConfig::default()
    };
    assert_eq!(
        code(
            q.ensure_queue(&format!("{prefix}-q"), &with_missing_dlq)
                .await
        ),
        expected
    );
}

pub async fn stats_count_visible_in_flight_and_delayed(q: &dyn Queue, prefix: &str) {
    let (queue, _) = setup(q, prefix).await;
    for i in 0..3 {
        q.send(&queue, &format!("now {i}"), None).await.unwrap();
    }
    q.send(&queue, "later", Some(Duration::from_secs(60)))
        .await
        .unwrap();
    let got = receive_n(
        q,
        &queue,
        2,
        Duration::from_secs(5),
        Some(Duration::from_secs(60)),
    )
    .await;
    assert_eq!(got.len(), 2);
    let stats = q.stats(&queue).await.unwrap();
    assert_eq!(stats.visible, 1);
    assert_eq!(stats.in_flight, 2);
    assert_eq!(stats.delayed, 1);
}

pub async fn purge_empties_the_queue(q: &dyn Queue, prefix: &str) {
    let (queue, _) = setup(q, prefix).await;
    let outcome = q.send_batch(&queue, entries(5, 10)).await.unwrap();
    assert_eq!(outcome.successful.len(), 5);
    receive_one(q, &queue, None).await;
    q.purge(&queue).await.unwrap();
    let stats = q.stats(&queue).await.unwrap();
    assert_eq!((stats.visible, stats.in_flight, stats.delayed), (0, 0, 0));
    receive_none(q, &queue).await;
}
