//! The cache on Redis in cluster mode, as MemoryDB always runs: one shard, a primary and a
//! replica, the application user with the Terraform's access string and the default user
//! disabled. The adapter is pointed at the replica, as MemoryDB's endpoint may resolve to one:
//! a plain client gets `MOVED` for every write there, the cluster client follows the slot map.
//! The nodes are this test's own redis-servers (scripts/services.sh installs redis-server);
//! skipped with a notice without the services, failed under CI.

mod aws_env;

use std::net::{Ipv4Addr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use migrationai_adapters::aws::{RedisCache, RedisSettings};
use migrationai_ports::cache::Cache;

const ADMIN: (&str, &str) = ("admin", "a-test-only-admin-password");
const APP: (&str, &str) = ("migrationai-app", "a-test-only-redis-password");

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// One cluster-mode redis-server of this test's own, killed when dropped.
struct Node {
    port: u16,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Node {
    fn start() -> Node {
        let dir = tempfile::tempdir().expect("tempdir");
        let (port, bus) = (free_port(), free_port());
        let config = dir.path().join("redis.conf");
        std::fs::write(&config, node_config(dir.path(), port, bus)).expect("write redis.conf");
        let child = Command::new("redis-server")
            .arg(&config)
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server (scripts/services.sh installs it)");
        let node = Node {
            port,
            child,
            _dir: dir,
        };
        wait_for("the node to answer", || node.admin().ok().map(|_| ()));
        node
    }

    fn admin(&self) -> redis::RedisResult<redis::Connection> {
        let url = format!("redis://{}:{}@127.0.0.1:{}", ADMIN.0, ADMIN.1, self.port);
        redis::Client::open(url)?.get_connection()
    }

    fn query(&self, args: &[&str]) -> String {
        let mut conn = self.admin().expect("admin connection");
        let mut cmd = redis::cmd(args[0]);
        for a in &args[1..] {
            cmd.arg(*a);
        }
        match cmd.query::<redis::Value>(&mut conn).expect("admin command") {
            redis::Value::BulkString(b) => String::from_utf8_lossy(&b).into_owned(),
            redis::Value::SimpleString(s) | redis::Value::VerbatimString { text: s, .. } => s,
            other => format!("{other:?}"),
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn node_config(dir: &Path, port: u16, bus: u16) -> String {
    format!(
        "port {port}\nbind 127.0.0.1\ncluster-enabled yes\ncluster-port {bus}\n\
         cluster-config-file {nodes}\ndir {dir}\nsave \"\"\nappendonly no\n\
         user {admin} on >{admin_pw} ~* &* +@all\n\
         user {app} on >{app_pw} ~* &* +@all -@dangerous\n\
         user default off\nmasteruser {admin}\nmasterauth {admin_pw}\n",
        nodes = dir.join("nodes.conf").display(),
        dir = dir.display(),
        admin = ADMIN.0,
        admin_pw = ADMIN.1,
        app = APP.0,
        app_pw = APP.1,
    )
}

fn wait_for<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(v) = probe() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A primary holding every slot and a replica of it, both reporting `cluster_state:ok`.
fn one_shard_with_a_replica() -> (Node, Node) {
    let primary = Node::start();
    let replica = Node::start();
    primary.query(&["CLUSTER", "ADDSLOTSRANGE", "0", "16383"]);
    let primary_id = primary.query(&["CLUSTER", "MYID"]);
    let bus = primary_bus_port(&primary);
    replica.query(&[
        "CLUSTER",
        "MEET",
        "127.0.0.1",
        &primary.port.to_string(),
        &bus.to_string(),
    ]);
    wait_for("the replica to learn the primary", || {
        replica
            .query(&["CLUSTER", "NODES"])
            .contains(&primary_id)
            .then_some(())
    });
    replica.query(&["CLUSTER", "REPLICATE", &primary_id]);
    for node in [&primary, &replica] {
        wait_for("cluster_state:ok", || {
            node.query(&["CLUSTER", "INFO"])
                .contains("cluster_state:ok")
                .then_some(())
        });
    }
    wait_for("the replica's link to its primary", || {
        replica
            .query(&["INFO", "replication"])
            .contains("master_link_status:up")
            .then_some(())
    });
    (primary, replica)
}

fn primary_bus_port(primary: &Node) -> u16 {
    // `CLUSTER NODES`: "<id> 127.0.0.1:<port>@<bus> myself,master ...".
    let nodes = primary.query(&["CLUSTER", "NODES"]);
    nodes
        .lines()
        .find(|l| l.contains("myself"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|addr| addr.split('@').nth(1))
        .and_then(|bus| bus.split(',').next())
        .and_then(|bus| bus.parse().ok())
        .expect("the primary's cluster bus port")
}

#[tokio::test]
async fn a_cache_pointed_at_a_replica_writes_through_the_cluster() {
    if aws_env::require("MIGRATIONAI_TEST_REDIS_URL").is_none() {
        return;
    }
    let (primary, replica) = tokio::task::spawn_blocking(one_shard_with_a_replica)
        .await
        .expect("cluster set-up");

    // The application user on the replica, as a plain client sees it: writes are MOVED.
    let app_url = format!("redis://{}:{}@127.0.0.1:{}", APP.0, APP.1, replica.port);
    let mut plain = redis::Client::open(app_url.as_str())
        .and_then(|c| c.get_connection())
        .expect("plain connection to the replica");
    let moved = redis::cmd("SET").arg("k").arg("v").exec(&mut plain);
    assert!(
        moved
            .as_ref()
            .is_err_and(|e| e.to_string().to_lowercase().contains("moved")),
        "a replica should refuse a plain client's write: {moved:?}"
    );

    let cache = RedisCache::connect(&RedisSettings {
        url: format!("redis://127.0.0.1:{}", replica.port),
        user: Some(APP.0.into()),
        password: Some(APP.1.into()),
    })
    .await
    .expect("connect through the replica");
    assert!(
        cache.is_cluster(),
        "a cluster-mode server gets the cluster client"
    );

    let ttl = Duration::from_secs(60);
    cache
        .set("job:1", Bytes::from_static(b"running"), ttl)
        .await
        .expect("set");
    assert_eq!(
        cache.get("job:1").await.expect("get").as_deref(),
        Some(&b"running"[..])
    );
    assert_eq!(primary.query(&["GET", "job:1"]), "running");
    assert_eq!(cache.incr("signin:a", ttl).await.expect("incr"), 1);
    assert_eq!(cache.incr("signin:a", ttl).await.expect("incr"), 2);
    assert_eq!(cache.generation("pages").await.expect("generation"), 0);
    assert_eq!(cache.bump("pages").await.expect("bump"), 1);
    cache.delete("job:1").await.expect("delete");
    assert_eq!(cache.get("job:1").await.expect("get"), None);
}
