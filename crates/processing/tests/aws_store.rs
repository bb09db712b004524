//! The store's contract on PostgreSQL: the same SQL adapter and migrations as on SQLite.

mod aws_common;
#[path = "store.rs"]
mod store_contract;

use migrationai_adapters::sql::SqlStore;
use migrationai_ports::store::Store;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_store_keeps_the_contract() {
    let Some(env) = aws_common::env() else {
        return;
    };
    let url = aws_common::fresh_database(&env.database, &aws_common::unique("store_")).await;
    let store = SqlStore::connect(&url).await.expect("connect");
    store.migrate().await.expect("migrate");
    // Migrating again changes nothing.
    store.migrate().await.expect("migrate twice");
    store_contract::contract(&store).await;
}
