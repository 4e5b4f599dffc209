use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use super::*;
use crate::checks::CheckResult;
use crate::test_fixtures::profile;

#[tokio::test]
async fn never_more_than_jobs_in_flight_and_every_item_done() {
    for jobs in [1, 2, 5] {
        let in_flight = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        let done = bounded((0..20).collect(), jobs, |i: u32| {
            let (in_flight, most) = (&in_flight, &most);
            async move {
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                // Give the others every chance to start meanwhile.
                for _ in 0..(i % 3 + 1) {
                    tokio::task::yield_now().await;
                }
                in_flight.fetch_sub(1, Ordering::SeqCst);
                i
            }
        })
        .await;
        let mut sorted = done.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..20).collect::<Vec<_>>(), "jobs={jobs}");
        assert_eq!(most.load(Ordering::SeqCst), jobs, "jobs={jobs}");
    }
}

#[tokio::test]
async fn zero_jobs_still_checks_one_at_a_time() {
    let done = bounded(vec![1, 2, 3], 0, |i| async move { i }).await;
    assert_eq!(done, [1, 2, 3]);
}

fn result(id: &str, status: Status) -> CheckResult {
    CheckResult {
        id: id.into(),
        title: format!("Check {id}"),
        status,
        detail: "found".into(),
        fix: Some("do this".into()),
        details: None,
        setting: None,
        millis: 1,
    }
}

fn outcome(name: &str, statuses: &[Status]) -> Outcome {
    let results: Vec<CheckResult> = statuses
        .iter()
        .enumerate()
        .map(|(i, s)| result(&i.to_string(), *s))
        .collect();
    let report = Report::new(&profile(name), results, SystemTime::UNIX_EPOCH);
    Outcome {
        name: name.into(),
        profile: Some(profile(name)),
        verdict: Verdict::of(&report.results),
        report: Some(report),
        problem: None,
        millis: 5,
    }
}

#[test]
fn the_verdict_is_the_worst_status() {
    use Status::*;
    assert_eq!(Verdict::of(&[]), Verdict::Passed);
    assert_eq!(
        Verdict::of(&[result("a", Pass), result("b", Skip)]),
        Verdict::Passed
    );
    assert_eq!(
        Verdict::of(&[result("a", Warn), result("b", Pass)]),
        Verdict::Warnings
    );
    assert_eq!(
        Verdict::of(&[result("a", Warn), result("b", Fail)]),
        Verdict::Failed
    );
}

#[test]
fn outcomes_are_sorted_worst_first_then_by_failures_then_name() {
    use Status::*;
    let mut outcomes = vec![
        outcome("b-ok", &[Pass]),
        outcome("warned", &[Warn, Pass]),
        outcome("a-ok", &[Pass]),
        outcome("one-failure", &[Fail, Skip]),
        could_not_run(
            "no-secret".into(),
            None,
            UserError::new(ErrorKind::SecretNotFound, "m", "f"),
            0,
        ),
        outcome("two-failures", &[Pass, Fail, Fail]),
    ];
    worst_first(&mut outcomes);
    let names: Vec<&str> = outcomes.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "two-failures",
            "one-failure",
            "no-secret",
            "warned",
            "a-ok",
            "b-ok"
        ]
    );
}

#[tokio::test]
async fn a_connection_that_cannot_open_could_not_run_and_is_reported_as_it_ends() {
    let members = vec![
        Member {
            name: "torn".into(),
            profile: Err(UserError::new(
                ErrorKind::ProfileStorage,
                "unreadable",
                "fix",
            )),
        },
        Member {
            name: "no-secret".into(),
            profile: Ok(profile("no-secret")),
        },
    ];
    let open = |_: Profile| -> Result<Connection, UserError> {
        Err(UserError::new(
            ErrorKind::SecretNotFound,
            "No secret is saved for this connection.",
            "Save it again with its secret.",
        ))
    };
    let seen = Mutex::new(vec![]);
    let on_done = |o: &Outcome| seen.lock().unwrap().push(o.name.clone());
    let outcomes = run(members, 2, &open, &CancellationToken::new(), &on_done).await;
    assert_eq!(seen.lock().unwrap().len(), 2);
    for o in &outcomes {
        assert_eq!(o.verdict, Verdict::CouldNotRun, "{}", o.name);
        assert!(o.report.is_none() && o.problem.is_some());
    }
    let no_secret = outcomes.iter().find(|o| o.name == "no-secret").unwrap();
    assert_eq!(
        no_secret.profile.as_ref().map(|p| p.name.as_str()),
        Some("no-secret"),
        "the row still names the connection's tenant and product"
    );
}

#[test]
fn selection_by_all_names_and_tags() {
    let dir = tempfile::tempdir().unwrap();
    let store = ProfileStore::at(dir.path());
    let names =
        |members: Vec<Member>| -> Vec<String> { members.into_iter().map(|m| m.name).collect() };
    assert_eq!(
        select(&store, &Selection::All).unwrap_err().kind,
        ErrorKind::ProfileNotFound,
        "nothing saved, nothing to check"
    );
    let mut retail = profile("contoso");
    retail.tags = vec!["Retail".into()];
    store.save(&retail).unwrap();
    store.save(&profile("fabrikam")).unwrap();
    std::fs::write(dir.path().join("torn.json"), "{").unwrap();

    let all = select(&store, &Selection::All).unwrap();
    assert_eq!(names(all.clone()), ["contoso", "fabrikam", "torn"]);
    assert!(all[2].profile.is_err(), "an unreadable file is a member");

    let named = Selection::Named(vec!["fabrikam".into(), "contoso".into()]);
    assert_eq!(
        names(select(&store, &named).unwrap()),
        ["fabrikam", "contoso"]
    );
    let unknown = Selection::Named(vec!["contoso".into(), "nobody".into()]);
    assert!(select(&store, &unknown)
        .unwrap_err()
        .message
        .contains("nobody"));

    let tagged = Selection::Tagged(vec!["retail".into()]);
    assert_eq!(names(select(&store, &tagged).unwrap()), ["contoso"]);
    let untagged = select(&store, &Selection::Tagged(vec!["us".into()])).unwrap_err();
    assert!(untagged.message.contains("'us'"), "{}", untagged.message);
}
