//! The durable job queue against a real database (SQLite, or PostgreSQL
//! when `CONVENE_TEST_DATABASE_URL` is set).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, Utc};
use convene_app::jobs::{
    BackgroundJob, JobContext, JobError, Outcome, Registry, Worker, WorkerConfig, enqueue,
    take_back_from_dead_workers,
};
use convene_app::mail::OutboxMailer;
use convene_app::{Services, SiteInfo};
use convene_domain::{Clock, ManualClock, RandomTokens, SystemClock};
use convene_store::testing::TestDb;
use convene_store::{Db, DbOptions, jobs};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

/// What probe jobs did, by test tag: (job number, worker, start, end).
type Log = Vec<(u32, String, Instant, Instant)>;

fn log() -> &'static Mutex<HashMap<String, Log>> {
    static LOG: OnceLock<Mutex<HashMap<String, Log>>> = OnceLock::new();
    LOG.get_or_init(Default::default)
}

/// A job that records when it ran, and fails on purpose when told to.
#[derive(Debug, Serialize, Deserialize)]
struct Probe {
    tag: String,
    n: u32,
    fail: Option<String>,
    key: Option<String>,
}

impl BackgroundJob for Probe {
    const KIND: &'static str = "test_probe";
    const MAX_ATTEMPTS: i64 = 3;

    fn idempotency_key(&self) -> Option<String> {
        self.key.clone()
    }

    async fn run(self, ctx: JobContext) -> Result<(), JobError> {
        let start = Instant::now();
        tokio::time::sleep(std::time::Duration::from_millis(3)).await;
        let worker = ctx.services.site.name.clone();
        log()
            .lock()
            .unwrap()
            .entry(self.tag.clone())
            .or_default()
            .push((self.n, worker, start, Instant::now()));
        match self.fail.as_deref() {
            Some("retry") => Err(JobError::Retry("the relay said try later".into())),
            Some("permanent") => Err(JobError::Permanent("no such mailbox".into())),
            _ => Ok(()),
        }
    }
}

fn services(db: Db, clock: Arc<dyn Clock>, name: &str) -> Services {
    Services {
        db,
        clock,
        tokens: Arc::new(RandomTokens),
        site: Arc::new(SiteInfo {
            name: name.into(),
            base_url: "http://convene.test/".parse().unwrap(),
            mail_from: "hub@convene.test".into(),
        }),
        media: Arc::new(convene_app::media::FsMediaStore::new(
            std::env::temp_dir().join("convene-test-media"),
        )),
    }
}

fn worker(svc: Services, name: &str) -> Worker {
    let ctx = JobContext {
        services: svc,
        mailer: Arc::new(OutboxMailer::new(
            std::env::temp_dir().join("convene-unused-outbox"),
        )),
        fetcher: std::sync::Arc::new(convene_app::net::Fetcher::new(
            convene_app::net::FetchPolicy {
                allow_private: true,
                ..Default::default()
            },
        )),
    };
    Worker::new(
        ctx,
        Registry::standard().register::<Probe>(),
        WorkerConfig {
            name: name.into(),
            ..WorkerConfig::default()
        },
    )
}

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-26T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn probe(tag: &str, n: u32) -> Probe {
    Probe {
        tag: tag.into(),
        n,
        fail: None,
        key: None,
    }
}

async fn state_of(db: &Db, id: i64) -> (String, i64, Option<String>) {
    let mut conn = db.conn().await.unwrap();
    let j = jobs::by_id(conn.ex(), id).await.unwrap().unwrap();
    (j.state, j.attempts, j.last_error)
}

#[tokio::test]
async fn a_job_is_queued_only_if_its_transaction_commits() {
    let t = TestDb::new().await.unwrap();
    let clock = ManualClock::new(start());
    let svc = services(t.db.clone(), Arc::new(clock.clone()), "w");
    let mut tx = svc.db.begin().await.unwrap();
    enqueue(&mut tx, &svc, &probe("rollback", 1)).await.unwrap();
    drop(tx); // rolled back
    let mut tx = svc.db.begin().await.unwrap();
    let id = enqueue(&mut tx, &svc, &probe("rollback", 2))
        .await
        .unwrap()
        .unwrap();
    tx.commit().await.unwrap();
    let ran = worker(svc.clone(), "w").drain().await.unwrap();
    assert_eq!(ran, vec![(id, Outcome::Done)]);
    let log = log().lock().unwrap();
    assert_eq!(
        log["rollback"].iter().map(|e| e.0).collect::<Vec<_>>(),
        vec![2]
    );
}

#[tokio::test]
async fn the_same_idempotency_key_is_enqueued_once() {
    let t = TestDb::new().await.unwrap();
    let svc = services(t.db.clone(), Arc::new(ManualClock::new(start())), "w");
    let job = Probe {
        key: Some("welcome:42".into()),
        ..probe("idem", 1)
    };
    let mut tx = svc.db.begin().await.unwrap();
    let first = enqueue(&mut tx, &svc, &job).await.unwrap();
    let second = enqueue(&mut tx, &svc, &job).await.unwrap();
    tx.commit().await.unwrap();
    assert!(first.is_some());
    assert_eq!(second, None);
    assert_eq!(worker(svc, "w").drain().await.unwrap().len(), 1);
}

#[tokio::test]
async fn failures_back_off_then_die_and_a_coordinator_can_retry() {
    let t = TestDb::new().await.unwrap();
    let clock = ManualClock::new(start());
    let svc = services(t.db.clone(), Arc::new(clock.clone()), "w");
    let mut tx = svc.db.begin().await.unwrap();
    let id = enqueue(
        &mut tx,
        &svc,
        &Probe {
            fail: Some("retry".into()),
            ..probe("backoff", 1)
        },
    )
    .await
    .unwrap()
    .unwrap();
    tx.commit().await.unwrap();
    let w = worker(svc.clone(), "w");

    assert_eq!(w.drain().await.unwrap(), vec![(id, Outcome::Retrying)]);
    // Not due again before the backoff (at least 30 s) has passed.
    clock.advance(Duration::seconds(29));
    assert!(w.drain().await.unwrap().is_empty());
    clock.advance(Duration::seconds(20)); // 49 s: past 30 s + up to 15 s of jitter
    assert_eq!(w.drain().await.unwrap(), vec![(id, Outcome::Retrying)]);
    clock.advance(Duration::seconds(95)); // second pause: 60 s + up to 30 s
    assert_eq!(w.drain().await.unwrap(), vec![(id, Outcome::Dead)]);
    let (state, attempts, error) = state_of(&svc.db, id).await;
    assert_eq!((state.as_str(), attempts), ("dead", 3));
    assert_eq!(error.as_deref(), Some("the relay said try later"));
    clock.advance(Duration::days(1));
    assert!(w.drain().await.unwrap().is_empty(), "a dead job stays dead");

    let mut tx = svc.db.begin().await.unwrap();
    assert!(jobs::retry_dead(tx.ex(), id, clock.now()).await.unwrap());
    tx.commit().await.unwrap();
    assert_eq!(state_of(&svc.db, id).await.0, "queued");
    assert_eq!(w.drain().await.unwrap(), vec![(id, Outcome::Retrying)]);
}

#[tokio::test]
async fn a_permanent_failure_goes_straight_to_dead() {
    let t = TestDb::new().await.unwrap();
    let svc = services(t.db.clone(), Arc::new(ManualClock::new(start())), "w");
    let mut tx = svc.db.begin().await.unwrap();
    let id = enqueue(
        &mut tx,
        &svc,
        &Probe {
            fail: Some("permanent".into()),
            ..probe("perm", 1)
        },
    )
    .await
    .unwrap()
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        worker(svc.clone(), "w").drain().await.unwrap(),
        vec![(id, Outcome::Dead)]
    );
    assert_eq!(state_of(&svc.db, id).await.1, 1);
}

#[tokio::test]
async fn a_dead_workers_lease_expires_and_another_worker_runs_the_job() {
    let t = TestDb::new().await.unwrap();
    let clock = ManualClock::new(start());
    let svc = services(t.db.clone(), Arc::new(clock.clone()), "w");
    let mut tx = svc.db.begin().await.unwrap();
    let id = enqueue(&mut tx, &svc, &probe("lease", 1))
        .await
        .unwrap()
        .unwrap();
    tx.commit().await.unwrap();

    // A worker claims the job and then dies without finishing it.
    let now = clock.now();
    let claimed = jobs::claim(&svc.db, now, now + Duration::minutes(5), "crashed-worker")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(claimed.id, id);
    let w = worker(svc.clone(), "survivor");
    assert!(w.drain().await.unwrap().is_empty(), "the lease still holds");

    clock.advance(Duration::minutes(6));
    assert_eq!(w.drain().await.unwrap(), vec![(id, Outcome::Done)]);
    // The dead worker's late report cannot overwrite the newer attempt.
    let mut tx = svc.db.begin().await.unwrap();
    assert!(
        !jobs::complete(tx.ex(), id, "crashed-worker", clock.now())
            .await
            .unwrap()
    );
    assert!(
        !jobs::fail(
            tx.ex(),
            id,
            "crashed-worker",
            "late",
            clock.now(),
            true,
            clock.now()
        )
        .await
        .unwrap()
    );
    tx.commit().await.unwrap();
    assert_eq!(state_of(&svc.db, id).await.0, "done");
}

#[tokio::test]
async fn a_job_whose_workers_keep_dying_ends_dead_not_looping() {
    let t = TestDb::new().await.unwrap();
    let clock = ManualClock::new(start());
    let svc = services(t.db.clone(), Arc::new(clock.clone()), "w");
    let mut tx = svc.db.begin().await.unwrap();
    let id = enqueue(&mut tx, &svc, &probe("crashloop", 1))
        .await
        .unwrap()
        .unwrap();
    tx.commit().await.unwrap();
    for attempt in 1..=3 {
        let now = clock.now();
        let c = jobs::claim(
            &svc.db,
            now,
            now + Duration::minutes(5),
            &format!("crash-{attempt}"),
        )
        .await
        .unwrap();
        assert_eq!(c.map(|c| c.attempts), Some(attempt));
        clock.advance(Duration::minutes(6));
    }
    assert!(worker(svc.clone(), "w").drain().await.unwrap().is_empty());
    let (state, _, error) = state_of(&svc.db, id).await;
    assert_eq!(state, "dead");
    assert!(error.unwrap().contains("lease expired"));
}

/// Two workers, each with its own connection pool as two `convene serve`
/// processes would have, drain one queue: every job runs, none twice at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_workers_share_the_queue_without_running_a_job_twice_at_once() {
    let t = TestDb::new().await.unwrap();
    let second_pool = match (&t.postgres, &t.dir) {
        (Some((url, schema)), _) => TestDb::open_schema(url, schema).await.unwrap(),
        (None, Some(dir)) => Db::open_sqlite(&dir.path().join("convene.db"), &DbOptions::default())
            .await
            .unwrap(),
        _ => unreachable!(),
    };
    let a = services(t.db.clone(), Arc::new(SystemClock), "worker-a");
    let b = services(second_pool, Arc::new(SystemClock), "worker-b");
    const N: u32 = 200;
    let mut tx = a.db.begin().await.unwrap();
    for n in 0..N {
        enqueue(&mut tx, &a, &probe("pair", n)).await.unwrap();
    }
    tx.commit().await.unwrap();

    let (wa, wb) = (worker(a.clone(), "worker-a"), worker(b.clone(), "worker-b"));
    let (ra, rb) = tokio::join!(
        tokio::spawn(async move { wa.drain().await.unwrap() }),
        tokio::spawn(async move { wb.drain().await.unwrap() })
    );
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert!(ra.iter().chain(rb.iter()).all(|(_, o)| *o == Outcome::Done));
    assert_eq!(
        ra.len() + rb.len(),
        N as usize,
        "each job claimed exactly once"
    );
    assert!(
        !ra.is_empty() && !rb.is_empty(),
        "both workers took part: {} and {}",
        ra.len(),
        rb.len()
    );

    let runs = log().lock().unwrap()["pair"].clone();
    let mut by_job: HashMap<u32, Vec<(Instant, Instant)>> = HashMap::new();
    for (n, _, s, e) in &runs {
        by_job.entry(*n).or_default().push((*s, *e));
    }
    assert_eq!(by_job.len(), N as usize, "every job ran");
    for (n, spans) in &by_job {
        for (i, x) in spans.iter().enumerate() {
            for y in &spans[i + 1..] {
                assert!(
                    x.1 <= y.0 || y.1 <= x.0,
                    "job {n} ran twice at the same time"
                );
            }
        }
    }
    let mut conn = a.db.conn().await.unwrap();
    let counts = jobs::count_by_state(conn.ex()).await.unwrap();
    assert_eq!(counts, vec![("done".to_owned(), N as i64)]);
}

#[tokio::test]
async fn jobs_of_a_dead_process_on_this_host_are_taken_back_at_start_up() {
    let t = TestDb::new().await.unwrap();
    let clock = ManualClock::new(start());
    let svc = services(t.db.clone(), Arc::new(clock.clone()), "w");
    let me = std::process::id();
    // Four jobs leased for five minutes: by a dead process of this host,
    // by a live one, by an earlier process with this process's pid, and
    // by a host whose name only starts with ours.
    let leases = [
        format!("web-999999-0:{}", "a".repeat(8)),
        "web-4242-1:b".to_owned(),
        format!("web-{me}-0:c"),
        "web-2-4242-0:d".to_owned(),
    ];
    let mut ids = Vec::new();
    for (n, lease) in leases.iter().enumerate() {
        let mut tx = svc.db.begin().await.unwrap();
        enqueue(&mut tx, &svc, &probe("takeback", n as u32))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let claimed = jobs::claim(&svc.db, start(), start() + Duration::minutes(5), lease)
            .await
            .unwrap()
            .unwrap();
        ids.push(claimed.id);
    }
    let alive = |pid: u32| pid == 4242 || pid == 2;
    let taken = take_back_from_dead_workers(&svc, "web", alive)
        .await
        .unwrap();
    assert_eq!(taken, 2);
    clock.advance(Duration::seconds(1));
    let ran = worker(svc.clone(), "w").drain().await.unwrap();
    assert_eq!(
        ran,
        vec![(ids[0], Outcome::Done), (ids[2], Outcome::Done)],
        "only the dead processes' jobs run now"
    );
    for id in [ids[1], ids[3]] {
        assert_eq!(state_of(&svc.db, id).await.0, "running", "still leased");
    }
}
