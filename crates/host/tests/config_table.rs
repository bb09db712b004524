//! The configuration table: the README shows exactly what the code declares, the deployment
//! sets only declared variables, every declared variable is read, and no loaded setting
//! prints a secret.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use migrationai_host::settings::vars::{self, Type, Var, ALL};
use migrationai_host::settings::{load, markdown, Env};
use migrationai_host::PoolRole;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn the_readme_table_is_the_generated_one() {
    let path = root().join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md");
    let generated = markdown::replace_in(&readme).unwrap_or_else(|| {
        panic!(
            "README.md has no `{}` … `{}` markers in its Configuration section",
            markdown::START,
            markdown::END
        )
    });
    if std::env::var_os("UPDATE_README").is_some() {
        std::fs::write(&path, &generated).expect("write README.md");
        return;
    }
    assert!(
        readme == generated,
        "README.md's configuration table differs from the code's declarations \
         (crates/host/src/settings/vars.rs). Regenerate it with\n  \
         UPDATE_README=1 cargo nextest run --workspace -E 'package(migrationai-host) & binary(config_table)'\n\
         or paste the output of `migrationai config --markdown` between the markers.\n\
         Generated table:\n{}",
        markdown::table()
    );
}

/// Variables the deployment's own scripts read (never the binary): the CloudWatch log group
/// compose sends to, the host key and SSM parameter the deploy scripts look up, and the test
/// harness's endpoints, virtualenv, data directory and binary path.
const SCRIPT_ONLY: &[&str] = &[
    "MIGRATIONAI_LOG_GROUP",
    "MIGRATIONAI_HOST",
    "MIGRATIONAI_CONFIG_PARAMETER",
    "MIGRATIONAI_SERVICES_DIR",
    "MIGRATIONAI_VENV",
    "MIGRATIONAI_BIN",
    "MIGRATIONAI_TEST_DATABASE_URL",
    "MIGRATIONAI_TEST_REDIS_URL",
    "MIGRATIONAI_TEST_SQS_ENDPOINT",
    "MIGRATIONAI_TEST_S3_ENDPOINT",
    "MIGRATIONAI_TEST_MOTO_VENV",
    "MIGRATIONAI_TEST_PG_BIN",
];

/// Every `MIGRATIONAI_*` name in `text`. A name cut short by an interpolation
/// (`MIGRATIONAI_QUEUE_URL_${upper(k)}`) ends in `_`.
fn names_in(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("MIGRATIONAI_") {
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
            .unwrap_or(tail.len());
        found.push(tail[..end].to_owned());
        rest = &tail[end..];
    }
    found
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        // Terraform's provider cache and state are not the deployment's source.
        if name.starts_with(".terraform") || name.ends_with(".tfstate") {
            continue;
        }
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn declared(name: &str) -> bool {
    vars::find(name).is_some()
        || ALL
            .iter()
            .any(|v| v.family_prefix().is_some_and(|prefix| prefix == name))
}

#[test]
fn the_deployment_sets_only_declared_variables() {
    let mut files = Vec::new();
    for dir in ["infra/terraform", "deploy", "docker", "scripts"] {
        files_under(&root().join(dir), &mut files);
    }
    files.push(root().join("buildspec.yml"));
    assert!(
        files
            .iter()
            .any(|f| f.extension().is_some_and(|e| e == "tf")),
        "no Terraform found under {}",
        root().display()
    );
    let mut unknown = BTreeSet::new();
    let mut seen = 0;
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        for name in names_in(&text) {
            seen += 1;
            if !declared(&name) && !SCRIPT_ONLY.contains(&name.as_str()) {
                let shown = file.strip_prefix(root()).unwrap_or(file).display();
                unknown.insert(format!("{name} ({shown})"));
            }
        }
    }
    assert!(
        seen > 20,
        "only {seen} variable names found in the deployment"
    );
    assert!(
        unknown.is_empty(),
        "set by the deployment but read by nothing (declare them in \
         crates/host/src/settings/vars.rs, or fix the name): {unknown:?}"
    );
}

/// A value of the right type for every variable; secrets are recognisable so the debug
/// output can be searched for them.
fn sample_value(var: &Var) -> (String, String) {
    let name = match var.family_prefix() {
        Some(prefix) => format!("{prefix}JOBS"),
        None => var.name.to_owned(),
    };
    let value = match var.ty {
        Type::Secret if var.name == vars::DATABASE_URL.name => {
            "postgres://u:pw-in-the-url@127.0.0.1:1/x".to_owned()
        }
        Type::Secret => format!("secret-value-of-{}", var.name.to_ascii_lowercase()),
        Type::Text | Type::Path => "x".into(),
        Type::Url => "http://127.0.0.1:1".into(),
        Type::Address => "127.0.0.1:1".into(),
        Type::Count | Type::Seconds => "1".into(),
        Type::Bool => "true".into(),
        Type::OneOf(words) if var.name == vars::PROFILE.name => words[1].into(),
        Type::OneOf(words) => words[0].into(),
        // One kind: the Lambda bootstrap reads the same variable and serves one queue.
        Type::Queues => "contacts".into(),
    };
    (name, value)
}

fn everything_set(except: &[&str]) -> Vec<(String, String)> {
    ALL.iter()
        .filter(|v| !except.contains(&v.name))
        .map(sample_value)
        .collect()
}

/// Loads every concern from `env` and returns its debug output.
fn load_all(env: &Env) -> String {
    let mut shown = String::new();
    for role in [
        PoolRole::Local,
        PoolRole::LambdaFunction,
        PoolRole::Poller,
        PoolRole::Http,
        PoolRole::Tfp,
    ] {
        shown += &format!("{:?}\n", load::config(env, role).expect("config"));
    }
    shown += &format!("{:?}\n", load::logging(env).expect("logging"));
    shown += &format!("{:?}\n", load::http(env).expect("http"));
    shown += &format!("{:?}\n", load::frontend(env).expect("frontend"));
    shown += &format!("{:?}\n", load::up_port(env).expect("port"));
    shown += &format!("{:?}\n", load::queues(env).expect("queues"));
    shown += &format!("{:?}\n", load::lambda_queue(env).expect("lambda queue"));
    shown += &format!("{:?}\n", load::database_owner(env));
    shown += &format!("{:?}\n", load::bench_endpoints(env));
    shown += &format!("{:?}\n", load::filevine(env).expect("filevine"));
    shown += &format!("{:?}\n", load::filevine_secret_arn(env));
    shown
}

#[test]
fn every_declared_variable_is_read_and_no_secret_prints() {
    // The aws profile with a database URL, with the URL built from its parts, and the
    // embedded profile: between them every branch that reads a variable.
    let scenarios = [
        everything_set(&[]),
        everything_set(&[vars::DATABASE_URL.name]),
        everything_set(&[vars::PROFILE.name]),
    ];
    let mut asked = BTreeSet::new();
    for pairs in scenarios {
        let secrets: Vec<String> = ALL
            .iter()
            .filter(|v| v.is_secret())
            .map(|v| sample_value(v).1)
            .filter(|value| pairs.iter().any(|(_, v)| v == value))
            .collect();
        let env = Env::from_pairs(pairs);
        let shown = load_all(&env);
        for secret in &secrets {
            assert!(
                !shown.contains(secret.as_str()),
                "{secret} printed in {shown}"
            );
        }
        assert!(!shown.contains("pw-in-the-url"), "{shown}");
        asked.extend(env.asked());
    }
    let unread: Vec<&str> = ALL
        .iter()
        .filter(|v| !asked.iter().any(|name| v.matches(name)))
        .map(|v| v.name)
        .collect();
    assert!(
        unread.is_empty(),
        "declared but read by no loader (remove them from the table, or read them): {unread:?}"
    );
}
