//! Delivering a firm into the Filevine emulator over real HTTP: every kind written and read
//! back, a second push that creates nothing, updates that send only what changed,
//! refusals with Filevine's reason, and crashes between a create and the id map's write.

mod common;

use common::*;
use migrationai_domain::Kind;
use migrationai_filevine::{
    Action, Call, Disposition, FvError, Gateway, MemoryIdMap, Op, Pusher, ReadBack, Transport,
};
use migrationai_filevine_emulator::{Config, Emulator};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;

async fn start() -> (Emulator, Arc<Gateway>) {
    let emu = Emulator::start(Config::default()).await.expect("emulator");
    let gw = Arc::new(Gateway::new(&settings(&emu)).expect("gateway"));
    (emu, gw)
}

#[tokio::test]
async fn every_kind_is_written_and_read_back() {
    let (emu, gw) = start().await;
    let ids = Arc::new(MemoryIdMap::new());
    let px = Pusher::new(gw.clone(), ids.clone(), job("j1"), config(&emu));
    let firm = firm(1);

    let outcomes = push_firm(&px, &firm, 1).await;
    assert_all_ok(&outcomes);
    assert!(outcomes
        .values()
        .all(|r| matches!(r, Ok(d) if d.action == Action::Created)));

    let snap = emu.snapshot();
    assert_eq!(snap.contacts, 3);
    assert_eq!(snap.projects, 2);
    assert_eq!(snap.form_values, 2);
    assert_eq!(
        snap.collection_items, 2,
        "two rows of the Parties collection"
    );
    assert_eq!(snap.notes, 2);
    assert_eq!(snap.appointments, 2);
    assert_eq!((snap.tasks, snap.completed_tasks), (2, 1));
    assert_eq!(snap.billing_items, 4);
    assert_eq!(snap.funds, 3);
    assert_eq!(snap.invoices, 2);
    assert_eq!(snap.payments, 1);
    assert_eq!(snap.emails, 1);
    // Two documents, and the email's attachment filed with it.
    assert_eq!((snap.documents, snap.uncommitted_documents), (3, 0));

    let delivery = ReadBack::new(gw.as_ref(), ids.as_ref(), &job("j1"))
        .run(&firm.expected())
        .await
        .expect("read back");
    assert!(delivery.delivered, "{delivery:#?}");
    for kind in Kind::ALL {
        let k = delivery
            .kind(kind)
            .unwrap_or_else(|| panic!("{kind} not in the read-back"));
        assert_eq!(
            (k.expected, k.found, k.extra),
            (firm.count(kind), firm.count(kind), 0),
            "{kind}"
        );
    }
    assert_eq!(delivery.trust_checked, 2);
    assert_eq!(delivery.balances_checked, 2);
    assert_eq!(delivery.documents_checked, 2);

    // The hearing keeps its instant and its zone; the trial stays all-day.
    let hearing = ids.delivered(Kind::Calendar)["E1-0"].clone();
    let ev = gw
        .call(Call::new(Op::AppointmentGet).arg(&hearing))
        .await
        .expect("get");
    assert_eq!(ev["StartUtc"], "2024-03-10T05:00:00Z");
    assert_eq!(ev["EndUtc"], "2024-03-10T07:00:00Z");
    assert_eq!(ev["AllDay"], false);
    assert!(
        ev["Notes"]
            .as_str()
            .unwrap_or("")
            .contains("Time zone: America/Chicago"),
        "{ev}"
    );
    let trial = ids.delivered(Kind::Calendar)["E2-0"].clone();
    let ev = gw
        .call(Call::new(Op::AppointmentGet).arg(&trial))
        .await
        .expect("get");
    assert_eq!(ev["AllDay"], true);
    assert_eq!(ev["StartUtc"], "2024-05-01T00:00:00Z");
    assert_eq!(ev["EndUtc"], "2024-05-04T00:00:00Z");

    // The probate matter got the type the mapping chose; the organisation is a company.
    let estate = ids.delivered(Kind::Projects)["M2-0"].clone();
    let p = gw
        .call(Call::new(Op::ProjectGet).arg(&estate))
        .await
        .expect("get");
    assert_eq!(
        p["ProjectTypeId"]["Native"],
        emu.project_type_id("Personal Injury").expect("type")
    );
    assert!(
        p["Description"]
            .as_str()
            .unwrap_or("")
            .contains("Status: closed"),
        "{p}"
    );
    let acme = ids.delivered(Kind::Contacts)["C2-0"].clone();
    let c = gw
        .call(Call::new(Op::ContactGet).arg(&acme))
        .await
        .expect("get");
    assert_eq!(
        (c["IsSingleName"].clone(), c["FullName"].clone()),
        (Value::Bool(true), Value::from("Acme Holdings LLC"))
    );
}

#[tokio::test]
async fn a_second_push_creates_nothing_and_updates_send_only_what_changed() {
    let (emu, gw) = start().await;
    let recorder = Recorder::new(gw.clone());
    let ids = Arc::new(MemoryIdMap::new());
    let px = Pusher::new(recorder.clone(), ids.clone(), job("j2"), config(&emu));
    let mut firm = firm(1);
    assert_all_ok(&push_firm(&px, &firm, 1).await);
    let before = emu.snapshot();
    let first = recorder.take();
    // Calls per record: one create each, plus a collection row's partner lookup, the one
    // project read that finds the sections' layout, a completion and document steps.
    assert!(
        first.len() <= firm.records.len() + 12,
        "{} calls for {} records",
        first.len(),
        firm.records.len()
    );

    emu.reset_stats();
    let again = push_firm(&px, &firm, 1).await;
    assert_all_ok(&again);
    assert!(again
        .values()
        .all(|r| matches!(r, Ok(d) if d.action == Action::Unchanged)));
    assert_eq!(emu.snapshot(), before);
    assert_eq!(emu.stats().requests, 0, "an unchanged firm costs no call");

    // Change one contact's email and one note's body: only those properties are sent.
    for r in firm.records.iter_mut() {
        if r.source_id == "C1-0" {
            *r = rec(
                Kind::Contacts,
                &[
                    ("contact_id", "C1-0"),
                    ("full_name", "Dr. Jane Q. Doe"),
                    ("email", "jane@new.test"),
                    ("phone", "(212) 555-0143"),
                    ("address_line1", "1 Main St"),
                    ("city", "Springfield"),
                    ("region", "IL"),
                    ("postal_code", "62701"),
                    ("is_client", "yes"),
                ],
            );
        }
        if r.source_id == "N1-0" {
            *r = rec(
                Kind::Notes,
                &[
                    ("note_id", "N1-0"),
                    ("project_id", "M1-0"),
                    ("subject", "Intake"),
                    ("body", "Client called twice about the accident."),
                    ("noted_at", "2024-01-15 10:30"),
                    ("author", "JS"),
                ],
            );
        }
    }
    let third = push_firm(&px, &firm, 1).await;
    assert_all_ok(&third);
    let updated: Vec<_> = third
        .iter()
        .filter_map(|(k, r)| match r {
            Ok(d) if d.action != Action::Unchanged => Some((k.1.clone(), d.action.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        updated,
        vec![
            ("C1-0".to_string(), Action::Updated(vec!["Emails".into()])),
            ("N1-0".to_string(), Action::Updated(vec!["Body".into()])),
        ]
    );
    let writes: Vec<(Op, Value)> = recorder
        .take()
        .into_iter()
        .filter(|c| c.op.method() != migrationai_filevine::ops::Method::Get)
        .map(|c| (c.op, c.body.unwrap_or_default()))
        .collect();
    assert_eq!(writes.len(), 2, "{writes:?}");
    assert_eq!(writes[0].0, Op::ContactUpdate);
    assert_eq!(writes[0].1.as_object().map(|o| o.len()), Some(1));
    assert_eq!(writes[0].1["Emails"][0]["Address"], "jane@new.test");
    assert_eq!(writes[1].0, Op::NoteUpdate);
    assert_eq!(emu.snapshot(), before, "updates create nothing");
}

#[tokio::test]
async fn refused_records_carry_filevines_reason() {
    let (emu, gw) = start().await;
    let ids = Arc::new(MemoryIdMap::new());
    let px = Pusher::new(gw.clone(), ids.clone(), job("j3"), config(&emu));
    let firm = firm(1);
    assert_all_ok(&push_kinds(&px, &firm, &[Kind::Contacts, Kind::Projects], 1).await);

    // Filevine refuses a note dated in the future, and says why.
    let note = rec(
        Kind::Notes,
        &[
            ("note_id", "N-future"),
            ("project_id", "M1-0"),
            ("body", "later"),
            ("noted_at", "2099-01-01 09:00"),
        ],
    );
    let err = push_record(&px, &firm, &note).await.expect_err("refused");
    assert_eq!(err.disposition(), Disposition::Reject);
    let FvError::Refused(r) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(r.status, Some(400));
    assert_eq!(r.op, Some(Op::NoteCreate));
    assert!(r.reason.contains("future"), "{r:?}");

    // A note on a matter that was never delivered is refused before any call.
    let orphan = rec(
        Kind::Notes,
        &[
            ("note_id", "N-orphan"),
            ("project_id", "M-nowhere"),
            ("body", "x"),
        ],
    );
    let FvError::Refused(r) = push_record(&px, &firm, &orphan).await.expect_err("refused") else {
        panic!()
    };
    assert_eq!(
        (r.code.as_str(), r.field.as_deref(), r.status),
        ("parent_not_delivered", Some("project_id"), None)
    );
    assert!(r.reason.contains("M-nowhere"), "{r:?}");

    // A note the source keeps on a contact alone has no place in Filevine (notes live on
    // projects): refused before any call, naming the contact.
    let requests = emu.stats().requests;
    let on_contact = rec(
        Kind::Notes,
        &[
            ("note_id", "N-contact"),
            ("contact_id", "C1"),
            ("body", "x"),
        ],
    );
    let FvError::Refused(r) = push_record(&px, &firm, &on_contact)
        .await
        .expect_err("refused")
    else {
        panic!()
    };
    assert_eq!(
        (r.code.as_str(), r.field.as_deref(), r.status),
        ("note_on_contact_only", Some("project_id"), None)
    );
    assert!(
        r.reason.contains("\"C1\"") && r.reason.contains("projects only"),
        "{r:?}"
    );
    assert_eq!(emu.stats().requests, requests, "no call");

    // An overpayment: Filevine will not apply more than the invoice's balance.
    assert_all_ok(&push_kinds(&px, &firm, &[Kind::BillingItems, Kind::BillingInvoice], 1).await);
    let over = rec(
        Kind::Payment,
        &[
            ("payment_id", "P-over"),
            ("invoice_id", "I2-0"),
            ("project_id", "M2-0"),
            ("paid_on", "2024-04-01"),
            ("amount", "900.00"),
        ],
    );
    let FvError::Refused(r) = push_record(&px, &firm, &over).await.expect_err("refused") else {
        panic!()
    };
    assert_eq!(r.status, Some(400));
    assert!(
        r.reason.contains("exceeds the outstanding balance"),
        "{r:?}"
    );

    // A section value for a field the project's type does not have names what it has.
    let stray = rec(
        Kind::Sections,
        &[
            ("section_row_id", "S-x"),
            ("project_id", "M1-0"),
            ("section", "Case Summary"),
            ("field", "Judge"),
            ("value", "Hon. X"),
        ],
    );
    let FvError::Refused(r) = push_record(&px, &firm, &stray).await.expect_err("refused") else {
        panic!()
    };
    assert_eq!(r.code, "unknown_field");
    assert!(
        r.reason.contains("Court") && r.reason.contains("Claim Amount"),
        "{r:?}"
    );

    // A document whose bytes are not those the migration recorded is not sent.
    let mut bad = firm.files[&(Kind::Document, "D1-0".to_string())].clone();
    bad[0].bytes = bytes::Bytes::from_static(b"tampered");
    let mut tampered = firm_with_files(&firm, Kind::Document, "D1-0", bad);
    tampered.records.retain(|r| r.source_id == "D1-0");
    let FvError::Refused(r) = push_record(&px, &tampered, &tampered.records[0])
        .await
        .expect_err("refused")
    else {
        panic!()
    };
    assert_eq!(r.code, "checksum_mismatch");
    assert_eq!(emu.snapshot().documents, 0);
    assert!(ids.delivered(Kind::Notes).is_empty());
}

fn firm_with_files(
    f: &Firm,
    kind: Kind,
    source: &str,
    files: Vec<migrationai_filevine::FileContent>,
) -> Firm {
    let mut out = Firm {
        records: f.records.clone(),
        files: f.files.clone(),
        trust: f.trust.clone(),
        balances: f.balances.clone(),
    };
    out.files.insert((kind, source.to_string()), files);
    out
}

#[tokio::test]
async fn a_crash_between_create_and_id_map_write_creates_nothing_twice() {
    let (emu, gw) = start().await;
    let ids = Arc::new(Crashy::default());
    let px = Pusher::new(gw.clone(), ids.clone(), job("j4"), config(&emu));
    let firm = firm(2);
    for phase in Kind::phases() {
        // Every record of the phase is created in Filevine, and every id-map write after
        // the create is lost.
        ids.armed.store(true, Ordering::SeqCst);
        let crashed = push_kinds(&px, &firm, &phase, 1).await;
        assert!(
            crashed
                .values()
                .all(|r| matches!(r, Err(FvError::Transient { op, .. }) if op == "id map")),
            "{crashed:#?}"
        );
        // The rerun finds each record where the crash left it.
        ids.armed.store(false, Ordering::SeqCst);
        let rerun = push_kinds(&px, &firm, &phase, 1).await;
        assert_all_ok(&rerun);
        for ((kind, src), r) in &rerun {
            let action = &r.as_ref().expect("ok").action;
            assert!(
                matches!(action, Action::Adopted | Action::Unchanged),
                "{kind} {src}: {action:?}"
            );
        }
    }
    let snap = emu.snapshot();
    assert_eq!(snap.contacts, 6);
    assert_eq!(snap.projects, 4);
    assert_eq!(snap.collection_items, 4);
    assert_eq!(
        (snap.notes, snap.tasks, snap.emails, snap.appointments),
        (4, 4, 2, 4)
    );
    assert_eq!(
        (snap.billing_items, snap.funds, snap.invoices, snap.payments),
        (8, 6, 4, 2)
    );
    assert_eq!(
        (snap.documents, snap.uncommitted_documents),
        (4 + 2, 0),
        "documents and attachments"
    );
    // The partner-id kinds were found by their partner id, never re-created under it.
    assert!(
        emu.stats().partner_replays.is_empty(),
        "{:?}",
        emu.stats().partner_replays
    );
    let delivery = ReadBack::new(gw.as_ref(), &ids.inner, &job("j4"))
        .run(&firm.expected())
        .await
        .expect("read back");
    assert!(delivery.delivered, "{delivery:#?}");
}

#[tokio::test]
async fn a_document_left_uncommitted_is_finished_by_the_rerun() {
    use async_trait::async_trait;
    use bytes::Bytes;
    use std::sync::atomic::AtomicBool;

    /// Loses the "add to project" call once, after the upload.
    struct DropCommit {
        inner: Arc<Gateway>,
        dropped: AtomicBool,
    }
    #[async_trait]
    impl Transport for DropCommit {
        async fn call(&self, call: Call) -> Result<Value, FvError> {
            if call.op == Op::DocumentAdd && !self.dropped.swap(true, Ordering::SeqCst) {
                return Err(FvError::transient(call.op.to_string(), "connection reset"));
            }
            self.inner.call(call).await
        }
        async fn upload(&self, url: &str, ct: &str, b: Bytes) -> Result<(), FvError> {
            self.inner.upload(url, ct, b).await
        }
        async fn download(&self, url: &str) -> Result<Bytes, FvError> {
            self.inner.download(url).await
        }
    }

    let (emu, gw) = start().await;
    let t = Arc::new(DropCommit {
        inner: gw.clone(),
        dropped: AtomicBool::new(false),
    });
    let ids = Arc::new(MemoryIdMap::new());
    let px = Pusher::new(t, ids.clone(), job("j5"), config(&emu));
    let firm = firm(1);
    assert_all_ok(
        &push_kinds(
            &px,
            &firm,
            &[Kind::Contacts, Kind::Projects, Kind::Document],
            1,
        )
        .await,
    );
    let snap = emu.snapshot();
    assert_eq!((snap.documents, snap.uncommitted_documents), (2, 0));
    let delivery = ReadBack::new(gw.as_ref(), ids.as_ref(), &job("j5"))
        .run(&firm.expected())
        .await
        .expect("read back");
    assert!(delivery.document_problems.is_empty(), "{delivery:#?}");
    assert_eq!(
        delivery.kind(Kind::Document).map(|k| (k.found, k.extra)),
        Some((2, 0))
    );
}

#[tokio::test]
async fn read_back_reports_what_is_missing_wrong_or_changed() {
    let (emu, gw) = start().await;
    let ids = Arc::new(MemoryIdMap::new());
    let px = Pusher::new(gw.clone(), ids.clone(), job("j6"), config(&emu));
    let firm = firm(1);
    // Everything but the payment.
    let kinds: Vec<Kind> = Kind::ALL
        .into_iter()
        .filter(|k| *k != Kind::Payment)
        .collect();
    assert_all_ok(&push_kinds(&px, &firm, &kinds, 1).await);
    let doc = ids.delivered(Kind::Document)["D2-0"]
        .as_i64()
        .expect("native id");
    assert!(emu.corrupt_document(doc, bytes::Bytes::from_static(b"not the will")));

    let d = ReadBack::new(gw.as_ref(), ids.as_ref(), &job("j6"))
        .run(&firm.expected())
        .await
        .expect("read back");
    assert!(!d.delivered);
    let pay = d.kind(Kind::Payment).expect("payments");
    assert_eq!(
        (pay.expected, pay.found, pay.missing_ids.clone()),
        (1, 0, vec!["P1-0".to_string()])
    );
    assert_eq!(d.balance_mismatches.len(), 1);
    assert_eq!(d.balance_mismatches[0].source_id, "I1-0");
    assert_eq!(d.balance_mismatches[0].found, Some(dec("1200.00")));
    assert_eq!(d.document_problems.len(), 1);
    assert_eq!(d.document_problems[0].source_id, "D2-0");
    assert!(d.trust_mismatches.is_empty());
}

#[tokio::test]
async fn lists_are_read_page_by_page() {
    let (emu, gw) = start().await;
    let ids = Arc::new(MemoryIdMap::new());
    let px = Pusher::new(gw.clone(), ids.clone(), job("j7"), config(&emu));
    let names: Vec<String> = (0..2100).map(|i| format!("P{i:04}")).collect();
    let mut f = firm(0);
    for n in &names {
        f.records.push(rec(
            Kind::Contacts,
            &[
                ("contact_id", n.as_str()),
                ("first_name", "Pat"),
                ("last_name", n.as_str()),
            ],
        ));
    }
    assert_all_ok(&push_kinds(&px, &f, &[Kind::Contacts], 1).await);
    emu.reset_stats();
    let d = ReadBack::new(gw.as_ref(), ids.as_ref(), &job("j7"))
        .run(&f.expected())
        .await
        .expect("read back");
    let c = d.kind(Kind::Contacts).expect("contacts");
    assert_eq!((c.expected, c.found, c.extra), (2100, 2100, 0));
    assert_eq!(
        emu.stats().route("GET", "/fv-app/v2/Contacts"),
        3,
        "three pages of at most 1000"
    );
}

#[tokio::test]
async fn a_dry_run_lists_the_calls_per_kind_and_sends_none() {
    use migrationai_filevine::DryRun;
    let emu = Emulator::start(Config::default()).await.expect("emulator");
    let dry = Arc::new(DryRun::offline());
    let ids = Arc::new(MemoryIdMap::new());
    let px = Pusher::assuming_layout(dry.clone(), ids, job("j8"), config(&emu));
    let firm = firm(1);
    let mut per_kind = std::collections::BTreeMap::new();
    for phase in Kind::phases() {
        for kind in phase {
            let out = push_kinds(&px, &firm, &[kind], 1).await;
            assert_all_ok(&out);
            let calls = dry.take();
            per_kind.insert(kind, calls.iter().map(|c| c.op).collect::<Vec<_>>());
        }
    }
    assert_eq!(per_kind[&Kind::Contacts], vec![Op::ContactCreate; 3]);
    assert_eq!(per_kind[&Kind::Projects], vec![Op::ProjectCreate; 2]);
    assert_eq!(per_kind[&Kind::Payment], vec![Op::PaymentCreateApply]);
    let docs = &per_kind[&Kind::Document];
    assert_eq!(
        docs.iter().filter(|o| **o == Op::DocumentUploadUrl).count(),
        2
    );
    assert_eq!(docs.iter().filter(|o| **o == Op::DocumentAdd).count(), 2);
    let tasks = &per_kind[&Kind::Tasks];
    assert_eq!(tasks.iter().filter(|o| **o == Op::TaskComplete).count(), 1);
    assert_eq!(dry.uploads(), 2);
    assert_eq!(emu.stats().requests, 0, "a dry run sends nothing");
    assert_eq!(emu.snapshot(), Default::default());
}

/// A bill whose own total counts an item marked not billable, paid in full (invoice B000007
/// of the small sample): Filevine's invoice total leaves the item out, so the payment is more
/// than is outstanding there, and Filevine refuses to apply it whole. The payment is recorded
/// whole, applied up to the outstanding balance, and the invoice reads back paid, as the
/// source has it; after a crash between the create and the id map's write the rerun adopts
/// it, never making it twice.
#[tokio::test]
async fn a_payment_above_what_filevine_billed_is_applied_up_to_the_balance_and_reads_back_paid() {
    use migrationai_filevine::transport::call_as;
    use migrationai_filevine::wire::billing::Transaction;

    let (emu, gw) = start().await;
    let ids = Arc::new(Crashy::default());
    let px = Pusher::new(gw.clone(), ids.clone(), job("j-paid"), config(&emu));
    let mut firm = firm(1);
    for r in &mut firm.records {
        match r.source_id.as_str() {
            // On I1, whose source total (1200.00, less its 95.20 discount) counts it.
            "B3-0" => {
                *r = rec(
                    Kind::BillingItems,
                    &[
                        ("item_id", "B3-0"),
                        ("project_id", "M1-0"),
                        ("item_type", "flat_fee"),
                        ("date", "2024-02-03"),
                        ("amount", "500.00"),
                        ("description", "Case evaluation"),
                        ("non_billable", "yes"),
                    ],
                )
            }
            // Paid in full by the source's reckoning.
            "P1-0" => {
                *r = rec(
                    Kind::Payment,
                    &[
                        ("payment_id", "P1-0"),
                        ("invoice_id", "I1-0"),
                        ("project_id", "M1-0"),
                        ("paid_on", "2024-03-15"),
                        ("amount", "1200.00"),
                        ("method", "check"),
                    ],
                )
            }
            _ => {}
        }
    }
    firm.balances.insert("I1-0".into(), dec("0.00"));

    for phase in Kind::phases() {
        if !phase.contains(&Kind::Payment) {
            assert_all_ok(&push_kinds(&px, &firm, &phase, 1).await);
            continue;
        }
        // The payment is made, and the id map's write after it is lost.
        ids.armed.store(true, Ordering::SeqCst);
        let crashed = push_kinds(&px, &firm, &phase, 1).await;
        assert!(
            matches!(
                &crashed[&(Kind::Payment, "P1-0".to_string())],
                Err(FvError::Transient { op, .. }) if op == "id map"
            ),
            "{crashed:#?}"
        );
        ids.armed.store(false, Ordering::SeqCst);
        let rerun = push_kinds(&px, &firm, &phase, 1).await;
        assert_all_ok(&rerun);
        let action = &rerun[&(Kind::Payment, "P1-0".to_string())]
            .as_ref()
            .expect("ok")
            .action;
        assert_eq!(*action, Action::Adopted);
    }
    assert_eq!(emu.snapshot().payments, 1);

    let delivery = ReadBack::new(gw.as_ref(), &ids.inner, &job("j-paid"))
        .run(&firm.expected())
        .await
        .expect("read back");
    assert!(
        delivery.balance_mismatches.is_empty(),
        "{:#?}",
        delivery.balance_mismatches
    );
    assert!(delivery.delivered, "{delivery:#?}");
    let paid = ids.inner.delivered(Kind::Payment)["P1-0"].clone();
    let t: Transaction = call_as(gw.as_ref(), Call::new(Op::TransactionGet).arg(&paid))
        .await
        .expect("the payment");
    assert_eq!(t.total, Some(dec("1200.00")), "recorded whole");
    let applied: Vec<_> = t
        .payment_applied_invoices
        .iter()
        .map(|a| a.amount)
        .collect();
    assert_eq!(
        applied,
        vec![Some(dec("700.00"))],
        "applied up to the balance"
    );
}

/// Two payments of one invoice that together pay more than Filevine billed (it leaves out a
/// 500.00 item marked not billable): which is applied whole, which in part and which is
/// refused must not depend on the order a page lists them in, nor on which call lands first.
/// They take turns in the order they were paid: the first is applied up to the balance, the
/// second finds nothing outstanding and is refused, whichever way round the page has them.
#[tokio::test]
async fn two_payments_of_one_invoice_come_out_the_same_in_whichever_order_a_page_lists_them() {
    use migrationai_filevine::turns;

    let mut runs = Vec::new();
    for reversed in [false, true] {
        let (emu, gw) = start().await;
        let ids = Arc::new(MemoryIdMap::new());
        let px = Pusher::new(gw.clone(), ids.clone(), job("j-turns"), config(&emu));
        let mut firm = firm(1);
        let payment = |id: &str, paid_on: &str, amount: &str| {
            rec(
                Kind::Payment,
                &[
                    ("payment_id", id),
                    ("invoice_id", "I1-0"),
                    ("project_id", "M1-0"),
                    ("paid_on", paid_on),
                    ("amount", amount),
                    ("method", "check"),
                ],
            )
        };
        for r in &mut firm.records {
            match r.source_id.as_str() {
                "B3-0" => {
                    *r = rec(
                        Kind::BillingItems,
                        &[
                            ("item_id", "B3-0"),
                            ("project_id", "M1-0"),
                            ("item_type", "flat_fee"),
                            ("date", "2024-02-03"),
                            ("amount", "500.00"),
                            ("description", "Case evaluation"),
                            ("non_billable", "yes"),
                        ],
                    )
                }
                "P1-0" => *r = payment("P1-0", "2024-03-15", "900.00"),
                _ => {}
            }
        }
        firm.records.push(payment("P2-0", "2024-03-20", "300.00"));
        for phase in Kind::phases() {
            if phase.contains(&Kind::Payment) {
                break;
            }
            assert_all_ok(&push_kinds(&px, &firm, &phase, 1).await);
        }
        let mut page = firm.of(Kind::Payment);
        if reversed {
            page.reverse();
        }
        let mut got = BTreeMap::new();
        for turn in turns(
            Kind::Payment,
            page.iter().map(|r| (r.source_id.as_str(), &r.fields)),
        ) {
            for r in turn.into_iter().map(|i| page[i]) {
                let outcome = match push_record(&px, &firm, r).await {
                    Ok(d) => format!("{:?}", d.action),
                    Err(FvError::Refused(refusal)) => format!("refused: {}", refusal.code),
                    Err(e) => format!("failed: {e}"),
                };
                got.insert(r.source_id.clone(), outcome);
            }
        }
        runs.push((got, emu.snapshot().payments));
    }
    assert_eq!(runs[0], runs[1], "the page's order decided");
    let (got, held) = &runs[0];
    assert_eq!(got["P1-0"], "Created", "{got:?}");
    assert_eq!(got["P2-0"], "refused: filevine_400", "{got:?}");
    assert_eq!(*held, 1);
}

/// Two invoices of one matter that list the same billing item: Filevine puts an item on one
/// invoice only. The invoice issued first holds it, whichever the page lists first; the
/// other is refused before any call, naming the invoice that holds the item.
#[tokio::test]
async fn of_two_invoices_listing_one_billing_item_the_earlier_issued_gets_it_in_any_order() {
    let mut runs = Vec::new();
    for reversed in [false, true] {
        let (emu, gw) = start().await;
        let ids = Arc::new(MemoryIdMap::new());
        let px = Pusher::new(gw.clone(), ids.clone(), job("j-holders"), config(&emu));
        let mut firm = firm(1);
        firm.records.push(rec(
            Kind::BillingInvoice,
            &[
                ("invoice_id", "I3-0"),
                ("invoice_number", "1100"),
                ("project_id", "M1-0"),
                ("issued_on", "2024-03-10"),
                ("total", "300.00"),
                ("billing_item_ids", "B3-0"),
            ],
        ));
        for phase in Kind::phases() {
            if phase.contains(&Kind::BillingInvoice) {
                break;
            }
            assert_all_ok(&push_kinds(&px, &firm, &phase, 1).await);
        }
        let mut page = firm.of(Kind::BillingInvoice);
        if reversed {
            page.reverse();
        }
        let before = emu.stats().requests;
        let mut got = BTreeMap::new();
        let mut reason = String::new();
        for r in page {
            let outcome = match push_record(&px, &firm, r).await {
                Ok(d) => format!("{:?}", d.action),
                Err(FvError::Refused(refusal)) => {
                    reason = refusal.reason.clone();
                    format!("refused: {} {:?}", refusal.code, refusal.status)
                }
                Err(e) => format!("failed: {e}"),
            };
            got.insert(r.source_id.clone(), outcome);
        }
        runs.push((
            got,
            reason,
            emu.snapshot().invoices,
            emu.stats().requests - before,
        ));
    }
    assert_eq!(runs[0], runs[1], "the page's order decided");
    let (got, reason, held, _) = &runs[0];
    assert_eq!(got["I1-0"], "Created");
    assert_eq!(got["I2-0"], "Created");
    assert_eq!(
        got["I3-0"], "refused: billing_item_on_another_invoice None",
        "refused here, not by Filevine"
    );
    assert!(
        reason.contains("B3-0") && reason.contains("I1-0"),
        "names the item and its invoice: {reason}"
    );
    assert_eq!(*held, 2);
}

/// Lets the first two collection-item lookups answer only once both are in, as two workers
/// pushing their pages at the same moment would see them: neither finds the row's item.
struct BothLookFirst {
    inner: Arc<dyn Transport>,
    gate: Arc<tokio::sync::Barrier>,
    lookups: Arc<std::sync::atomic::AtomicUsize>,
}

#[async_trait::async_trait]
impl Transport for BothLookFirst {
    async fn call(&self, call: Call) -> Result<Value, FvError> {
        let lookup = call.op == Op::PartnerItemGet;
        let answer = self.inner.call(call).await;
        if lookup && self.lookups.fetch_add(1, Ordering::SeqCst) < 2 {
            self.gate.wait().await;
        }
        answer
    }
    async fn upload(&self, url: &str, ct: &str, b: bytes::Bytes) -> Result<(), FvError> {
        self.inner.upload(url, ct, b).await
    }
    async fn download(&self, url: &str) -> Result<bytes::Bytes, FvError> {
        self.inner.download(url).await
    }
}

/// One collection row whose two values are on two pages, pushed by two workers at once (two
/// processes: no memory shared but the store's id map). Both look the row's item up before
/// either makes it; still one item is made, and it holds both values.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_collection_row_split_over_two_pages_pushed_at_once_is_one_item_with_both_values() {
    let (emu, gw) = start().await;
    let ids = Arc::new(MemoryIdMap::new());
    let firm = firm(1);
    let setup = Pusher::new(gw.clone(), ids.clone(), job("j-rows"), config(&emu));
    assert_all_ok(&push_kinds(&setup, &firm, &[Kind::Contacts, Kind::Projects], 1).await);

    let gate = Arc::new(tokio::sync::Barrier::new(2));
    let lookups = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let worker = || {
        let t: Arc<dyn Transport> = Arc::new(BothLookFirst {
            inner: gw.clone(),
            gate: gate.clone(),
            lookups: lookups.clone(),
        });
        Pusher::new(t, ids.clone(), job("j-rows"), config(&emu))
    };
    let (one, two) = (worker(), worker());
    let value = |id: &str| {
        firm.records
            .iter()
            .find(|r| r.source_id == id)
            .expect("record")
            .clone()
    };
    // Party Name and Role of the Parties row 1 of M1.
    let (name, role) = (value("S3-0"), value("S4-0"));
    let (a, b) = tokio::join!(
        push_record(&one, &firm, &name),
        push_record(&two, &firm, &role)
    );
    a.expect("the name");
    b.expect("the role");

    assert_eq!(emu.snapshot().collection_items, 1, "one item for the row");
    // Each value's place: project/section/item/field, the same item for both.
    let places = ids.delivered(Kind::Sections);
    let place = |id: &str| -> Vec<String> { places[id].0.split('/').map(str::to_string).collect() };
    let (at_name, at_role) = (place("S3-0"), place("S4-0"));
    assert_eq!(at_name[..3], at_role[..3], "{at_name:?} {at_role:?}");
    let item = gw
        .call(
            Call::new(Op::CollectionGet)
                .arg(&at_name[0])
                .arg(&at_name[1])
                .arg(&at_name[2]),
        )
        .await
        .expect("the row's item");
    let data = &item["DataObject"];
    for field in [&at_name[3], &at_role[3]] {
        assert!(
            !data[field.as_str()].is_null(),
            "{field} in the item: {data}"
        );
    }
}
