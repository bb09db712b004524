//! Every `MIGRATIONAI_*` variable the product reads, declared once: its name, type, default,
//! the roles that read it and what it is for. The README's configuration table is rendered
//! from [`ALL`] (`migrationai config --markdown`), and a test keeps the two equal.

use super::reader::*;

/// What a variable's value is, for the table and for the error when it does not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    Text,
    Path,
    Url,
    /// `host:port`.
    Address,
    /// A whole number.
    Count,
    /// Whole seconds.
    Seconds,
    /// `true`/`1`/`yes`/`on` or `false`/`0`/`no`/`off`.
    Bool,
    /// A credential, or a value that may embed one (a database URL): never printed.
    Secret,
    /// One of the listed words.
    OneOf(&'static [&'static str]),
    /// Queue kinds (`contacts`, `jobs`...): one, a comma-separated list, or `all`.
    Queues,
}

impl Type {
    pub fn describe(self) -> String {
        match self {
            Type::Text => "text".into(),
            Type::Path => "path".into(),
            Type::Url => "URL".into(),
            Type::Address => "host:port".into(),
            Type::Count => "number".into(),
            Type::Seconds => "seconds".into(),
            Type::Bool => "bool".into(),
            Type::Secret => "secret".into(),
            Type::OneOf(words) => words.join(" | "),
            Type::Queues => "queue selection".into(),
        }
    }
}

/// One environment variable. `name` may end in `<KIND>`: one variable per queue kind
/// (`billing-items` → `BILLING_ITEMS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Var {
    pub name: &'static str,
    pub ty: Type,
    /// As the table shows it; `None`: unset unless the description says otherwise.
    pub default: Option<&'static str>,
    /// The roles that read it; empty for a setting no role reads yet.
    pub roles: &'static [Reader],
    pub about: &'static str,
}

impl Var {
    pub fn is_secret(&self) -> bool {
        self.ty == Type::Secret
    }

    /// The part before `<KIND>` of a per-kind variable.
    pub fn family_prefix(&self) -> Option<&'static str> {
        self.name.strip_suffix("<KIND>")
    }

    /// Whether `name` is this variable (or one of its per-kind variables).
    pub fn matches(&self, name: &str) -> bool {
        match self.family_prefix() {
            Some(prefix) => name.strip_prefix(prefix).is_some_and(|kind| {
                !kind.is_empty()
                    && kind
                        .bytes()
                        .all(|b| b.is_ascii_uppercase() || b == b'_' || b.is_ascii_digit())
            }),
            None => self.name == name,
        }
    }
}

/// Every role: the process-wide settings.
const EVERY: &[Reader] = Reader::ALL;
/// The roles that open the store, the queues and the blobs.
const SYSTEM: &[Reader] = &[API, ADMIN_API, TFP, UP, WORKER, LAMBDA, OPERATOR];
/// The roles that open the store, on the AWS profile.
const AWS: &[Reader] = &[API, ADMIN_API, TFP, WORKER, LAMBDA, OPERATOR];
/// The roles that hold the services' tables (accounts, tokens, uploads).
const SERVICES: &[Reader] = &[API, ADMIN_API, TFP, UP];
/// The roles that use the cache.
const CACHE: &[Reader] = &[API, ADMIN_API, TFP, UP];
const FRONTENDS: &[Reader] = &[WEB, ADMIN_WEB];
/// Whoever pushes into Filevine: `push`, and the queue workers that push its pages.
const DELIVERY: &[Reader] = &[UP, WORKER, LAMBDA, OPERATOR];
const LISTENERS: &[Reader] = &[API, ADMIN_API, WEB, ADMIN_WEB, TFP];

pub const LOG: Var = Var {
    name: "MIGRATIONAI_LOG",
    ty: Type::Text,
    default: Some("warn"),
    roles: EVERY,
    about: "Log filter, e.g. `info` or `migrationai=debug` (`--log`).",
};
pub const LOG_JSON: Var = Var {
    name: "MIGRATIONAI_LOG_JSON",
    ty: Type::Bool,
    default: Some("false"),
    roles: EVERY,
    about: "Log as JSON lines, for containers (`--log-json`); always on under `lambda`.",
};
pub const PROFILE: Var = Var {
    name: "MIGRATIONAI_PROFILE",
    ty: Type::OneOf(&["embedded", "aws"]),
    default: Some("embedded"),
    roles: SYSTEM,
    about: "The adapters: SQLite, a local queue and a folder, or SQS, S3, MemoryDB and PostgreSQL.",
};
pub const ENV: Var = Var {
    name: "MIGRATIONAI_ENV",
    ty: Type::Text,
    default: Some("prod"),
    roles: SYSTEM,
    about: "Environment prefix of queue names: `<env>-migrationai-<kind>` (`--env`).",
};
pub const TENANT: Var = Var {
    name: "MIGRATIONAI_TENANT",
    ty: Type::Text,
    default: Some("default"),
    roles: SYSTEM,
    about: "The tenant of jobs submitted without one.",
};
pub const DATA_DIR: Var = Var {
    name: "MIGRATIONAI_DATA_DIR",
    ty: Type::Path,
    default: Some(".migrationai"),
    roles: SYSTEM,
    about: "Embedded store, queue and blobs, and scratch space (`--data-dir`); `/tmp/migrationai` under Lambda.",
};
pub const VISIBILITY_TIMEOUT: Var = Var {
    name: "MIGRATIONAI_VISIBILITY_TIMEOUT",
    ty: Type::Seconds,
    default: Some("30"),
    roles: SYSTEM,
    about: "Visibility timeout of queues this process creates; workers keep each queue's own.",
};
pub const RETRY_DELAY: Var = Var {
    name: "MIGRATIONAI_RETRY_DELAY",
    ty: Type::Seconds,
    default: Some("0.2 (embedded), 30 (aws)"),
    roles: SYSTEM,
    about: "Hidden time after a failed attempt before the next; it triples with each receive.",
};
pub const DB_MAX_CONNECTIONS: Var = Var {
    name: "MIGRATIONAI_DB_MAX_CONNECTIONS",
    ty: Type::Count,
    default: Some("per role (README, Connection budget)"),
    roles: SYSTEM,
    about: "Connections each database pool of this process holds at most.",
};
pub const DATABASE_URL: Var = Var {
    name: "MIGRATIONAI_DATABASE_URL",
    ty: Type::Secret,
    default: None,
    roles: SYSTEM,
    about: "The store's database, `postgres://…` or `sqlite:…`; the services' tables live there too (`--database-url`). Default: SQLite in the data directory; on aws, built from the `DATABASE_*` variables or read from the secret.",
};
pub const DATABASE_USER: Var = Var {
    name: "MIGRATIONAI_DATABASE_USER",
    ty: Type::Text,
    default: None,
    roles: AWS,
    about: "With `_PASSWORD` and `_HOST`: the database URL, `sslmode=verify-full` against `DATABASE_CA_FILE`, when `DATABASE_URL` is unset.",
};
pub const DATABASE_PASSWORD: Var = Var {
    name: "MIGRATIONAI_DATABASE_PASSWORD",
    ty: Type::Secret,
    default: None,
    roles: AWS,
    about: "The database user's password.",
};
pub const DATABASE_HOST: Var = Var {
    name: "MIGRATIONAI_DATABASE_HOST",
    ty: Type::Text,
    default: None,
    roles: AWS,
    about: "Database host (RDS Proxy's endpoint on AWS); the secret's own `host` when unset.",
};
pub const DATABASE_PORT: Var = Var {
    name: "MIGRATIONAI_DATABASE_PORT",
    ty: Type::Count,
    default: Some("5432"),
    roles: AWS,
    about: "Database port.",
};
pub const DATABASE_NAME: Var = Var {
    name: "MIGRATIONAI_DATABASE_NAME",
    ty: Type::Text,
    default: Some("migrationai"),
    roles: AWS,
    about: "Database name.",
};
pub const DATABASE_URL_SECRET_ARN: Var = Var {
    name: "MIGRATIONAI_DATABASE_URL_SECRET_ARN",
    ty: Type::Text,
    default: None,
    roles: AWS,
    about: "Secrets Manager secret holding a `postgres://` URL or RDS's `{\"username\", \"password\"}`, read when no URL is given.",
};
pub const DATABASE_CA_FILE: Var = Var {
    name: "MIGRATIONAI_DATABASE_CA_FILE",
    ty: Type::Path,
    default: Some("/usr/local/share/migrationai/rds-global-bundle.pem"),
    roles: AWS,
    about: "CA bundle that verifies the database's (or RDS Proxy's) certificate: URLs built from the `DATABASE_*` variables or a JSON secret use `sslmode=verify-full` with it. The images ship RDS's global bundle there.",
};
pub const DATABASE_RUNTIME_SECRET_ARN: Var = Var {
    name: "MIGRATIONAI_DATABASE_RUNTIME_SECRET_ARN",
    ty: Type::Text,
    default: None,
    roles: &[OPERATOR],
    about: "`db setup` only: the secret `{\"username\", \"password\"}` of the runtime user it creates or updates (every role connects as that user through `DATABASE_URL_SECRET_ARN`).",
};
pub const DATABASE_OWNER: Var = Var {
    name: "MIGRATIONAI_DATABASE_OWNER",
    ty: Type::Text,
    default: Some("migrationai_owner"),
    roles: &[OPERATOR],
    about: "`db setup` only: the role, without login, that owns the tables and runs the migrations (`--owner`).",
};
pub const QUEUE_URL: Var = Var {
    name: "MIGRATIONAI_QUEUE_URL_<KIND>",
    ty: Type::Url,
    default: Some("`GetQueueUrl` on first use"),
    roles: AWS,
    about: "URL of one kind's SQS queue (`BILLING_ITEMS` for `billing-items`).",
};
pub const DLQ_URL: Var = Var {
    name: "MIGRATIONAI_DLQ_URL_<KIND>",
    ty: Type::Url,
    default: Some("`GetQueueUrl` on first use"),
    roles: AWS,
    about: "URL of one kind's dead-letter queue.",
};
pub const QUEUE_PREFIX: Var = Var {
    name: "MIGRATIONAI_QUEUE_PREFIX",
    ty: Type::Text,
    default: Some("(none)"),
    roles: AWS,
    about: "Prepended to queue names, for shared test accounts.",
};
pub const ENSURE_QUEUES: Var = Var {
    name: "MIGRATIONAI_ENSURE_QUEUES",
    ty: Type::Bool,
    default: Some("false"),
    roles: AWS,
    about: "Create missing queues on aws (the Terraform owns them; embedded always creates them).",
};
pub const AWS_ENDPOINT: Var = Var {
    name: "MIGRATIONAI_AWS_ENDPOINT",
    ty: Type::Url,
    default: Some("the regional endpoints"),
    roles: AWS,
    about: "One endpoint for SQS, S3 and Secrets Manager (moto).",
};
pub const SQS_ENDPOINT: Var = Var {
    name: "MIGRATIONAI_SQS_ENDPOINT",
    ty: Type::Url,
    default: Some("`AWS_ENDPOINT`"),
    roles: &[API, ADMIN_API, TFP, WORKER, LAMBDA, OPERATOR, BENCH],
    about: "SQS endpoint (moto); also `bench sqs --endpoint`.",
};
pub const S3_ENDPOINT: Var = Var {
    name: "MIGRATIONAI_S3_ENDPOINT",
    ty: Type::Url,
    default: Some("`AWS_ENDPOINT`"),
    roles: &[API, ADMIN_API, TFP, WORKER, LAMBDA, OPERATOR, BENCH],
    about: "S3 endpoint (moto); also `bench documents --endpoint`.",
};
pub const SECRETS_ENDPOINT: Var = Var {
    name: "MIGRATIONAI_SECRETS_ENDPOINT",
    ty: Type::Url,
    default: Some("`AWS_ENDPOINT`"),
    roles: AWS,
    about: "Secrets Manager endpoint (moto).",
};
pub const BUCKET: Var = Var {
    name: "MIGRATIONAI_BUCKET",
    ty: Type::Text,
    default: None,
    roles: AWS,
    about: "S3 bucket of exports, batches and reports; required on aws.",
};
pub const S3_SSE: Var = Var {
    name: "MIGRATIONAI_S3_SSE",
    ty: Type::OneOf(&["AES256", "aws:kms"]),
    default: Some("the bucket's default"),
    roles: AWS,
    about: "Server-side encryption asked for on every put.",
};
pub const S3_KMS_KEY_ID: Var = Var {
    name: "MIGRATIONAI_S3_KMS_KEY_ID",
    ty: Type::Text,
    default: None,
    roles: AWS,
    about: "KMS key of `aws:kms` encryption.",
};
pub const REDIS_URL: Var = Var {
    name: "MIGRATIONAI_REDIS_URL",
    ty: Type::Url,
    default: Some("in-process cache"),
    roles: CACHE,
    about: "MemoryDB or Redis, `rediss://host:port` (aws profile); the password goes in `REDIS_PASSWORD`.",
};
pub const REDIS_USER: Var = Var {
    name: "MIGRATIONAI_REDIS_USER",
    ty: Type::Text,
    default: None,
    roles: CACHE,
    about: "Redis ACL user.",
};
pub const REDIS_PASSWORD: Var = Var {
    name: "MIGRATIONAI_REDIS_PASSWORD",
    ty: Type::Secret,
    default: None,
    roles: CACHE,
    about: "Redis ACL password.",
};
pub const REDIS_PASSWORD_SECRET_ARN: Var = Var {
    name: "MIGRATIONAI_REDIS_PASSWORD_SECRET_ARN",
    ty: Type::Text,
    default: None,
    roles: CACHE,
    about: "Secrets Manager secret whose string is the Redis password, read when `REDIS_PASSWORD` is unset.",
};
pub const LISTEN: Var = Var {
    name: "MIGRATIONAI_LISTEN",
    ty: Type::Address,
    default: Some("127.0.0.1:8080 api, :8081 admin-api, :8082 tfp, :8090 web, :8091 admin-web"),
    roles: LISTENERS,
    about: "Address the role listens on (`--listen`); tfp serves its health check there.",
};
pub const PORT: Var = Var {
    name: "MIGRATIONAI_PORT",
    ty: Type::Count,
    default: Some("8080"),
    roles: &[UP],
    about: "First of the four ports `up` serves on (`--port`; 0: any free ports).",
};
pub const UPLOAD_LIMIT_MIB: Var = Var {
    name: "MIGRATIONAI_UPLOAD_LIMIT_MIB",
    ty: Type::Count,
    default: Some("512"),
    roles: SERVICES,
    about: "Largest accepted upload, MiB (`--upload-limit-mib`).",
};
pub const INSECURE_COOKIES: Var = Var {
    name: "MIGRATIONAI_INSECURE_COOKIES",
    ty: Type::Bool,
    default: Some("false"),
    roles: &[API, ADMIN_API, WEB, ADMIN_WEB, TFP, UP],
    about:
        "Session cookies without `Secure`, for plain-http local runs only (`--insecure-cookies`).",
};
pub const SIGN_IN_PER_MINUTE: Var = Var {
    name: "MIGRATIONAI_SIGN_IN_PER_MINUTE",
    ty: Type::Count,
    default: Some("20"),
    roles: SERVICES,
    about: "Sign-in attempts one client address may make per minute; more answer 429.",
};
pub const SIGN_IN_FAILURES: Var = Var {
    name: "MIGRATIONAI_SIGN_IN_FAILURES",
    ty: Type::Count,
    default: Some("5"),
    roles: SERVICES,
    about: "Failed sign-ins that lock an account for 15 minutes.",
};
pub const ADMIN_EMAIL: Var = Var {
    name: "MIGRATIONAI_ADMIN_EMAIL",
    ty: Type::Text,
    default: None,
    roles: &[ADMIN_API],
    about: "With `ADMIN_PASSWORD`: the operator created at start when that user does not exist.",
};
pub const ADMIN_PASSWORD: Var = Var {
    name: "MIGRATIONAI_ADMIN_PASSWORD",
    ty: Type::Secret,
    default: None,
    roles: &[ADMIN_API],
    about: "That operator's first password.",
};
pub const ADMIN_PASSWORD_SECRET_ARN: Var = Var {
    name: "MIGRATIONAI_ADMIN_PASSWORD_SECRET_ARN",
    ty: Type::Text,
    default: None,
    roles: &[ADMIN_API],
    about: "On the aws profile, with `ADMIN_EMAIL` and no `ADMIN_PASSWORD`: the secret holding that operator's first password (the Terraform generates it).",
};
pub const BACKEND_URL: Var = Var {
    name: "MIGRATIONAI_BACKEND_URL",
    ty: Type::Url,
    default: Some("http://127.0.0.1:8080 (web), :8081 (admin-web)"),
    roles: FRONTENDS,
    about: "The API a frontend calls (`--backend-url`).",
};
pub const QUEUE: Var = Var {
    name: "MIGRATIONAI_QUEUE",
    ty: Type::Queues,
    default: Some("all (worker); required (lambda)"),
    roles: &[WORKER, LAMBDA],
    about: "Queue kinds served: one kind, a comma-separated list or `all` (`--queue`).",
};
pub const FILEVINE_GATEWAY_URL: Var = Var {
    name: migrationai_filevine::settings::env::GATEWAY_URL,
    ty: Type::Url,
    default: Some(migrationai_filevine::settings::DEFAULT_GATEWAY_URL),
    roles: DELIVERY,
    about: "Filevine's API gateway.",
};
pub const FILEVINE_IDENTITY_URL: Var = Var {
    name: migrationai_filevine::settings::env::IDENTITY_URL,
    ty: Type::Url,
    default: Some(migrationai_filevine::settings::DEFAULT_IDENTITY_URL),
    roles: DELIVERY,
    about: "Filevine's identity service (token exchange).",
};
pub const FILEVINE_PAT: Var = Var {
    name: migrationai_filevine::settings::env::PAT,
    ty: Type::Secret,
    default: None,
    roles: DELIVERY,
    about: "The firm's Filevine personal access token.",
};
pub const FILEVINE_CLIENT_ID: Var = Var {
    name: migrationai_filevine::settings::env::CLIENT_ID,
    ty: Type::Text,
    default: None,
    roles: DELIVERY,
    about: "Client id issued with the token.",
};
pub const FILEVINE_CLIENT_SECRET: Var = Var {
    name: migrationai_filevine::settings::env::CLIENT_SECRET,
    ty: Type::Secret,
    default: None,
    roles: DELIVERY,
    about: "Client secret issued with the token.",
};
pub const FILEVINE_ORG_ID: Var = Var {
    name: migrationai_filevine::settings::env::ORG_ID,
    ty: Type::Count,
    default: None,
    roles: DELIVERY,
    about: "The Filevine org every call acts in.",
};
pub const FILEVINE_USER_ID: Var = Var {
    name: migrationai_filevine::settings::env::USER_ID,
    ty: Type::Count,
    default: None,
    roles: DELIVERY,
    about: "The Filevine user every call acts as.",
};
pub const FILEVINE_SECRET_ARN: Var = Var {
    name: "MIGRATIONAI_FILEVINE_SECRET_ARN",
    ty: Type::Text,
    default: None,
    roles: DELIVERY,
    about: "On the aws profile: the secret holding the Filevine credentials as JSON (`pat`, `client_id`, `client_secret`, `org_id`, `user_id`); a variable that is set wins over its field.",
};
pub const FILEVINE_CONCURRENCY: Var = Var {
    name: migrationai_filevine::settings::env::CONCURRENCY,
    ty: Type::Count,
    default: Some("8"),
    roles: DELIVERY,
    about: "Gateway calls in flight at once per tenant.",
};

/// The table, in the README's order.
pub const ALL: &[Var] = &[
    LOG,
    LOG_JSON,
    PROFILE,
    ENV,
    TENANT,
    DATA_DIR,
    VISIBILITY_TIMEOUT,
    RETRY_DELAY,
    DB_MAX_CONNECTIONS,
    DATABASE_URL,
    DATABASE_USER,
    DATABASE_PASSWORD,
    DATABASE_HOST,
    DATABASE_PORT,
    DATABASE_NAME,
    DATABASE_URL_SECRET_ARN,
    DATABASE_CA_FILE,
    DATABASE_RUNTIME_SECRET_ARN,
    DATABASE_OWNER,
    QUEUE_URL,
    DLQ_URL,
    QUEUE_PREFIX,
    ENSURE_QUEUES,
    AWS_ENDPOINT,
    SQS_ENDPOINT,
    S3_ENDPOINT,
    SECRETS_ENDPOINT,
    BUCKET,
    S3_SSE,
    S3_KMS_KEY_ID,
    REDIS_URL,
    REDIS_USER,
    REDIS_PASSWORD,
    REDIS_PASSWORD_SECRET_ARN,
    LISTEN,
    PORT,
    UPLOAD_LIMIT_MIB,
    INSECURE_COOKIES,
    SIGN_IN_PER_MINUTE,
    SIGN_IN_FAILURES,
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    ADMIN_PASSWORD_SECRET_ARN,
    BACKEND_URL,
    QUEUE,
    FILEVINE_GATEWAY_URL,
    FILEVINE_IDENTITY_URL,
    FILEVINE_PAT,
    FILEVINE_CLIENT_ID,
    FILEVINE_CLIENT_SECRET,
    FILEVINE_ORG_ID,
    FILEVINE_USER_ID,
    FILEVINE_SECRET_ARN,
    FILEVINE_CONCURRENCY,
];

/// The declaration of `name`, if the table has one.
pub fn find(name: &str) -> Option<&'static Var> {
    ALL.iter().find(|v| v.matches(name))
}
