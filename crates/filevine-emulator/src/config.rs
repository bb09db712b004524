//! What an emulated Filevine org holds before the first request: its credentials, token
//! lifetime, project types with their custom sections, and the faults to inject.

use std::time::Duration;

/// The identity a client must present: a personal access token exchanged with the client id
/// and secret, then the org and user headers on every gateway call.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub pat: String,
    pub client_id: String,
    pub client_secret: String,
    pub org_id: i64,
    pub user_id: i64,
}

impl Default for Credentials {
    fn default() -> Self {
        Credentials {
            pat: "emulator-pat".into(),
            client_id: "6f1c1d52-7a3b-4c1e-9a43-0d1f3e5b2c77".into(),
            client_secret: "emulator-secret".into(),
            org_id: 5150,
            user_id: 42,
        }
    }
}

/// A custom field of a section, as `GET /ProjectTypes/{id}/sections` lists it.
#[derive(Debug, Clone)]
pub struct FieldDef {
    pub name: String,
    pub selector: String,
    /// Filevine's type name: "String", "Text", "Integer", "Decimal", "Currency", "Date",
    /// "YesNo", "Dropdown"...
    pub field_type: String,
}

#[derive(Debug, Clone)]
pub struct SectionDef {
    pub name: String,
    pub selector: String,
    pub is_collection: bool,
    pub fields: Vec<FieldDef>,
}

#[derive(Debug, Clone)]
pub struct ProjectTypeDef {
    pub name: String,
    pub sections: Vec<SectionDef>,
}

/// Faults injected into gateway and identity requests, drawn from a seeded generator.
/// Rates are shares of requests (0.10 = one in ten).
#[derive(Debug, Clone, PartialEq)]
pub struct Faults {
    pub seed: u64,
    /// Answer 429 with `Retry-After` before doing anything.
    pub throttle_rate: f64,
    pub retry_after_secs: u64,
    /// Answer 500 before doing anything.
    pub error_rate: f64,
    /// Wait `slow_for` before handling.
    pub slow_rate: f64,
    pub slow_for: Duration,
    /// Handle the request, then drop the connection in the middle of the answer, so the
    /// client cannot tell whether its write happened.
    pub drop_rate: f64,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            seed: 7,
            throttle_rate: 0.0,
            retry_after_secs: 1,
            error_rate: 0.0,
            slow_rate: 0.0,
            slow_for: Duration::from_millis(200),
            drop_rate: 0.0,
        }
    }
}

impl Faults {
    pub fn none() -> Self {
        Faults::default()
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub credentials: Credentials,
    /// How long an issued bearer token lives (Filevine's are about 20 minutes).
    pub token_ttl: Duration,
    pub project_types: Vec<ProjectTypeDef>,
    pub faults: Faults,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            credentials: Credentials::default(),
            token_ttl: Duration::from_secs(1200),
            project_types: vec![
                ProjectTypeDef {
                    name: "General Litigation".into(),
                    sections: vec![
                        SectionDef {
                            name: "Case Summary".into(),
                            selector: "caseSummary".into(),
                            is_collection: false,
                            fields: vec![
                                field("Court", "court", "String"),
                                field("Claim Amount", "claimAmount", "Currency"),
                                field("Filed", "filed", "Date"),
                                field("Jury Demanded", "juryDemanded", "YesNo"),
                            ],
                        },
                        SectionDef {
                            name: "Parties".into(),
                            selector: "parties".into(),
                            is_collection: true,
                            fields: vec![
                                field("Party Name", "partyName", "String"),
                                field("Role", "role", "String"),
                                field("Served", "served", "Date"),
                            ],
                        },
                    ],
                },
                ProjectTypeDef {
                    name: "Personal Injury".into(),
                    sections: vec![SectionDef {
                        name: "Intake".into(),
                        selector: "intake".into(),
                        is_collection: false,
                        fields: vec![
                            field("Incident Date", "incidentDate", "Date"),
                            field("Injury", "injury", "Text"),
                        ],
                    }],
                },
            ],
            faults: Faults::none(),
        }
    }
}

pub fn field(name: &str, selector: &str, field_type: &str) -> FieldDef {
    FieldDef {
        name: name.into(),
        selector: selector.into(),
        field_type: field_type.into(),
    }
}
