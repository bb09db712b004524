//! Tenants (firms), users, and the tokens that authenticate them: API tokens and browser
//! sessions, both stored as the SHA-256 of the secret.

use std::fmt;
use std::str::FromStr;

use sqlx::any::AnyRow;
use sqlx::Row;

use super::{now, word, Db};

/// What a user may do: work in their firm, or operate the service (the admin API and console).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountRole {
    Member,
    Admin,
}

/// How a token was issued: an API token, or a browser session (which carries a CSRF secret).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Api,
    Session,
}

/// A stored or requested word that is not a role or a token kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} is {expected}, not {value:?}")]
pub struct UnknownWord {
    pub what: &'static str,
    pub value: String,
    pub expected: &'static str,
}

/// The one spelling of each variant, in rows and on the wire, and the conversions, written
/// once per type.
macro_rules! words {
    ($name:ident, $what:literal, $expected:literal { $($variant:ident => $word:literal,)+ }) => {
        impl $name {
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word,)+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownWord;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($word => Ok($name::$variant),)+
                    _ => Err(UnknownWord { what: $what, value: s.to_owned(), expected: $expected }),
                }
            }
        }
    };
}

words!(AccountRole, "a role", "member or admin" {
    Member => "member",
    Admin => "admin",
});
words!(TokenKind, "a token's kind", "api or session" {
    Api => "api",
    Session => "session",
});

#[derive(Debug, Clone)]
pub struct Tenant {
    pub id: String,
    pub name: String,
    pub created_at: i64,
}

impl From<Tenant> for migrationai_api_types::admin::Tenant {
    fn from(t: Tenant) -> Self {
        Self {
            id: t.id,
            name: t.name,
            created_at: t.created_at,
        }
    }
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub tenant: String,
    pub email: String,
    pub role: AccountRole,
    pub created_at: i64,
}

impl From<User> for migrationai_api_types::auth::User {
    fn from(u: User) -> Self {
        Self {
            id: u.id,
            tenant: u.tenant,
            email: u.email,
            role: u.role.as_str().into(),
            created_at: u.created_at,
        }
    }
}

/// Who a valid token belongs to.
#[derive(Debug, Clone)]
pub struct Principal {
    pub tenant: String,
    pub user_id: String,
    pub email: String,
    pub role: AccountRole,
    pub token_id: String,
    pub kind: TokenKind,
    /// The session's CSRF secret (empty for API tokens).
    pub csrf: String,
}

impl Principal {
    pub fn is_admin(&self) -> bool {
        self.role == AccountRole::Admin
    }
}

/// A token as listed: never the secret.
#[derive(Debug, Clone)]
pub struct TokenInfo {
    pub id: String,
    pub kind: TokenKind,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked: bool,
}

impl From<TokenInfo> for migrationai_api_types::auth::TokenInfo {
    fn from(t: TokenInfo) -> Self {
        Self {
            id: t.id,
            kind: t.kind.as_str().into(),
            created_at: t.created_at,
            expires_at: t.expires_at,
            revoked: t.revoked,
        }
    }
}

fn user(r: &AnyRow) -> Result<User, sqlx::Error> {
    Ok(User {
        id: r.try_get("id")?,
        tenant: r.try_get("tenant")?,
        email: r.try_get("email")?,
        role: word(r, "role")?,
        created_at: r.try_get("created_at")?,
    })
}

impl Db {
    pub async fn create_tenant(&self, id: &str, name: &str) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "INSERT INTO svc_tenants (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
        )
        .bind(id)
        .bind(name)
        .bind(now())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn tenants(&self) -> Result<Vec<Tenant>, sqlx::Error> {
        let rows = sqlx::query("SELECT id, name, created_at FROM svc_tenants ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Tenant {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }

    pub async fn tenant(&self, id: &str) -> Result<Option<Tenant>, sqlx::Error> {
        Ok(self.tenants().await?.into_iter().find(|t| t.id == id))
    }

    /// Creates a user; false when the email is taken.
    pub async fn create_user(
        &self,
        tenant: &str,
        email: &str,
        password_hash: &str,
        role: AccountRole,
    ) -> Result<Option<User>, sqlx::Error> {
        let id = crate::auth::token::random_id(12);
        let email = email.trim().to_lowercase();
        let done = sqlx::query(
            "INSERT INTO svc_users (id, tenant, email, password_hash, role, created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (email) DO NOTHING",
        )
        .bind(&id)
        .bind(tenant)
        .bind(&email)
        .bind(password_hash)
        .bind(role.as_str())
        .bind(now())
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(None);
        }
        Ok(Some(User {
            id,
            tenant: tenant.into(),
            email,
            role,
            created_at: now(),
        }))
    }

    /// The user of that email with their password hash.
    pub async fn user_by_email(&self, email: &str) -> Result<Option<(User, String)>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT id, tenant, email, role, created_at, password_hash FROM svc_users WHERE email = $1",
        )
        .bind(email.trim().to_lowercase())
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(r) => Ok(Some((user(&r)?, r.try_get("password_hash")?))),
            None => Ok(None),
        }
    }

    pub async fn users(&self, tenant: Option<&str>) -> Result<Vec<User>, sqlx::Error> {
        let rows = match tenant {
            Some(t) => {
                sqlx::query("SELECT id, tenant, email, role, created_at FROM svc_users WHERE tenant = $1 ORDER BY email")
                    .bind(t)
                    .fetch_all(&self.pool)
                    .await?
            }
            None => {
                sqlx::query("SELECT id, tenant, email, role, created_at FROM svc_users ORDER BY tenant, email")
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.iter().map(user).collect()
    }

    /// Stores a new token for the user; returns its id.
    pub async fn store_token(
        &self,
        user: &User,
        hash: &str,
        kind: TokenKind,
        csrf: &str,
        ttl_secs: i64,
    ) -> Result<String, sqlx::Error> {
        let id = crate::auth::token::random_id(8);
        let t = now();
        sqlx::query(
            "INSERT INTO svc_tokens (hash, id, tenant, user_id, kind, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(hash)
        .bind(&id)
        .bind(&user.tenant)
        .bind(&user.id)
        .bind(kind.as_str())
        .bind(csrf)
        .bind(t)
        .bind(t + ttl_secs)
        .execute(&self.pool)
        .await?;
        Ok(id)
    }

    /// The principal of an unexpired, unrevoked token hash.
    pub async fn principal(&self, hash: &str) -> Result<Option<Principal>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT t.id AS token_id, t.kind, t.csrf, t.tenant, u.id AS user_id, u.email, u.role FROM svc_tokens t JOIN svc_users u ON u.id = t.user_id AND u.tenant = t.tenant WHERE t.hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2",
        )
        .bind(hash)
        .bind(now())
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(r) => Ok(Some(Principal {
                tenant: r.try_get("tenant")?,
                user_id: r.try_get("user_id")?,
                email: r.try_get("email")?,
                role: word(&r, "role")?,
                token_id: r.try_get("token_id")?,
                kind: word(&r, "kind")?,
                csrf: r.try_get("csrf")?,
            })),
            None => Ok(None),
        }
    }

    pub async fn tokens(&self, tenant: &str, user_id: &str) -> Result<Vec<TokenInfo>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT id, kind, created_at, expires_at, revoked_at FROM svc_tokens WHERE tenant = $1 AND user_id = $2 ORDER BY created_at",
        )
        .bind(tenant)
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let revoked: Option<i64> = r.try_get("revoked_at")?;
                Ok(TokenInfo {
                    id: r.try_get("id")?,
                    kind: word(r, "kind")?,
                    created_at: r.try_get("created_at")?,
                    expires_at: r.try_get("expires_at")?,
                    revoked: revoked.is_some(),
                })
            })
            .collect()
    }

    /// Revokes a token of the tenant's user; returns its hash when it existed.
    pub async fn revoke_token(
        &self,
        tenant: &str,
        user_id: &str,
        token_id: &str,
    ) -> Result<Option<String>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT hash FROM svc_tokens WHERE tenant = $1 AND user_id = $2 AND id = $3",
        )
        .bind(tenant)
        .bind(user_id)
        .bind(token_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let hash: String = row.try_get("hash")?;
        sqlx::query("UPDATE svc_tokens SET revoked_at = $1 WHERE tenant = $2 AND id = $3 AND revoked_at IS NULL")
            .bind(now())
            .bind(tenant)
            .bind(token_id)
            .execute(&self.pool)
            .await?;
        Ok(Some(hash))
    }
}
