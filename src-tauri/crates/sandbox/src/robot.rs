//! The robot user: a headless stand-in for a person in a browser. It opens
//! an authorize or admin consent URL, signs in on the sandbox's page,
//! presses Accept or Cancel, and takes the redirect to the app's loopback
//! listener as a browser does (a GET of the `Location`, or the POST of a
//! `response_mode=form_post` page). The app's tests use it as their
//! browser; `d365-sandbox-browser` makes it a program for `BROWSER`.

mod page;

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use reqwest::header::LOCATION;
use url::Url;

use crate::world::World;
use page::Form;

/// The sign-in page's password field.
const PASSWORD_FIELD: &str = "passwd";

/// The button the person presses on the sign-in and consent page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Accept,
    /// Ticks "Consent on behalf of your organization" where the page
    /// offers it (Entra leaves it unticked; only an administrator's tick
    /// counts), then presses Accept.
    AcceptForOrganization,
    Cancel,
}

impl Choice {
    /// The `action` value of the page's buttons.
    fn action(self) -> &'static str {
        match self {
            Choice::Accept | Choice::AcceptForOrganization => "accept",
            Choice::Cancel => "cancel",
        }
    }
}

/// Who sits at the robot's keyboard. Debug output hides the password.
#[derive(Clone, PartialEq, Eq)]
pub struct Persona {
    pub login: String,
    pub password: String,
    pub choice: Choice,
}

impl Persona {
    /// The built-in demo world's user, pressing Accept.
    pub fn demo() -> Persona {
        let world = World::demo();
        let user = crate::demo(&world, &world.apps).user;
        Persona {
            login: user.as_ref().map(|u| u.upn.clone()).unwrap_or_default(),
            password: user.map(|u| u.password).unwrap_or_default(),
            choice: Choice::Accept,
        }
    }

    /// The sign-in form as this person fills it in and submits it.
    fn fill(&self, form: &Form) -> Vec<(String, String)> {
        let mut fields: Vec<(String, String)> = form
            .fields
            .iter()
            .map(|(name, value)| {
                let typed = match name.as_str() {
                    "login" => self.login.clone(),
                    PASSWORD_FIELD => self.password.clone(),
                    _ => value.clone(),
                };
                (name.clone(), typed)
            })
            .collect();
        if self.choice == Choice::AcceptForOrganization {
            // The sandbox's page has one checkbox: the organization's.
            fields.extend(form.unticked.iter().cloned());
        }
        fields.push(("action".into(), self.choice.action().into()));
        fields
    }
}

impl fmt::Debug for Persona {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Persona")
            .field("login", &self.login)
            .field("password", &"***")
            .field("choice", &self.choice)
            .finish()
    }
}

/// What happened in the browser.
#[derive(Debug)]
pub struct Visit {
    pub ending: Ending,
    /// The status of the last response.
    pub status: u16,
    /// The visible text of the last page.
    pub text: String,
}

#[derive(Debug)]
pub enum Ending {
    /// Entra sent the browser back to the app, and the app answered.
    Delivered(Delivery),
    /// Entra showed its error page and sent the browser nowhere.
    ErrorPage,
    /// The sign-in page came back with a message (unknown user, wrong
    /// password, not an administrator …).
    Refused { message: String },
}

/// The redirect the browser took to the app. Debug output hides the
/// values of `code` and `state`.
pub struct Delivery {
    /// The redirect URI, without its query.
    pub redirect_uri: String,
    pub params: BTreeMap<String, String>,
}

impl Delivery {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }
}

impl fmt::Debug for Delivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown: BTreeMap<&str, &str> = self
            .params
            .iter()
            .map(|(name, value)| match name.as_str() {
                "code" | "state" => (name.as_str(), "***"),
                _ => (name.as_str(), value.as_str()),
            })
            .collect();
        f.debug_struct("Delivery")
            .field("redirect_uri", &self.redirect_uri)
            .field("params", &shown)
            .finish()
    }
}

impl Visit {
    pub fn delivery(&self) -> Option<&Delivery> {
        match &self.ending {
            Ending::Delivered(delivery) => Some(delivery),
            _ => None,
        }
    }

    /// The browser's part worked: the app got the redirect and answered
    /// it with success, whatever Entra's answer was.
    pub fn reached_the_app(&self) -> bool {
        self.delivery().is_some() && (200..300).contains(&self.status)
    }
}

/// One line for a person, with no code or state in it.
impl fmt::Display for Visit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.ending {
            Ending::Delivered(delivery) => {
                let names: Vec<&str> = delivery.params.keys().map(String::as_str).collect();
                write!(
                    f,
                    "took the redirect to {} with {}; the app answered {}",
                    delivery.redirect_uri,
                    names.join(", "),
                    self.status
                )?;
                if let Some(error) = delivery.param("error") {
                    let description = delivery.param("error_description").unwrap_or_default();
                    let first_line = description.lines().next().unwrap_or_default();
                    write!(f, " (error {error}: {first_line})")?;
                }
                Ok(())
            }
            Ending::ErrorPage => write!(
                f,
                "Entra showed an error page ({}): {}",
                self.status, self.text
            ),
            Ending::Refused { message } => write!(f, "the sign-in page refused: {message}"),
        }
    }
}

/// The URLs in errors lose their query: it may hold a code or a state.
#[derive(Debug, thiserror::Error)]
pub enum RobotError {
    #[error("'{url}' is not a URL a browser can open")]
    BadUrl { url: String },
    #[error("could not load {url}: {cause}")]
    Unreachable { url: String, cause: String },
    #[error("the robot's HTTP client did not start: {0}")]
    Client(String),
}

/// Opens `url` as `persona` and goes wherever the pages lead, up to the
/// app's answer to the redirect.
pub async fn visit(url: &str, persona: &Persona) -> Result<Visit, RobotError> {
    let browser = Browser::new()?;
    let url = Url::parse(url).map_err(|_| RobotError::BadUrl {
        url: without_query(url),
    })?;
    let opened = browser.get(url).await?;
    let answered = match Form::find(&opened.body) {
        Some(form) if opened.location.is_none() && form.has(PASSWORD_FIELD) => {
            let action = opened.resolve(&form.action)?;
            browser.post(action, &persona.fill(&form)).await?
        }
        _ => opened,
    };
    browser.follow(answered).await
}

/// A page as fetched: where from, and what came back.
struct Loaded {
    url: Url,
    status: u16,
    location: Option<String>,
    body: String,
}

impl Loaded {
    /// A link on this page, made absolute as a browser does.
    fn resolve(&self, link: &str) -> Result<Url, RobotError> {
        self.url.join(link).map_err(|_| RobotError::BadUrl {
            url: without_query(link),
        })
    }

    fn visit(self, ending: Ending) -> Visit {
        Visit {
            ending,
            status: self.status,
            text: page::text(&self.body),
        }
    }
}

struct Browser(reqwest::Client);

impl Browser {
    fn new() -> Result<Browser, RobotError> {
        reqwest::Client::builder()
            // Redirects are taken by hand: the one to the app is what the
            // robot reports.
            .redirect(reqwest::redirect::Policy::none())
            // Everything it visits is on this computer.
            .no_proxy()
            .timeout(Duration::from_secs(30))
            .build()
            .map(Browser)
            .map_err(|e| RobotError::Client(e.to_string()))
    }

    async fn get(&self, url: Url) -> Result<Loaded, RobotError> {
        self.load(self.0.get(url.clone()), url).await
    }

    async fn post(&self, url: Url, fields: &[(String, String)]) -> Result<Loaded, RobotError> {
        self.load(self.0.post(url.clone()).form(fields), url).await
    }

    async fn load(&self, request: reqwest::RequestBuilder, url: Url) -> Result<Loaded, RobotError> {
        let unreachable = |e: reqwest::Error| RobotError::Unreachable {
            url: without_query(url.as_str()),
            cause: e.without_url().to_string(),
        };
        let response = request.send().await.map_err(unreachable)?;
        let status = response.status();
        let location = status
            .is_redirection()
            .then(|| response.headers().get(LOCATION))
            .flatten()
            .and_then(|value| value.to_str().ok())
            .map(str::to_string);
        let body = response.text().await.map_err(unreachable)?;
        Ok(Loaded {
            url,
            status: status.as_u16(),
            location,
            body,
        })
    }

    /// After the sign-in page: a redirect or a `form_post` page goes to
    /// the app; the sign-in page again means refused; anything else is
    /// Entra's error page.
    async fn follow(&self, loaded: Loaded) -> Result<Visit, RobotError> {
        if let Some(location) = &loaded.location {
            let target = loaded.resolve(location)?;
            let params = target.query_pairs().into_owned().collect();
            return Ok(delivered(self.get(target.clone()).await?, &target, params));
        }
        match Form::find(&loaded.body) {
            Some(form) if form.has(PASSWORD_FIELD) => {
                let message = page::alert(&loaded.body).unwrap_or_default();
                Ok(loaded.visit(Ending::Refused { message }))
            }
            // `response_mode=form_post`: the page submits itself on load.
            Some(form) => {
                let target = loaded.resolve(&form.action)?;
                let params = form.fields.iter().cloned().collect();
                Ok(delivered(
                    self.post(target.clone(), &form.fields).await?,
                    &target,
                    params,
                ))
            }
            None => Ok(loaded.visit(Ending::ErrorPage)),
        }
    }
}

/// The app's answer to the redirect to `target` that carried `params`.
fn delivered(answer: Loaded, target: &Url, params: BTreeMap<String, String>) -> Visit {
    answer.visit(Ending::Delivered(Delivery {
        redirect_uri: without_query(target.as_str()),
        params,
    }))
}

fn without_query(url: &str) -> String {
    url.split(['?', '#']).next().unwrap_or_default().to_string()
}
