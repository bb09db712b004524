//! The accounts a role creates at start: the configured operator (`admin-api`) and the demo
//! firm and operator of `up`, whose passwords are kept in the data directory.

use std::path::Path;

use secrecy::ExposeSecret;

use crate::db::accounts::AccountRole;
use crate::state::AppState;

pub const DEMO_TENANT: &str = "demo";
pub const DEMO_EMAIL: &str = "demo@migrationai.local";
pub const ADMIN_TENANT: &str = "operators";
pub const ADMIN_EMAIL: &str = "admin@migrationai.local";

/// Creates the operator of the settings (`MIGRATIONAI_ADMIN_EMAIL` and `_PASSWORD`) when
/// they name one and the user does not exist yet.
pub async fn bootstrap_admin(state: &AppState) -> anyhow::Result<()> {
    let Some(admin) = &state.settings.admin else {
        return Ok(());
    };
    ensure_user(
        state,
        ADMIN_TENANT,
        "Operators",
        &admin.email,
        admin.password.expose_secret(),
        AccountRole::Admin,
    )
    .await
}

async fn ensure_user(
    state: &AppState,
    tenant: &str,
    tenant_name: &str,
    email: &str,
    password: &str,
    role: AccountRole,
) -> anyhow::Result<()> {
    state.db.create_tenant(tenant, tenant_name).await?;
    state
        .app
        .services
        .store
        .ensure_tenant(tenant, tenant_name)
        .await?;
    if state.db.user_by_email(email).await?.is_none() {
        crate::auth::create_user(state, tenant, email, password, role)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(())
}

/// The demo tenant and user, and an operator; the passwords are made once and kept in
/// `<data_dir>/demo-credentials.txt` (mode 0600, one labelled line each) so `up` can print
/// them again.
pub async fn seed_demo(state: &AppState) -> anyhow::Result<(String, String)> {
    let file = state.data_dir().join("demo-credentials.txt");
    let kept = std::fs::read_to_string(&file)
        .ok()
        .and_then(|text| read_credentials(&text));
    let (demo_pw, admin_pw) = match kept {
        Some(pair) => pair,
        None => {
            let pair = (
                crate::auth::token::random_id(8),
                crate::auth::token::random_id(8),
            );
            write_private(&file, &credentials_text(&pair.0, &pair.1))?;
            pair
        }
    };
    ensure_user(
        state,
        DEMO_TENANT,
        "Demo Law Firm",
        DEMO_EMAIL,
        &demo_pw,
        AccountRole::Member,
    )
    .await?;
    ensure_user(
        state,
        ADMIN_TENANT,
        "Operators",
        ADMIN_EMAIL,
        &admin_pw,
        AccountRole::Admin,
    )
    .await?;
    Ok((demo_pw, admin_pw))
}

/// The credentials file: what each password signs in to, as `up` prints it.
fn credentials_text(demo_pw: &str, admin_pw: &str) -> String {
    format!(
        "# The sign-ins `migrationai up` made for this data directory (delete this file for new ones).\n\
         firm web app   {DEMO_EMAIL} {demo_pw}\n\
         admin console  {ADMIN_EMAIL} {admin_pw}\n"
    )
}

/// (demo password, operator password) from the credentials file: the password follows each
/// e-mail address. Files of older versions hold the two passwords alone, in that order.
fn read_credentials(text: &str) -> Option<(String, String)> {
    let after = |email: &str| {
        text.lines().find_map(|l| {
            let mut words = l.split_whitespace().skip_while(|w| *w != email);
            words.next()?;
            words.next().map(str::to_string)
        })
    };
    if let (Some(demo), Some(admin)) = (after(DEMO_EMAIL), after(ADMIN_EMAIL)) {
        return Some((demo, admin));
    }
    let mut bare = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'));
    match (bare.next(), bare.next(), bare.next()) {
        (Some(d), Some(a), None) if !d.contains(' ') && !a.contains(' ') => {
            Some((d.to_string(), a.to_string()))
        }
        _ => None,
    }
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)?.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_credentials_file_says_what_each_password_is_for() {
        let text = credentials_text("demo-pw", "admin-pw");
        let demo = text
            .lines()
            .find(|l| l.contains("demo-pw"))
            .expect("demo line");
        assert!(
            demo.contains("firm web app") && demo.contains(DEMO_EMAIL),
            "{text}"
        );
        let admin = text
            .lines()
            .find(|l| l.contains("admin-pw"))
            .expect("admin line");
        assert!(
            admin.contains("admin console") && admin.contains(ADMIN_EMAIL),
            "{text}"
        );
        assert_eq!(
            read_credentials(&text),
            Some(("demo-pw".into(), "admin-pw".into()))
        );
        // The unlabelled file of earlier versions still reads.
        assert_eq!(
            read_credentials("old-demo\nold-admin\n"),
            Some(("old-demo".into(), "old-admin".into()))
        );
        assert_eq!(read_credentials("garbled text here\n"), None);
    }
}
