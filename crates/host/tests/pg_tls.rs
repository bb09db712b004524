//! The aws profile's database URL verifies the server (`sslmode=verify-full` with the CA
//! bundle of `MIGRATIONAI_DATABASE_CA_FILE`), checked against a PostgreSQL of the test's own
//! that accepts TLS only, with a certificate for `localhost` signed by a throwaway CA: the right
//! CA and name connect; another CA, or a name the certificate does not carry, do not; the old
//! `sslmode=require` accepted the wrong CA. Runs under scripts/services.sh (for the PostgreSQL
//! binaries); skipped (with a notice) without them, failed under CI.

mod aws_common;

use std::path::Path;

use aws_common::own_postgres::{OwnPostgres, ServerTls};

use migrationai_host::profile::postgres_url;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};
use secrecy::{ExposeSecret, SecretString};
use sqlx::{Connection, PgConnection};

/// A CA: its certificate (PEM) and what signs with it.
struct Ca {
    pem: String,
    cert: rcgen::Certificate,
    key: KeyPair,
}

fn ca(name: &str) -> Ca {
    let key = KeyPair::generate().expect("CA key");
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.distinguished_name.push(DnType::CommonName, name);
    let cert = params.self_signed(&key).expect("CA certificate");
    Ca {
        pem: cert.pem(),
        cert,
        key,
    }
}

/// A server certificate for `localhost` only, and its key (PEM).
fn server_cert(ca: &Ca) -> (String, String) {
    let key = KeyPair::generate().expect("server key");
    let mut params = CertificateParams::new(vec!["localhost".to_owned()]).expect("params");
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let cert = params
        .signed_by(&key, &ca.cert, &ca.key)
        .expect("server certificate");
    (cert.pem(), key.serialize_pem())
}

/// A PostgreSQL cluster of the test's own, TLS only; stopped when dropped.
fn url(host: &str, port: u16, ca_file: &Path) -> String {
    postgres_url(
        "postgres",
        &SecretString::from(String::new()),
        host,
        port,
        "postgres",
        &ca_file.display().to_string(),
    )
    .expose_secret()
    .to_owned()
}

#[tokio::test]
async fn verify_full_accepts_only_the_right_ca_and_name() {
    let Some(bin) = aws_common::pg_bin() else {
        return;
    };
    let right = ca("migrationai test CA");
    let wrong = ca("another CA");
    let (cert, key) = server_cert(&right);
    let pg = OwnPostgres::start(
        bin,
        Some(ServerTls {
            cert: &cert,
            key: &key,
        }),
    );
    let files = tempfile::tempdir().expect("tempdir");
    let right_file = files.path().join("right.pem");
    let wrong_file = files.path().join("wrong.pem");
    std::fs::write(&right_file, &right.pem).expect("write CA");
    std::fs::write(&wrong_file, &wrong.pem).expect("write CA");

    // The URL the aws profile builds, with the right bundle and the certificate's name.
    let good = url("localhost", pg.port, &right_file);
    assert!(good.contains("sslmode=verify-full"), "{good}");
    let mut conn = PgConnection::connect(&good)
        .await
        .expect("verify-full with the right CA and host connects");
    let ssl: bool = sqlx::query_scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .fetch_one(&mut conn)
        .await
        .expect("pg_stat_ssl");
    assert!(ssl, "the session is encrypted");
    conn.close().await.expect("close");

    // A server whose certificate another CA signed (an impostor) is refused.
    let err = PgConnection::connect(&url("localhost", pg.port, &wrong_file))
        .await
        .expect_err("verify-full with another CA must fail");
    assert!(err.to_string().contains("UnknownIssuer"), "{err}");

    // The right CA, but a name the certificate does not carry.
    let err = PgConnection::connect(&url("127.0.0.1", pg.port, &right_file))
        .await
        .expect_err("verify-full with a host not in the certificate must fail");
    assert!(err.to_string().contains("not valid for name"), "{err}");

    // What the old `sslmode=require` did: encrypted, but any certificate passes.
    let require = format!(
        "postgres://postgres@localhost:{}/postgres?sslmode=require&sslrootcert={}",
        pg.port,
        wrong_file.display()
    );
    PgConnection::connect(&require)
        .await
        .expect("require does not verify the server")
        .close()
        .await
        .expect("close");

    // And the server takes no plain-text connection.
    let plain = format!(
        "postgres://postgres@localhost:{}/postgres?sslmode=disable",
        pg.port
    );
    assert!(PgConnection::connect(&plain).await.is_err());
}
