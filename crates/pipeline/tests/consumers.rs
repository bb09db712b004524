//! Who consumes the queues: a process that made them (embedded, `up`, a test's moto queues)
//! runs its own pollers; a process on queues the Terraform made starts none, since the 13
//! Lambda functions consume those and no host may receive from them.

mod common;

use migrationai_pipeline::{Adapters, App};
use tokio_util::sync::CancellationToken;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_a_process_that_made_the_queues_polls_them() {
    use migrationai_adapters::embedded::{db_blob_store, local_blob_store, EmbeddedQueue};
    use migrationai_adapters::sql::SqlStore;
    let data = tempfile::tempdir().expect("tempdir");
    let config = common::config(data.path());
    let own = common::open(&config).await.expect("embedded app");
    let stop = CancellationToken::new();
    let pollers = own.start_workers(&stop).await.expect("pollers");
    assert_eq!(pollers.len(), 13, "one poller per queue");
    stop.cancel();
    for p in pollers {
        p.await.expect("poller stops");
    }

    let dir = data.path();
    let theirs = App::open(
        &config,
        Adapters {
            store: std::sync::Arc::new(
                SqlStore::open_sqlite(&dir.join("store.db"))
                    .await
                    .expect("store"),
            ),
            queue: std::sync::Arc::new(EmbeddedQueue::open_in_dir(dir).await.expect("queue")),
            blobs: local_blob_store(dir).expect("blobs"),
            batches: db_blob_store(dir).await.expect("batches"),
            ensure_queues: false,
            place: "queues another made".into(),
        },
    )
    .await
    .expect("app on existing queues");
    let none = theirs
        .start_workers(&CancellationToken::new())
        .await
        .expect("no pollers");
    assert!(none.is_empty(), "started {} pollers", none.len());
}
