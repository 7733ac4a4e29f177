//! The browser test kit: finds chromium and chromedriver (or says why the
//! test is skipped), starts chromedriver, serves a fresh site and drives a
//! headless Chromium session on it with checks that report the page they
//! failed on. Included by the browser tests only, so the other tests do not
//! build the WebDriver client.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use crate::common::TestApp;
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const SKIP_NOTICE: &str = "skipped: browser tests need chromium and chromedriver (apt-get install chromium chromium-driver)";

/// How long a page may take to show what a step expects.
pub const PAGE_WAIT: Duration = Duration::from_secs(10);

/// How long chromedriver may take to listen on its port.
const DRIVER_WAIT: Duration = Duration::from_secs(20);

/// Serves a fresh site, opens a headless Chromium on it (JavaScript on or
/// off) and runs `flow`. The flow runs in its own task so that a failed
/// check still lets the browser session be closed before the failure is
/// passed on. Skips, with a notice, where there is no browser.
pub async fn in_browser<F, Fut>(javascript: bool, what: &str, flow: F)
where
    F: FnOnce(TestApp, SocketAddr, Browser) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let Some(programs) = find_browser() else {
        return;
    };
    let started = Instant::now();
    let (app, addr) = TestApp::served().await;
    let driver = Chromedriver::start(&programs.chromedriver);
    let client = driver.session_with(&programs.chromium, javascript).await;
    let browser = Browser {
        c: client.clone(),
        base: format!("http://{addr}"),
    };
    let flow = tokio::spawn(flow(app, addr, browser)).await;
    let _ = tokio::time::timeout(Duration::from_secs(10), client.close()).await;
    drop(driver);
    if let Err(e) = flow {
        if e.is_panic() {
            std::panic::resume_unwind(e.into_panic());
        }
        panic!("the browser flow did not finish: {e}");
    }
    eprintln!("{what} passed in {:.1?}", started.elapsed());
}

/// A browser session on the served site, with checks that report the page
/// they failed on.
pub struct Browser {
    pub c: Client,
    /// `http://127.0.0.1:port`, no trailing slash.
    pub base: String,
}

impl Browser {
    /// Opens a path on the site, or a whole URL.
    pub async fn open(&self, path_or_url: &str) {
        let url = if path_or_url.starts_with('/') {
            format!("{}{path_or_url}", self.base)
        } else {
            path_or_url.to_owned()
        };
        if let Err(e) = self.c.goto(&url).await {
            self.fail(&format!("cannot open {url}: {e}")).await;
        }
    }

    /// The page's address and visible text, for failure messages.
    pub async fn describe(&self) -> String {
        let url = match self.c.current_url().await {
            Ok(u) => u.to_string(),
            Err(e) => format!("(unknown: {e})"),
        };
        let body = match self.c.find(Locator::Css("body")).await {
            Ok(b) => b
                .text()
                .await
                .unwrap_or_else(|e| format!("(unreadable: {e})")),
            Err(e) => format!("(no body: {e})"),
        };
        let body = body
            .lines()
            .map(|l| format!("    | {l}"))
            .collect::<Vec<_>>()
            .join("\n");
        format!("page: {url}\n  text:\n{body}")
    }

    /// Fails the test, showing the current page.
    pub async fn fail(&self, what: &str) -> ! {
        let page = self.describe().await;
        panic!("{what}\n  {page}");
    }

    pub async fn find(&self, css: &str) -> Element {
        match self.c.find(Locator::Css(css)).await {
            Ok(e) => e,
            Err(e) => self.fail(&format!("no {css:?} on the page: {e}")).await,
        }
    }

    pub async fn click(&self, element: &Element, what: &str) {
        if let Err(e) = element.click().await {
            self.fail(&format!("cannot click {what}: {e}")).await;
        }
    }

    /// Types `value` into the form field with id `id`.
    pub async fn fill(&self, id: &str, value: &str) {
        let field = self.find(&format!("#{id}")).await;
        if let Err(e) = field.clear().await {
            self.fail(&format!("cannot clear #{id}: {e}")).await;
        }
        if let Err(e) = field.send_keys(value).await {
            self.fail(&format!("cannot type into #{id}: {e}")).await;
        }
    }

    /// Presses the submit button of the page's form (not the header's).
    pub async fn submit_form(&self) {
        let button = self.find("main form button[type=submit]").await;
        self.click(&button, "the form's submit button").await;
    }

    /// Signs in with a password from the sign-in page.
    pub async fn sign_in(&self, email: &str, password: &str) {
        self.open("/signin").await;
        self.fill("email", email).await;
        self.fill("password", password).await;
        self.submit_form().await;
        self.expect_page("/account", &["You are signed in."]).await;
    }

    /// Presses "Sign out" in the header and waits for the signed-out page.
    pub async fn sign_out(&self) {
        let button = self
            .find("header form[action='/signout'] button[type=submit]")
            .await;
        let label = button.text().await.unwrap_or_default();
        if label != "Sign out" {
            self.fail(&format!("the header's sign-out button reads {label:?}"))
                .await;
        }
        self.click(&button, "Sign out").await;
        self.expect_page("/signin", &["You are signed out."]).await;
    }

    /// Waits until the browser is at `path` (any path under it when it ends
    /// with `/`) and the page shows every one of `texts`.
    pub async fn expect_page(&self, path: &str, texts: &[&str]) {
        let deadline = Instant::now() + PAGE_WAIT;
        loop {
            let here = self.c.current_url().await.is_ok_and(|u| {
                if path.ends_with('/') {
                    u.path().starts_with(path)
                } else {
                    u.path() == path
                }
            });
            if here {
                let body = match self.c.find(Locator::Css("body")).await {
                    Ok(b) => b.text().await.unwrap_or_default(),
                    Err(_) => String::new(),
                };
                if texts.iter().all(|t| body.contains(t)) {
                    return;
                }
            }
            if Instant::now() > deadline {
                self.fail(&format!(
                    "expected the page {path} showing {texts:?} within {PAGE_WAIT:?}"
                ))
                .await;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// The programs the test drives.
pub struct Programs {
    pub chromedriver: PathBuf,
    pub chromium: PathBuf,
}

/// Finds chromedriver and chromium, or says the test is skipped (fails
/// instead when `CONVENE_REQUIRE_BROWSER=1`).
pub fn find_browser() -> Option<Programs> {
    let chromedriver = program(
        "CONVENE_CHROMEDRIVER",
        &["chromedriver", "/usr/bin/chromedriver"],
    );
    let chromium = program("CONVENE_CHROMIUM", &["/usr/bin/chromium"]);
    let mut missing = Vec::new();
    if chromedriver.is_none() {
        missing.push(where_to_look("CONVENE_CHROMEDRIVER", "chromedriver"));
    }
    if chromium.is_none() {
        missing.push(where_to_look("CONVENE_CHROMIUM", "/usr/bin/chromium"));
    }
    if let (Some(chromedriver), Some(chromium)) = (chromedriver, chromium) {
        return Some(Programs {
            chromedriver,
            chromium,
        });
    }
    let missing = missing.join(", ");
    if std::env::var("CONVENE_REQUIRE_BROWSER").as_deref() == Ok("1") {
        panic!(
            "{SKIP_NOTICE}; CONVENE_REQUIRE_BROWSER=1 makes this a failure (not found: {missing})"
        );
    }
    // Straight to stderr, past the test harness's output capture, so the
    // skip shows in a plain `cargo test` run too.
    let _ = writeln!(std::io::stderr(), "{SKIP_NOTICE} (not found: {missing})");
    None
}

fn where_to_look(var: &str, default: &str) -> String {
    match std::env::var_os(var).filter(|v| !v.is_empty()) {
        Some(v) => format!("{} from {var}", Path::new(&v).display()),
        None => default.to_owned(),
    }
}

/// The program named by env `var`, or else the first of `defaults` found.
fn program(var: &str, defaults: &[&str]) -> Option<PathBuf> {
    match std::env::var_os(var).filter(|v| !v.is_empty()) {
        Some(v) => executable(Path::new(&v)),
        None => defaults.iter().find_map(|d| executable(Path::new(d))),
    }
}

/// A path as given, or a bare name looked up on `PATH`.
fn executable(p: &Path) -> Option<PathBuf> {
    if p.components().count() > 1 {
        return p.is_file().then(|| p.to_path_buf());
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(p))
        .find(|c| c.is_file())
}

/// A chromedriver process, ended (with the browsers it started) when dropped,
/// also when the test panics.
pub struct Chromedriver {
    child: Child,
    port: u16,
    /// Holds chromedriver's log and the browser profile.
    dir: tempfile::TempDir,
}

impl Chromedriver {
    pub fn start(path: &Path) -> Self {
        let dir = tempfile::Builder::new()
            .prefix("convene-browser-")
            .tempdir()
            .expect("temporary directory");
        let port = free_port();
        let mut cmd = Command::new(path);
        cmd.arg(format!("--port={port}"))
            .arg(format!(
                "--log-path={}",
                dir.path().join("chromedriver.log").display()
            ))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // Its own process group, so that the browsers it starts can be ended
        // with it.
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", path.display()));
        let mut driver = Self { child, port, dir };
        driver.wait_until_listening();
        driver
    }

    fn wait_until_listening(&mut self) {
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        let deadline = Instant::now() + DRIVER_WAIT;
        loop {
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "chromedriver exited at start ({status})\n{}",
                    self.log_tail()
                );
            }
            if Instant::now() > deadline {
                panic!(
                    "chromedriver is not listening on port {} after {DRIVER_WAIT:?}\n{}",
                    self.port,
                    self.log_tail()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Starts a headless Chromium session with a fresh profile, with
    /// JavaScript turned off in its settings when `javascript` is false.
    pub async fn session_with(&self, chromium: &Path, javascript: bool) -> Client {
        let profile = self.dir.path().join("profile");
        let javascript_setting = if javascript { 1 } else { 2 };
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "prefs": {
                    "profile.managed_default_content_settings.javascript": javascript_setting,
                },
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                    "--disable-quic",
                    format!("--user-data-dir={}", profile.display()),
                ],
            },
        });
        let caps = caps.as_object().cloned().expect("capabilities object");
        let mut builder =
            ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new());
        builder
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "chromedriver could not start {}: {e}\n{}",
                    chromium.display(),
                    self.log_tail()
                )
            })
    }

    /// The end of chromedriver's log, for failure messages.
    fn log_tail(&self) -> String {
        let log =
            std::fs::read_to_string(self.dir.path().join("chromedriver.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        let tail = lines[lines.len().saturating_sub(30)..].join("\n");
        format!("chromedriver log (last lines):\n{tail}")
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        #[cfg(unix)]
        {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", self.child.id())])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nobody listens on right now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}
