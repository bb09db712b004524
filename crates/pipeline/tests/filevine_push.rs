//! `push JOB --target filevine` end to end: the small sample migrated into the store, then
//! delivered over real HTTP into the Filevine emulator on loopback and read back; a second
//! push creates nothing; refusals land in the report with their reason; injected 429s and
//! 500s lose and double nothing.

mod common;

use std::time::Duration;

use common::migrate;
use migrationai_domain::Kind;
use migrationai_filevine::settings::env;
use migrationai_filevine::{ProjectTypeChoice, Settings};
use migrationai_filevine_emulator::{Config as EmuConfig, Emulator, Faults};
use migrationai_pipeline::delivery::{queued, PushOptions, Pushed, TargetKind};
use migrationai_pipeline::{Config, Report};

fn settings(emu: &Emulator) -> Settings {
    let c = emu.credentials().clone();
    let gateway = emu.gateway_url();
    let identity = emu.identity_url();
    let mut s = Settings::from_lookup(move |k| match k {
        env::GATEWAY_URL => Some(gateway.clone()),
        env::IDENTITY_URL => Some(identity.clone()),
        env::PAT => Some(c.pat.clone()),
        env::CLIENT_ID => Some(c.client_id.clone()),
        env::CLIENT_SECRET => Some(c.client_secret.clone()),
        env::ORG_ID => Some(c.org_id.to_string()),
        env::USER_ID => Some(c.user_id.to_string()),
        _ => None,
    })
    .expect("settings");
    // Short waits: the emulator's faults are the point, not the clock.
    s.limits.backoff = Duration::from_millis(5);
    s.limits.max_backoff = Duration::from_millis(50);
    s.limits.timeout = Duration::from_secs(10);
    s.limits.attempts = 10;
    s
}

fn options(project_types: &[(&str, &str)]) -> PushOptions {
    PushOptions {
        target: TargetKind::Filevine,
        project_types: ProjectTypeChoice {
            by_value: project_types
                .iter()
                .map(|(v, t)| (v.to_string(), t.to_string()))
                .collect(),
            default: Some("General Litigation".into()),
        },
        ..PushOptions::default()
    }
}

/// The small sample, migrated into a store of its own.
struct Migrated {
    _sample: common::Sample,
    _data: tempfile::TempDir,
    config: Config,
    report: Report,
}

async fn migrated() -> Migrated {
    let sample = common::small_sample();
    let data = tempfile::tempdir().expect("tempdir");
    let config = common::config(data.path());
    let report = migrate(
        &sample.export,
        Some(&sample.mapping),
        Some("sample".into()),
        &config,
        &|_| {},
    )
    .await
    .expect("migrate");
    Migrated {
        _sample: sample,
        _data: data,
        config,
        report,
    }
}

/// Pushes `job` of the embedded store of `config`, with the store's id map.
async fn push_job(
    config: &Config,
    job: &str,
    emu: &Emulator,
    opts: &PushOptions,
) -> Result<Pushed, migrationai_pipeline::ProcessingError> {
    use migrationai_adapters::sql::{self, PoolSize, Schema, SqlIdMap, Tables};
    use migrationai_pipeline::delivery::target::FilevineTarget;
    let mut app = common::open(config).await?;
    let url = sql::sqlite_url(&config.data_dir.join("store.db"));
    let pool = sql::open(&url, PoolSize::of(2), Tables::Store, Schema::Migrate)
        .await
        .expect("the id map's pool");
    let ids = std::sync::Arc::new(SqlIdMap::new(pool));
    let target = FilevineTarget::new(
        settings(emu),
        ids,
        app.services.blobs.clone(),
        app.services.store.clone(),
    )
    .expect("the Filevine target");
    app.services = app
        .services
        .clone()
        .with_target(std::sync::Arc::new(target));
    queued::run(&app, job, opts, &|_| {}).await
}

async fn push(m: &Migrated, emu: &Emulator, opts: &PushOptions) -> Pushed {
    push_job(&m.config, "sample", emu, opts)
        .await
        .expect("push")
}

fn loaded(report: &Report, kind: Kind) -> usize {
    report
        .kinds
        .get(kind.as_str())
        .map_or(0, |c| c.loaded as usize)
}

/// Nothing lost, nothing doubled: every loaded record of every kind is read back from
/// Filevine exactly once or was refused with a reason; the emulator holds one record per
/// delivered row of the kinds that map one to one; trust and documents agree, and every
/// invoice whose balance does not is listed, present.
///
/// The small sample cannot all go into Filevine, and the refusals say why: notes that
/// belong to a contact and no matter (Filevine notes live on a project), bills that share
/// time entries with another bill (Filevine puts a billing item on one invoice), payments
/// of those bills, and custom sections the emulated org's project type does not have.
fn assert_accounted(m: &Migrated, pushed: &Pushed, emu: &Emulator) {
    let section = pushed.report.filevine.as_ref().expect("a Filevine section");
    let refused_of = |kind: Kind| section.refused.iter().filter(|r| r.kind == kind).count();
    for r in &section.refused {
        assert!(
            !r.reason.is_empty() && !r.code.is_empty() && r.source_id.is_some() && r.row > 0,
            "{r:?}"
        );
    }
    let rb = &section.read_back;
    for kind in Kind::ALL {
        // A kind with nothing to expect (none loaded, or all refused) is not listed.
        let (expected, found, missing, extra) = rb
            .kind(kind)
            .map_or((0, 0, 0, 0), |k| (k.expected, k.found, k.missing, k.extra));
        assert_eq!((found, missing, extra), (expected, 0, 0), "{kind}");
        assert_eq!(
            expected + refused_of(kind),
            loaded(&m.report, kind),
            "{kind}"
        );
        let counts = section.pushed[&kind];
        assert_eq!(counts.refused as usize, refused_of(kind), "{kind}");
        assert_eq!(counts.total() as usize, loaded(&m.report, kind), "{kind}");
    }
    assert!(rb.trust_mismatches.is_empty(), "{:?}", rb.trust_mismatches);
    // An invoice Filevine totals from its delivered billing items can differ from the bill's
    // own total (a bill whose lines do not add up to it, tax Filevine has no field for):
    // the read-back lists each such invoice, present, with both balances.
    for b in &rb.balance_mismatches {
        assert!(b.found.is_some_and(|f| f != b.expected), "{b:?}");
    }
    assert!(
        rb.document_problems.is_empty(),
        "{:?}",
        rb.document_problems
    );
    assert_eq!(rb.delivered, rb.balance_mismatches.is_empty(), "{rb:#?}");
    assert!(rb.trust_checked > 0 && rb.balances_checked > 0 && rb.documents_checked > 0);
    let snap = emu.snapshot();
    for (kind, held) in [
        (Kind::Contacts, snap.contacts),
        (Kind::Projects, snap.projects),
        (Kind::Notes, snap.notes),
        (Kind::Tasks, snap.tasks),
        (Kind::Calendar, snap.appointments),
        (Kind::BillingItems, snap.billing_items),
        (Kind::ProjectFunds, snap.funds),
        (Kind::BillingInvoice, snap.invoices),
        (Kind::Payment, snap.payments),
        (Kind::ProjectEmail, snap.emails),
    ] {
        assert_eq!(
            held,
            loaded(&m.report, kind) - refused_of(kind),
            "{kind} in the emulator"
        );
    }
    assert_eq!(snap.uncommitted_documents, 0);
    // Refusals and mismatches are the delivery's problems: the verdict and `delivered` say so.
    assert_eq!(
        pushed.delivered(),
        section.refused.is_empty() && rb.delivered
    );
    if !section.refused.is_empty() {
        assert!(!pushed.report.verdict.migrated);
        assert!(pushed
            .report
            .problems()
            .iter()
            .any(|p| p.starts_with("Filevine:") && p.contains("refused")));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_small_sample_is_pushed_read_back_and_a_second_push_creates_nothing() {
    let m = migrated().await;
    let emu = Emulator::start(EmuConfig::default())
        .await
        .expect("emulator");
    let first = push(&m, &emu, &options(&[])).await;
    assert_accounted(&m, &first, &emu);
    let section = first.report.filevine.as_ref().expect("section");
    let created: u64 = section.pushed.values().map(|c| c.created).sum();
    assert!(created > 0);
    // The sample bills each billing item once, so no invoice is refused for an item another
    // holds (that rule is tested in the filevine crate); a bill that lists no items (a flat
    // amount) is refused before any call, as Filevine builds an invoice from its items, so
    // Filevine never has to refuse one (its own 4xx refusals, with reason and status, are
    // tested in the filevine crate).
    let invoices: Vec<_> = section
        .refused
        .iter()
        .filter(|r| r.kind == Kind::BillingInvoice)
        .collect();
    assert!(!invoices.is_empty());
    for r in invoices {
        assert_eq!(r.code, "no_billing_items", "{r:?}");
        assert_eq!(r.field, "billing_item_ids", "{r:?}");
    }
    assert!(!section
        .refused
        .iter()
        .any(|r| r.reason.contains("already on invoice")));
    // The emulator's default project type lacks the sample's sections: the report says so
    // first, per missing section or field, with how many values it cost.
    let problems = first.report.problems();
    let at = |what: &str| problems.iter().position(|p| p.contains(what));
    let (unplaced, refused) = (
        at("have no place in the org's project type"),
        at("records refused"),
    );
    assert!(
        unplaced.is_some() && refused.is_some() && unplaced < refused,
        "{problems:#?}"
    );
    // A balance the read-back can explain carries its reason into the report's problems.
    for b in &section.read_back.balance_mismatches {
        if let Some(why) = b.reason.as_deref() {
            assert!(why.contains("not billable"), "{b:?}");
            assert!(
                first
                    .report
                    .problems()
                    .iter()
                    .any(|p| p.contains(&format!("invoice {} ", b.source_id)) && p.contains(why)),
                "{b:?}"
            );
        }
    }

    // The stored report carries the section, for `report` and the web app.
    let stored = common::open(&m.config)
        .await
        .expect("open")
        .report("sample")
        .await
        .expect("report");
    let stored = serde_json::to_value(&stored).expect("json");
    assert_eq!(
        stored["filevine"]["read_back"]["delivered"],
        section.read_back.delivered
    );
    assert_eq!(stored["verdict"]["migrated"], false);
    // The report page shows the section and the refusals with their reasons.
    let page = std::fs::read_to_string(
        m.config
            .data_dir
            .join("reports")
            .join("sample")
            .join("report.html"),
    )
    .expect("report.html");
    assert!(page.contains("Delivered to Filevine"));
    assert!(page.contains("not everything was delivered"));
    assert!(page.contains("the project's type has no section"));
    assert_eq!(
        stored["filevine"]["refused"].as_array().map(Vec::len),
        Some(section.refused.len())
    );

    let before = emu.snapshot();
    emu.reset_stats();
    let second = push(&m, &emu, &options(&[])).await;
    assert_accounted(&m, &second, &emu);
    assert_eq!(emu.snapshot(), before, "a second push creates nothing");
    let again = second.report.filevine.as_ref().expect("section");
    for (kind, c) in &again.pushed {
        assert_eq!(
            (c.created, c.adopted, c.updated, c.unchanged + c.refused),
            (0, 0, 0, c.total()),
            "{kind}"
        );
    }
    // Refused records are asked again (the org may have changed); nothing else is written.
    let asked_again = again
        .refused
        .iter()
        .filter(|r| r.code.starts_with("filevine_"))
        .count() as u64;
    let writes: u64 = emu
        .stats()
        .by_route
        .iter()
        .filter(|(route, _)| !route.starts_with("GET "))
        .map(|(_, n)| n)
        .sum();
    assert!(writes <= asked_again + 1, "{:?}", emu.stats().by_route);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_refused_record_is_in_the_report_with_its_reason_and_fails_the_delivery() {
    let m = migrated().await;
    let emu = Emulator::start(EmuConfig::default())
        .await
        .expect("emulator");
    // Send every matter of one canonical type to a project type the org does not have.
    let kind_value = first_project_type(&m).await;
    let pushed = push(&m, &emu, &options(&[(&kind_value, "No Such Type")])).await;
    assert_accounted(&m, &pushed, &emu);
    assert!(!pushed.delivered());
    let section = pushed.report.filevine.as_ref().expect("section");
    let refused: Vec<_> = section
        .refused
        .iter()
        .filter(|r| r.kind == Kind::Projects)
        .collect();
    assert!(!refused.is_empty());
    for r in &refused {
        assert_eq!(r.field, "project_type");
        assert!(r.reason.contains("No Such Type"), "{r:?}");
        assert!(
            r.source_id.is_some() && !r.file.is_empty() && r.row > 0,
            "{r:?}"
        );
    }
    // The records that hang on a refused matter are refused for it, by name.
    assert!(section
        .refused
        .iter()
        .any(|r| r.kind != Kind::Projects && r.code.contains("parent")));
    assert!(!pushed.report.verdict.migrated);
    assert!(pushed
        .report
        .problems()
        .iter()
        .any(|p| p.contains("refused")));
    // What was refused is not counted missing as well: the read-back checks the rest.
    let projects = section.read_back.kind(Kind::Projects).expect("projects");
    assert_eq!(projects.missing, 0);
    assert_eq!(
        projects.expected + refused.len(),
        loaded(&m.report, Kind::Projects)
    );
}

/// A canonical project type the sample's matters carry.
async fn first_project_type(m: &Migrated) -> String {
    let app = common::open(&m.config).await.expect("open");
    let job = app.find_job("sample").await.expect("job");
    let mut pages = migrationai_pipeline::record_pages::Pages::new(
        app.services.store.as_ref(),
        &job.tenant,
        &job.id,
        Kind::Projects,
    );
    let page = pages.next().await.expect("page").expect("matters");
    page.iter()
        .find_map(|r| r.fields.get("project_type")?.as_text().map(str::to_string))
        .expect("a matter with a type")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn throttles_and_server_errors_lose_and_double_nothing() {
    let m = migrated().await;
    let emu = Emulator::start(EmuConfig::default())
        .await
        .expect("emulator");
    emu.set_faults(Faults {
        seed: 11,
        throttle_rate: 0.10,
        retry_after_secs: 0,
        error_rate: 0.02,
        ..Faults::none()
    });
    let pushed = push(&m, &emu, &options(&[])).await;
    let stats = emu.stats();
    assert!(stats.throttled > 0 && stats.server_errors > 0, "{stats:?}");
    assert!(pushed.stats.retries > 0);
    assert_accounted(&m, &pushed, &emu);
}

/// Exports written the way other practice-management systems write theirs (the fidelity
/// corpus, migrated with the proposed mapping as a firm would): each is pushed and read
/// back with nothing lost or doubled, and whatever Filevine cannot take is refused with a
/// reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_held_back_style_export_is_pushed_and_read_back() {
    for style in migrationai_sample::styles::all() {
        let dir = tempfile::tempdir().expect("tempdir");
        migrationai_sample::styles::write(&style, &dir.path().join("style")).expect("style");
        let export = dir.path().join("style").join("export");
        let config = common::config(&dir.path().join("data"));
        let report = migrate(&export, None, Some("style".into()), &config, &|_| {})
            .await
            .expect("migrate");
        let emu = Emulator::start(EmuConfig::default())
            .await
            .expect("emulator");
        let pushed = push_job(&config, "style", &emu, &options(&[]))
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", style.name));
        let section = pushed.report.filevine.as_ref().expect("section");
        let mut delivered = 0;
        for kind in Kind::ALL {
            let refused = section.refused.iter().filter(|r| r.kind == kind).count();
            let (expected, found, missing, extra) = section
                .read_back
                .kind(kind)
                .map_or((0, 0, 0, 0), |k| (k.expected, k.found, k.missing, k.extra));
            assert_eq!(
                (found, missing, extra),
                (expected, 0, 0),
                "{} {kind}",
                style.name
            );
            assert_eq!(
                expected + refused,
                loaded(&report, kind),
                "{} {kind}",
                style.name
            );
            delivered += found;
        }
        assert!(delivered > 0, "{}: nothing delivered", style.name);
        for r in &section.refused {
            assert!(!r.reason.is_empty() && r.source_id.is_some(), "{r:?}");
        }
    }
}

/// An org whose one project type has every section and field the job's loaded section
/// values name (a collection where the values carry a row index), each field free text, so
/// nothing about the org stands between the job and Filevine.
async fn org_for(m: &Migrated) -> EmuConfig {
    use migrationai_domain::Value;
    use migrationai_filevine_emulator::{FieldDef, ProjectTypeDef, SectionDef};
    use migrationai_pipeline::record_pages::Pages;
    use std::collections::BTreeMap;

    let app = common::open(&m.config).await.expect("app");
    let job = app.find_job("sample").await.expect("job");
    // Section name → (is a collection, field names).
    let mut sections: BTreeMap<String, (bool, Vec<String>)> = BTreeMap::new();
    let mut pages = Pages::new(
        app.services.store.as_ref(),
        &job.tenant,
        &job.id,
        Kind::Sections,
    );
    while let Some(page) = pages.next().await.expect("page") {
        for r in page {
            // As the pusher reads them.
            let text = |name: &str| {
                r.fields
                    .get(name)
                    .and_then(Value::as_text)
                    .map(|s| s.trim().to_string())
                    .unwrap_or_else(|| panic!("section value {} without {name}", r.source_id))
            };
            let s = sections.entry(text("section")).or_default();
            s.0 |= matches!(r.fields.get("row_index"), Some(Value::Integer(_)));
            let f = text("field");
            if !s.1.contains(&f) {
                s.1.push(f);
            }
        }
    }
    assert!(!sections.is_empty(), "the sample has section values");
    EmuConfig {
        project_types: vec![ProjectTypeDef {
            name: "Migrated".into(),
            sections: sections
                .into_iter()
                .enumerate()
                .map(|(i, (name, (is_collection, fields)))| SectionDef {
                    name,
                    selector: format!("section{i}"),
                    is_collection,
                    fields: fields
                        .iter()
                        .enumerate()
                        .map(|(j, f)| FieldDef {
                            name: f.clone(),
                            selector: format!("field{j}"),
                            field_type: "String".into(),
                        })
                        .collect(),
                })
                .collect(),
        }],
        ..EmuConfig::default()
    }
}

/// Where the org has the sections the job's mapping needs, everything Filevine can hold
/// reads back clean: every section value delivered and read back, trust and documents right
/// (invoice balances that differ are listed by `assert_accounted`; not all are explained
/// yet). The only refusals are the contract's: a bill that lists no billing items (Filevine
/// builds an invoice from its items), the payments of bills refused for it, and notes that
/// belong to no matter (Filevine notes live on a project).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn where_the_org_has_the_sections_only_the_contract_refuses_anything() {
    let m = migrated().await;
    let emu = Emulator::start(org_for(&m).await).await.expect("emulator");
    let mut opts = options(&[]);
    opts.project_types.default = Some("Migrated".into());
    let pushed = push(&m, &emu, &opts).await;
    assert_accounted(&m, &pushed, &emu);
    let section = pushed.report.filevine.as_ref().expect("section");
    let rb = &section.read_back;

    let sections = rb.kind(Kind::Sections).expect("section values read back");
    assert_eq!(sections.found, loaded(&m.report, Kind::Sections));
    assert_eq!((sections.missing, sections.extra), (0, 0));
    assert!(emu.snapshot().form_values + emu.snapshot().collection_items > 0);

    for r in &section.refused {
        let contract = match r.kind {
            Kind::BillingInvoice => {
                r.code == "no_billing_items" && r.reason.contains("billing items")
            }
            Kind::Payment => r.reason.contains("invoice"),
            Kind::Notes => r.reason.contains("project"),
            _ => false,
        };
        assert!(contract, "a refusal that is not the contract's: {r:?}");
    }
    for kind in [Kind::BillingInvoice, Kind::Notes] {
        assert!(section.refused.iter().any(|r| r.kind == kind), "{kind}");
    }
    assert!(rb.trust_mismatches.is_empty() && rb.document_problems.is_empty());
}

/// The dry run reads the org's layout first and says up front which mapped section fields
/// it has no place for, with how many values each would lose, before any kind's calls: the
/// emulator's default project type has none of the sample's sections. Where the org has
/// them, nothing is listed; offline, the layout is not read and the dry run says it cannot
/// tell. The gaps are exactly the section values the push then refuses for want of a place.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_lists_the_section_fields_the_orgs_layout_has_no_place_for() {
    use migrationai_filevine::{Gateway, Transport};
    use migrationai_pipeline::delivery;
    use std::sync::Arc;

    let m = migrated().await;
    let app = common::open(&m.config).await.expect("open");
    let opts = options(&[]);
    let reads = |emu: &Emulator| {
        Arc::new(Gateway::new(&settings(emu)).expect("gateway")) as Arc<dyn Transport>
    };

    let default = Emulator::start(EmuConfig::default())
        .await
        .expect("emulator");
    let plan = delivery::dry_run(&app, "sample", &opts, Some(reads(&default)))
        .await
        .expect("dry run");
    let gaps = plan.layout_gaps.expect("the layout was read");
    assert!(!gaps.is_empty());
    for g in &gaps {
        assert!(
            ["unknown_section", "unknown_field"].contains(&g.code.as_str()),
            "{g:?}"
        );
        assert!(g.values > 0 && g.reason.contains(&g.section), "{g:?}");
    }
    let sections = plan
        .kinds
        .iter()
        .find(|k| k.kind == Kind::Sections)
        .expect("sections");
    let unplaced = sections
        .refused
        .iter()
        .filter(|r| ["unknown_section", "unknown_field"].contains(&r.code.as_str()))
        .count() as u64;
    assert_eq!(gaps.iter().map(|g| g.values).sum::<u64>(), unplaced);
    assert_eq!(default.snapshot().projects, 0, "a dry run writes nothing");

    let fitted = Emulator::start(org_for(&m).await).await.expect("emulator");
    let mut fitting = options(&[]);
    fitting.project_types.default = Some("Migrated".into());
    let plan = delivery::dry_run(&app, "sample", &fitting, Some(reads(&fitted)))
        .await
        .expect("dry run");
    assert_eq!(plan.layout_gaps, Some(Vec::new()));

    let offline = delivery::dry_run(&app, "sample", &opts, None)
        .await
        .expect("dry run");
    assert_eq!(offline.layout_gaps, None);
}
