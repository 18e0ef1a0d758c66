//! Tests of records: the status state machine, filters and presets, CSV rows, spending totals.

use ledger::{Amount, Currency};
use proptest::prelude::*;

use super::*;
use crate::calendar::{UtcOffset, parse_rfc3339, rfc3339_utc};

/// 2027-01-15T08:00:00Z: 16:00 in Beijing.
const NOW: i64 = 1_800_000_000;

fn reason(code: &str) -> ReasonCode {
    ReasonCode::parse(code).expect("valid code")
}

fn new_record(kind: RecordKind, status: TransactionStatus) -> NewRecord {
    NewRecord {
        id: "txn_1".to_owned(),
        user_id: "usr_a".to_owned(),
        kind,
        direction: Direction::Out,
        status,
        amount: Amount::from_minor(10_000),
        currency: Currency::Cny,
        fee: Amount::from_minor(110),
        arrived: Some((Amount::from_minor(9_890), Currency::Cny)),
        counterparty: Some(Counterparty {
            id: "ba_1".to_owned(),
            label: "招商银行 •••• 6789".to_owned(),
        }),
        note: None,
        fee_schedule_id: Some("fees_v1".to_owned()),
        quote_id: None,
        failure_reason: None,
        created_at: NOW,
    }
}

fn withdrawal() -> TransactionRecord {
    TransactionRecord::new(new_record(
        RecordKind::Withdrawal,
        TransactionStatus::Submitted,
    ))
    .expect("valid")
}

fn statuses(record: &TransactionRecord) -> Vec<&'static str> {
    record
        .timeline()
        .events()
        .iter()
        .map(|event| event.status.code())
        .collect()
}

#[test]
fn a_withdrawal_goes_submitted_reviewing_processing_completed() {
    let mut record = withdrawal();
    record
        .advance(TransactionStatus::Reviewing, NOW + 1, None)
        .expect("to review");
    record
        .advance(
            TransactionStatus::Processing,
            NOW + 60,
            Some("approved by finance"),
        )
        .expect("approved");
    record
        .add_note(NOW + 70, "payout attempt 1 failed: bank_timeout; retrying")
        .expect("noted");
    record
        .advance(TransactionStatus::Completed, NOW + 130, None)
        .expect("paid out");
    assert_eq!(
        statuses(&record),
        vec![
            "submitted",
            "reviewing",
            "processing",
            "processing",
            "completed"
        ]
    );
    assert_eq!(record.status(), TransactionStatus::Completed);
    assert_eq!(
        record.timeline().events()[2].note.as_deref(),
        Some("approved by finance")
    );
}

#[test]
fn a_rejected_or_failed_withdrawal_keeps_its_reason_code() {
    let mut rejected = withdrawal();
    rejected
        .advance(TransactionStatus::Reviewing, NOW + 1, None)
        .expect("to review");
    assert_eq!(
        rejected.advance(TransactionStatus::Rejected, NOW + 2, None),
        Err(TimelineError::ReasonRequired(TransactionStatus::Rejected))
    );
    rejected
        .end_unsuccessfully(
            TransactionStatus::Rejected,
            reason("withdrawal_rejected"),
            NOW + 2,
            Some("账户名与银行卡不符 / the name does not match the account"),
        )
        .expect("rejected");
    assert_eq!(rejected.failure_reason, Some(reason("withdrawal_rejected")));
    let mut failed = withdrawal();
    failed
        .advance(TransactionStatus::Reviewing, NOW, None)
        .expect("ok");
    failed
        .advance(TransactionStatus::Processing, NOW, None)
        .expect("ok");
    failed
        .end_unsuccessfully(
            TransactionStatus::Failed,
            reason("bank_account_closed"),
            NOW,
            None,
        )
        .expect("failed");
    assert!(failed.status().is_final());
    assert_eq!(
        failed.end_unsuccessfully(TransactionStatus::Completed, reason("x"), NOW, None),
        Err(TimelineError::ReasonNotAllowed)
    );
}

#[test]
fn steps_outside_the_state_machine_are_refused() {
    use TransactionStatus::*;
    let cases = [
        (vec![], Completed),
        (vec![], Processing),
        (vec![Reviewing], Completed),
        (vec![Reviewing, Processing], Reviewing),
        (vec![Reviewing, Processing, Completed], Processing),
    ];
    for (path, next) in cases {
        let mut record = withdrawal();
        for step in &path {
            record.advance(*step, NOW, None).expect("a valid path");
        }
        let from = record.status();
        assert_eq!(
            record.advance(next, NOW, None),
            Err(TimelineError::InvalidTransition { from, to: next }),
            "{path:?} then {next}"
        );
    }
}

#[test]
fn records_start_only_where_their_kind_may() {
    use TransactionStatus::*;
    let starts = |kind, status| TransactionRecord::new(new_record(kind, status)).is_ok();
    assert!(starts(RecordKind::Withdrawal, Submitted));
    assert!(!starts(RecordKind::Withdrawal, Processing));
    assert!(starts(RecordKind::TopUp, Processing));
    assert!(starts(RecordKind::Transfer, Completed));
    assert!(!starts(RecordKind::TopUp, Reviewing));
    // A top-up refused by the card is a record too, and must say why.
    assert_eq!(
        TransactionRecord::new(new_record(RecordKind::TopUp, Failed)),
        Err(RecordError::Timeline(TimelineError::ReasonRequired(Failed)))
    );
    let declined = TransactionRecord::new(NewRecord {
        failure_reason: Some(reason("card_declined")),
        ..new_record(RecordKind::TopUp, Failed)
    })
    .expect("a failed top-up with its reason");
    assert_eq!(declined.status(), Failed);
    assert_eq!(
        TransactionRecord::new(NewRecord {
            failure_reason: Some(reason("card_declined")),
            ..new_record(RecordKind::TopUp, Completed)
        }),
        Err(RecordError::Timeline(TimelineError::ReasonNotAllowed))
    );
}

#[test]
fn a_record_needs_a_transaction_id_and_a_user_id() {
    let with = |id: &str, user_id: &str| {
        TransactionRecord::new(NewRecord {
            id: id.to_owned(),
            user_id: user_id.to_owned(),
            ..new_record(RecordKind::Transfer, TransactionStatus::Completed)
        })
    };
    assert!(with("txn_0192abc", "usr_a").is_ok());
    assert_eq!(with("txn-1", "usr_a"), Err(RecordError::IdInvalid));
    assert_eq!(with("", "usr_a"), Err(RecordError::IdInvalid));
    assert_eq!(with("txn_1", "alice"), Err(RecordError::IdInvalid));
    assert_eq!(with("txn_1", "usr_a:CNY"), Err(RecordError::IdInvalid));
}

#[test]
fn timeline_times_never_go_backwards_and_the_timeline_is_bounded() {
    let mut record = withdrawal();
    record
        .advance(TransactionStatus::Reviewing, NOW - 5, None)
        .expect("ok");
    assert_eq!(record.timeline().events()[1].at, NOW);
    while record.add_note(NOW, "retry").is_ok() {}
    assert_eq!(
        record.timeline().events().len(),
        record::TIMELINE_EVENTS_MAX
    );
    assert_eq!(record.add_note(NOW, "one more"), Err(TimelineError::Full));
    assert_eq!(
        withdrawal().add_note(NOW, &"长".repeat(501)),
        Err(TimelineError::NoteTooLong)
    );
}

#[test]
fn a_stored_timeline_is_checked_step_by_step() {
    let mut record = withdrawal();
    record
        .advance(TransactionStatus::Reviewing, NOW + 1, None)
        .expect("ok");
    record
        .add_note(NOW + 2, "waiting for documents")
        .expect("ok");
    let events = record.timeline().events().to_vec();
    let stored = TransactionRecord::from_stored(
        new_record(RecordKind::Withdrawal, TransactionStatus::Submitted),
        events.clone(),
    )
    .expect("valid");
    assert_eq!(stored.timeline(), record.timeline());
    let mut broken = events;
    broken.push(TimelineEvent {
        status: TransactionStatus::Completed,
        at: NOW + 3,
        note: None,
    });
    assert!(matches!(
        TransactionRecord::from_stored(
            new_record(RecordKind::Withdrawal, TransactionStatus::Submitted),
            broken
        ),
        Err(RecordError::Timeline(
            TimelineError::InvalidTransition { .. }
        ))
    ));
    assert_eq!(
        Timeline::from_stored(RecordKind::Withdrawal, Vec::new()),
        Err(TimelineError::Empty)
    );
}

#[test]
fn notes_and_reason_codes_are_checked() {
    assert_eq!(
        parse_user_note("  晚饭 AA  "),
        Ok(Some("晚饭 AA".to_owned()))
    );
    assert_eq!(parse_user_note("   "), Ok(None));
    assert_eq!(
        parse_user_note(&"字".repeat(201)),
        Err(RecordError::NoteInvalid)
    );
    assert_eq!(parse_user_note("a\u{0}b"), Err(RecordError::NoteInvalid));
    assert!(ReasonCode::parse("card_declined").is_ok());
    for junk in ["", "Card", "card-declined", &"a".repeat(65)] {
        assert!(ReasonCode::parse(junk).is_err(), "{junk}");
    }
    for kind in RecordKind::ALL {
        assert_eq!(RecordKind::parse(kind.code()), Some(*kind));
    }
    for status in TransactionStatus::ALL {
        assert_eq!(TransactionStatus::parse(status.code()), Some(*status));
    }
    for category in Category::ALL {
        assert_eq!(Category::parse(category.code()), Some(*category));
    }
}

fn transitions() -> impl Strategy<Value = Vec<TransactionStatus>> {
    prop::collection::vec(prop::sample::select(TransactionStatus::ALL), 0..12)
}

proptest! {
    #[test]
    fn any_sequence_of_steps_keeps_the_timeline_on_the_state_machine(steps in transitions()) {
        let mut record = withdrawal();
        for step in steps {
            let before = record.status();
            let result = if step.needs_reason() {
                record.end_unsuccessfully(step, reason("some_reason"), NOW, None)
            } else {
                record.advance(step, NOW, None)
            };
            prop_assert_eq!(result.is_ok(), before.may_move_to(step));
            if before.is_final() {
                prop_assert_eq!(record.status(), before);
            }
        }
        let events = record.timeline().events();
        prop_assert_eq!(events[0].status, TransactionStatus::Submitted);
        for pair in events.windows(2) {
            prop_assert!(pair[0].status.may_move_to(pair[1].status));
        }
        prop_assert_eq!(record.failure_reason.is_some(), record.status().needs_reason());
    }
}

fn filter(input: FilterInput<'_>) -> Result<TransactionFilter, FilterError> {
    TransactionFilter::parse(input, NOW, UtcOffset::CHINA)
}

fn range_text(filter: &TransactionFilter) -> (String, String) {
    (
        rfc3339_utc(filter.from.expect("from")),
        rfc3339_utc(filter.to.expect("to")),
    )
}

#[test]
fn presets_are_whole_local_days_and_months() {
    let cases = [
        // Beijing's 14 January.
        ("yesterday", "2027-01-13T16:00:00Z", "2027-01-14T16:00:00Z"),
        // 9 to 15 January in Beijing, today included.
        (
            "last_7_days",
            "2027-01-08T16:00:00Z",
            "2027-01-15T16:00:00Z",
        ),
        // December 2026 in Beijing.
        ("last_month", "2026-11-30T16:00:00Z", "2026-12-31T16:00:00Z"),
    ];
    for (preset, from, to) in cases {
        let parsed = filter(FilterInput {
            preset: Some(preset),
            ..FilterInput::default()
        })
        .expect("valid preset");
        assert_eq!(
            range_text(&parsed),
            (from.to_owned(), to.to_owned()),
            "{preset}"
        );
    }
    let in_utc = TransactionFilter::parse(
        FilterInput {
            preset: Some("yesterday"),
            ..FilterInput::default()
        },
        NOW,
        UtcOffset::UTC,
    )
    .expect("valid");
    assert_eq!(
        range_text(&in_utc),
        (
            "2027-01-14T00:00:00Z".to_owned(),
            "2027-01-15T00:00:00Z".to_owned()
        )
    );
}

#[test]
fn custom_ranges_take_times_or_whole_local_dates() {
    let dates = filter(FilterInput {
        from: Some("2027-01-01"),
        to: Some("2027-01-10"),
        ..FilterInput::default()
    })
    .expect("valid");
    assert_eq!(
        range_text(&dates),
        (
            "2026-12-31T16:00:00Z".to_owned(),
            "2027-01-10T16:00:00Z".to_owned()
        )
    );
    let times = filter(FilterInput {
        from: Some("2027-01-01T00:00:00Z"),
        to: Some("2027-01-02T12:00:00+08:00"),
        ..FilterInput::default()
    })
    .expect("valid");
    assert_eq!(
        range_text(&times),
        (
            "2027-01-01T00:00:00Z".to_owned(),
            "2027-01-02T04:00:00Z".to_owned()
        )
    );
    let open = filter(FilterInput {
        from: Some("2027-01-01"),
        to: Some(""),
        ..FilterInput::default()
    })
    .expect("an empty parameter is absent");
    assert_eq!(open.to, None);
}

#[test]
fn bad_filters_name_the_parameter_at_fault() {
    let cases: [(FilterInput<'_>, &str); 9] = [
        (
            FilterInput {
                preset: Some("last_year"),
                ..FilterInput::default()
            },
            "preset",
        ),
        (
            FilterInput {
                preset: Some("yesterday"),
                from: Some("2027-01-01"),
                ..FilterInput::default()
            },
            "preset",
        ),
        (
            FilterInput {
                from: Some("01/02/2027"),
                ..FilterInput::default()
            },
            "from",
        ),
        (
            FilterInput {
                from: Some("2027-02-01"),
                to: Some("2027-01-01"),
                ..FilterInput::default()
            },
            "to",
        ),
        (
            FilterInput {
                kind: Some("payment"),
                ..FilterInput::default()
            },
            "type",
        ),
        (
            FilterInput {
                status: Some("done"),
                ..FilterInput::default()
            },
            "status",
        ),
        (
            FilterInput {
                currency: Some("cny"),
                ..FilterInput::default()
            },
            "currency",
        ),
        (
            FilterInput {
                amount_min: Some("10.50"),
                ..FilterInput::default()
            },
            "amount_min",
        ),
        (
            FilterInput {
                amount_min: Some("500"),
                amount_max: Some("100"),
                ..FilterInput::default()
            },
            "amount_max",
        ),
    ];
    for (input, param) in cases {
        let refused = filter(input).expect_err("refused");
        assert_eq!(
            (refused.param, refused.code()),
            (param, "filter_invalid"),
            "{refused}"
        );
    }
}

#[test]
fn a_filter_matches_on_every_field_it_sets() {
    let record = withdrawal();
    let matches = |input: FilterInput<'_>| filter(input).expect("valid").matches(&record);
    assert!(matches(FilterInput::default()));
    assert!(matches(FilterInput {
        kind: Some("withdrawal"),
        ..FilterInput::default()
    }));
    assert!(!matches(FilterInput {
        kind: Some("transfer"),
        ..FilterInput::default()
    }));
    assert!(matches(FilterInput {
        status: Some("submitted"),
        ..FilterInput::default()
    }));
    assert!(!matches(FilterInput {
        currency: Some("USD"),
        ..FilterInput::default()
    }));
    assert!(matches(FilterInput {
        counterparty: Some("ba_1"),
        ..FilterInput::default()
    }));
    assert!(matches(FilterInput {
        counterparty: Some("招商"),
        ..FilterInput::default()
    }));
    assert!(!matches(FilterInput {
        counterparty: Some("工商"),
        ..FilterInput::default()
    }));
    assert!(matches(FilterInput {
        amount_min: Some("10000"),
        amount_max: Some("10000"),
        ..FilterInput::default()
    }));
    assert!(!matches(FilterInput {
        amount_min: Some("10001"),
        ..FilterInput::default()
    }));
    // Created at 16:00 on 15 January in Beijing: today, so in the last 7 days, not yesterday.
    assert!(matches(FilterInput {
        preset: Some("last_7_days"),
        ..FilterInput::default()
    }));
    assert!(!matches(FilterInput {
        preset: Some("yesterday"),
        ..FilterInput::default()
    }));
    assert!(matches(FilterInput {
        from: Some("2027-01-15"),
        to: Some("2027-01-15"),
        ..FilterInput::default()
    }));
}

/// A minimal RFC 4180 reader, to check rows parse back into the fields written.
fn parse_csv_row(row: &str) -> Vec<String> {
    let row = row.strip_suffix("\r\n").expect("rows end with CRLF");
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = row.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (false, '"') if field.is_empty() => quoted = true,
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (false, ',') => fields.push(std::mem::take(&mut field)),
            (_, c) => field.push(c),
        }
    }
    fields.push(field);
    fields
}

#[test]
fn a_csv_row_has_decimal_amounts_utc_times_and_quoted_text() {
    let mut record = TransactionRecord::new(NewRecord {
        note: Some("房租, \"一月\"".to_owned()),
        ..new_record(RecordKind::Withdrawal, TransactionStatus::Submitted)
    })
    .expect("valid");
    record
        .advance(TransactionStatus::Reviewing, NOW, None)
        .expect("ok");
    let row = csv_row(&record);
    assert_eq!(
        row,
        "txn_1,2027-01-15T08:00:00Z,withdrawal,out,reviewing,100.00,1.10,CNY,98.90,CNY,\
         招商银行 •••• 6789,\"房租, \"\"一月\"\"\",withdrawals,,fees_v1\r\n"
    );
    assert_eq!(parse_csv_row(&row).len(), CSV_COLUMNS.len());
    assert_eq!(parse_csv_row(&csv_header()), CSV_COLUMNS);
    assert_eq!(CSV_BOM.as_bytes(), [0xef, 0xbb, 0xbf]);
}

#[test]
fn csv_text_that_looks_like_a_formula_is_neutralised_and_yen_has_no_decimals() {
    let record = TransactionRecord::new(NewRecord {
        note: Some("=HYPERLINK(\"http://x\")".to_owned()),
        currency: Currency::Jpy,
        amount: Amount::from_minor(1_500),
        fee: Amount::from_minor(2),
        arrived: None,
        counterparty: Some(Counterparty {
            id: "usr_b".to_owned(),
            label: "@b***@example.com".to_owned(),
        }),
        ..new_record(RecordKind::Transfer, TransactionStatus::Completed)
    })
    .expect("valid");
    let fields = parse_csv_row(&csv_row(&record));
    assert_eq!(fields[5], "1500");
    assert_eq!(fields[6], "2");
    assert_eq!(fields[8], "");
    assert_eq!(fields[10], "'@b***@example.com");
    assert_eq!(fields[11], "'=HYPERLINK(\"http://x\")");
}

proptest! {
    #[test]
    fn any_note_survives_a_csv_round_trip(note in "[^\\x00-\\x1f\\x7f]{0,60}") {
        let Ok(note) = parse_user_note(&note) else { return Ok(()); };
        let record = TransactionRecord::new(NewRecord {
            note: note.clone(),
            ..new_record(RecordKind::Transfer, TransactionStatus::Completed)
        })
        .expect("valid");
        let fields = parse_csv_row(&csv_row(&record));
        prop_assert_eq!(fields.len(), CSV_COLUMNS.len());
        let written = note.unwrap_or_default();
        let expected = if written.starts_with(['=', '+', '-', '@']) {
            format!("'{written}")
        } else {
            written
        };
        prop_assert_eq!(&fields[11], &expected);
    }
}

#[test]
fn spending_totals_group_completed_outflows_by_local_month_currency_and_category() {
    let at = |text: &str| parse_rfc3339(text).expect("valid");
    let record = |kind, direction, status, amount, fee, created_at| {
        let failure_reason = (status == TransactionStatus::Failed).then(|| reason("card_declined"));
        TransactionRecord::new(NewRecord {
            kind,
            direction,
            status,
            amount: Amount::from_minor(amount),
            fee: Amount::from_minor(fee),
            failure_reason,
            created_at,
            ..new_record(kind, status)
        })
        .expect("valid")
    };
    use TransactionStatus::{Completed, Failed};
    let records = [
        // 31 January 20:00 UTC is 1 February in Beijing.
        record(
            RecordKind::Transfer,
            Direction::Out,
            Completed,
            10_000,
            10,
            at("2027-01-31T20:00:00Z"),
        ),
        record(
            RecordKind::Transfer,
            Direction::Out,
            Completed,
            5_000,
            5,
            at("2027-02-03T00:00:00Z"),
        ),
        record(
            RecordKind::Transfer,
            Direction::In,
            Completed,
            7_000,
            0,
            at("2027-02-03T00:00:00Z"),
        ),
        record(
            RecordKind::Exchange,
            Direction::Internal,
            Completed,
            100_000,
            500,
            at("2027-02-04T00:00:00Z"),
        ),
        record(
            RecordKind::TopUp,
            Direction::In,
            Failed,
            1_000,
            0,
            at("2027-02-04T00:00:00Z"),
        ),
    ];
    let mut totals = SpendingTotals::default();
    for record in &records {
        totals.add(record, UtcOffset::CHINA);
    }
    let february = crate::calendar::CivilDate::new(2027, 2, 1).expect("real");
    let listed: Vec<_> = totals.totals().collect();
    assert_eq!(
        listed,
        vec![
            (
                (february, Currency::Cny, Category::Transfers),
                Amount::from_minor(15_015)
            ),
            (
                (february, Currency::Cny, Category::Exchange),
                Amount::from_minor(500)
            ),
        ]
    );
}

#[test]
fn a_statement_covers_one_local_calendar_month() {
    let (from, to) = statement_range(2027, 2, UtcOffset::CHINA).expect("real month");
    assert_eq!(rfc3339_utc(from), "2027-01-31T16:00:00Z");
    assert_eq!(rfc3339_utc(to), "2027-02-28T16:00:00Z");
    assert_eq!(statement_range(2027, 13, UtcOffset::CHINA), None);
}
