//! The AWS profile's cache is Redis (MemoryDB), reached as the Terraform's ACL user with the
//! default user disabled: two API instances share sign-in counts and lockouts, and readiness
//! follows the real state of Redis. Each test runs its own redis-server (the one
//! scripts/services.sh installs), since disabling the default user would lock every other
//! test out of the shared one. Skipped (with a notice) without the services' variables,
//! failed under CI.

#[path = "../../host/tests/aws_common/mod.rs"]
mod aws_common;

use std::net::{IpAddr, Ipv4Addr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use migrationai_adapters::aws::RedisSettings;
use migrationai_api::api::system;
use migrationai_api::auth::limit;
use migrationai_api::{ApiError, AppState, Settings};
use migrationai_api_types::client::ClientAddr;
use migrationai_host::profile::{AwsConfig, Profile};
use migrationai_host::Config;

const USER: &str = "migrationai-app";
const PASSWORD: &str = "a-test-only-redis-password";

/// A redis-server of this test's own, killed when dropped.
struct Redis {
    port: u16,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Redis {
    fn start() -> Redis {
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        Redis::start_on(port)
    }

    fn start_on(port: u16) -> Redis {
        let dir = tempfile::tempdir().expect("tempdir");
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(dir.path())
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server (scripts/services.sh installs it)");
        let redis = Redis {
            port,
            child,
            _dir: dir,
        };
        redis.lock_down();
        redis
    }

    /// As on MemoryDB: one password user with the Terraform's access string, and no
    /// default user.
    fn lock_down(&self) {
        let url = format!("redis://127.0.0.1:{}", self.port);
        let client = redis::Client::open(url.as_str()).expect("client");
        let mut conn = (0..100)
            .find_map(|_| {
                client.get_connection().ok().or_else(|| {
                    std::thread::sleep(Duration::from_millis(50));
                    None
                })
            })
            .expect("redis-server answers");
        let pass = format!(">{PASSWORD}");
        redis::cmd("ACL")
            .arg(&[
                "SETUSER",
                USER,
                "on",
                &pass,
                "~*",
                "&*",
                "+@all",
                "-@dangerous",
            ])
            .exec(&mut conn)
            .expect("create the ACL user");
        redis::cmd("ACL")
            .arg(&["SETUSER", "default", "off"])
            .exec(&mut conn)
            .expect("disable the default user");
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.stop();
    }
}

fn as_app_user(url: String) -> Option<RedisSettings> {
    Some(RedisSettings {
        url,
        user: Some(USER.into()),
        password: Some(PASSWORD.into()),
    })
}

async fn open(aws: &AwsConfig, dir: &std::path::Path) -> anyhow::Result<AppState> {
    let config = Config {
        profile: Profile::Aws(Box::new(aws.clone())),
        ..Config::embedded(dir)
    };
    Ok(migrationai_host::open::state(&config, Settings::default()).await?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_api_instances_share_sign_in_failures_through_redis() {
    let Some(env) = aws_common::env() else {
        return;
    };
    let redis = Redis::start();
    // The default user is really off: without the ACL user nothing is allowed.
    let anonymous = redis::Client::open(redis.url().as_str()).expect("client");
    let refused: redis::RedisResult<Option<String>> = redis::cmd("GET")
        .arg("k")
        .query(&mut anonymous.get_connection().expect("connection"));
    assert!(refused.is_err(), "the default user still answers");

    let mut aws = aws_common::aws_config(&env, "cache").await;
    aws.redis = as_app_user(redis.url());
    let dir = tempfile::tempdir().expect("tempdir");
    let one = open(&aws, &dir.path().join("one"))
        .await
        .expect("first API");
    let two = open(&aws, &dir.path().join("two"))
        .await
        .expect("second API");

    let email = "someone@firm.test";
    let from = ClientAddr(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 7)));
    let limits = &one.settings.sign_in;
    // The failures alternate between the instances; the one that reaches the limit locks
    // the account on both.
    for attempt in 0..limits.account_failures {
        let state = if attempt % 2 == 0 { &one } else { &two };
        limit::before_attempt(state, email, from)
            .await
            .unwrap_or_else(|e| panic!("attempt {attempt} refused early: {e}"));
        limit::after_failure(state, email, from)
            .await
            .expect("failure counted");
    }
    for state in [&one, &two] {
        match limit::before_attempt(state, email, from).await {
            Err(ApiError::TooManyRequests { message, .. }) => {
                assert!(message.contains("account"), "{message}")
            }
            other => panic!("not locked on both instances: {other:?}"),
        }
    }
    // Another account is untouched.
    limit::before_attempt(&two, "other@firm.test", from)
        .await
        .expect("another account signs in");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_follows_redis_and_a_role_does_not_start_without_it() {
    let Some(env) = aws_common::env() else {
        return;
    };
    let mut redis = Redis::start();
    let mut aws = aws_common::aws_config(&env, "ready").await;
    let dir = tempfile::tempdir().expect("tempdir");

    // Nothing listens on port 1: the role refuses to start, naming Redis.
    aws.redis = as_app_user("redis://127.0.0.1:1".into());
    let err = open(&aws, &dir.path().join("a"))
        .await
        .err()
        .expect("started without Redis");
    assert!(format!("{err:#}").contains("Redis"), "{err:#}");

    // A wrong password is refused as well, and never shown.
    aws.redis = Some(RedisSettings {
        password: Some("not-the-password".into()),
        ..as_app_user(redis.url()).expect("settings")
    });
    let err = open(&aws, &dir.path().join("b"))
        .await
        .err()
        .expect("started with a wrong Redis password");
    assert!(!format!("{err:#}").contains("not-the-password"), "{err:#}");

    aws.redis = as_app_user(redis.url());
    let state = open(&aws, &dir.path().join("c")).await.expect("API");
    let ready = system::check(&state).await;
    assert!(ready.cache && ready.ready, "{ready:?}");

    redis.stop();
    let down = system::check(&state).await;
    assert!(
        !down.cache && !down.ready,
        "ready with Redis down: {down:?}"
    );

    // Back on the same address: the connection is made again without a restart.
    let _again = Redis::start_on(redis.port);
    let mut back = system::check(&state).await;
    for _ in 0..50 {
        if back.cache {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        back = system::check(&state).await;
    }
    assert!(
        back.cache && back.ready,
        "not ready after Redis returned: {back:?}"
    );
}
