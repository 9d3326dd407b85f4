//! How vendors plug in: each vendor module names itself with a type implementing [`Vendor`],
//! and the one list in `lib.rs`, [`vendors!`](crate::vendors), makes it known to `sendsms`
//! (which reads each vendor's settings from its command line and environment), and to the
//! simulator (which serves each vendor's simulated API on every listener). Nothing else lists
//! the vendors.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use crate::core::{Message, QueryError, SmsGateway};

/// A future that is `Send`, boxed: what a vendor's extra queries return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A setting a vendor's client or messages take: a command-line option of `sendsms`, and an
/// environment variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Setting {
    /// The option's name, without dashes (`api-id`).
    pub name: &'static str,
    /// The environment variable that gives it when the option is not given.
    pub env: Option<&'static str>,
    /// What it is, for `--help`.
    pub help: &'static str,
    /// The placeholder for its value in `--help`.
    pub value_name: &'static str,
    /// Whether the value is a secret (never shown, not even from the environment).
    pub secret: bool,
    /// Whether it is an option of a message (`send` only) rather than of the client.
    pub per_message: bool,
}

impl Setting {
    /// A client setting.
    pub const fn new(name: &'static str, help: &'static str, value_name: &'static str) -> Self {
        Self {
            name,
            env: None,
            help,
            value_name,
            secret: false,
            per_message: false,
        }
    }

    /// The same setting, also read from `env`.
    pub const fn env(mut self, env: &'static str) -> Self {
        self.env = Some(env);
        self
    }

    /// The same setting, a secret.
    pub const fn secret(mut self) -> Self {
        self.secret = true;
        self
    }

    /// The same setting, for messages.
    pub const fn per_message(mut self) -> Self {
        self.per_message = true;
        self
    }
}

/// An account query of a vendor's own, besides the credit (a `sendsms` command).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Query {
    /// The command's name (`reply-to`).
    pub name: &'static str,
    /// What it shows, for `--help`.
    pub help: &'static str,
}

impl Query {
    /// A query named `name`.
    pub const fn new(name: &'static str, help: &'static str) -> Self {
        Self { name, help }
    }
}

/// What `sendsms` was given: the endpoints and timeout every vendor takes, and the values of
/// the vendors' own settings, by name.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    primary: Option<String>,
    secondary: Option<String>,
    timeout: Option<Duration>,
    values: BTreeMap<String, String>,
}

/// A setting that is missing or wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SettingsError {
    /// A required setting was not given.
    #[error("no {name}: pass --{name}{}", env.map(|e| format!(" or set {e}")).unwrap_or_default())]
    Missing {
        /// The setting.
        name: &'static str,
        /// Its environment variable.
        env: Option<&'static str>,
    },
    /// A setting's value is not valid.
    #[error("--{name}: {reason}")]
    Invalid {
        /// The setting.
        name: &'static str,
        /// Why.
        reason: String,
    },
}

impl Settings {
    /// No settings.
    pub fn new() -> Self {
        Self::default()
    }

    /// The primary endpoint given, if any (`--primary`).
    pub fn primary(mut self, url: impl Into<String>) -> Self {
        self.primary = Some(url.into());
        self
    }

    /// The secondary endpoint given, if any (`--secondary`).
    pub fn secondary(mut self, url: impl Into<String>) -> Self {
        self.secondary = Some(url.into());
        self
    }

    /// How long each request may take (`--timeout`).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// A vendor setting's value.
    pub fn set(mut self, name: &str, value: impl Into<String>) -> Self {
        self.values.insert(name.to_owned(), value.into());
        self
    }

    /// The value of setting `name`, if given.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// The value of `setting`, which is required.
    pub fn require(&self, setting: &Setting) -> Result<&str, SettingsError> {
        self.get(setting.name).ok_or(SettingsError::Missing {
            name: setting.name,
            env: setting.env,
        })
    }

    /// `--timeout` for a whole call, and a third of it to connect (so that failing over from
    /// a server that takes no connection leaves time for the next); `None` when no timeout
    /// was given, for the client's own defaults (30 s and 10 s).
    pub fn timeouts(&self) -> Option<(Duration, Duration)> {
        self.timeout.map(|timeout| (timeout, timeout / 3))
    }

    /// A SOAP client builder over [`endpoints`](Self::endpoints)`(defaults)` with
    /// [`timeouts`](Self::timeouts): what a vendor's client built on
    /// [`SoapClient`](soap_runtime::client::SoapClient) starts from.
    pub fn soap_client(&self, defaults: Vec<String>) -> soap_runtime::client::ClientBuilder {
        let builder =
            soap_runtime::client::SoapClient::builder().endpoints(self.endpoints(defaults));
        match self.timeouts() {
            Some((timeout, connect)) => builder.timeout(timeout).connect_timeout(connect),
            None => builder,
        }
    }

    /// The endpoints to use: `--primary` then `--secondary`. Without either, `defaults` (a
    /// WSDL's ports). With `--primary` alone there is no secondary: falling back from a server
    /// of one's choosing to the vendor's would send to a gateway nobody asked for.
    pub fn endpoints(&self, defaults: Vec<String>) -> Vec<String> {
        match (&self.primary, &self.secondary) {
            (None, None) => defaults,
            (Some(primary), secondary) => std::iter::once(primary.clone())
                .chain(secondary.clone())
                .collect(),
            (None, Some(secondary)) => defaults
                .into_iter()
                .take(1)
                .chain([secondary.clone()])
                .collect(),
        }
    }
}

/// A vendor as `sendsms` and the simulator know it.
pub trait Vendor: 'static {
    /// Its name, for `--vendor` (`csoft`).
    const NAME: &'static str;
    /// Its name for people (`Connection Software`).
    const TITLE: &'static str;
    /// Its client.
    type Gateway: SmsGateway;
    /// Its simulated gateway, served by every simulator listener.
    #[cfg(feature = "simulator")]
    type Simulated: crate::simulated::SimulatedVendor;

    /// The settings its client and messages take.
    fn settings() -> &'static [Setting];

    /// Its client, from what `sendsms` was given.
    fn client(settings: &Settings) -> Result<Self::Gateway, SettingsError>;

    /// Its message: the shared one, with what its message settings say.
    fn message(
        message: Message,
        settings: &Settings,
    ) -> Result<<Self::Gateway as SmsGateway>::Message, SettingsError>;

    /// Its account queries besides the credit.
    fn queries() -> &'static [Query] {
        &[]
    }

    /// Runs query `name` of [`Vendor::queries`]: the lines to print.
    fn query<'a>(
        gateway: &'a Self::Gateway,
        name: &str,
    ) -> BoxFuture<'a, Result<Vec<String>, QueryError>> {
        let _ = gateway;
        let error = QueryError::NotOffered(format!("{} has no query {name}", Self::TITLE));
        Box::pin(async move { Err(error) })
    }
}

/// Code that works with any vendor: what [`vendors`](crate::vendors) calls with the vendor a
/// name stands for.
pub trait Visitor {
    /// What the code gives back.
    type Output;
    /// Runs for vendor `V`.
    fn visit<V: Vendor>(self) -> Self::Output;
}

/// Declares the vendor modules, and makes each known to `sendsms` and the simulator: the one
/// list of vendors. Each entry is `module::Type`, where `Type` implements [`Vendor`].
#[macro_export]
#[doc(hidden)]
macro_rules! vendors {
    ($($module:ident :: $vendor:ident),* $(,)?) => {
        $(pub mod $module;)*

        /// The vendors, as `sendsms --vendor` names them.
        pub mod vendors {
            use $crate::registry::{Vendor, Visitor};

            /// Every vendor's name, in the list's order.
            pub const NAMES: &[&str] = &[$(<super::$module::$vendor as Vendor>::NAME),*];

            /// Runs `visitor` for the vendor named `name`; `None` if there is none.
            pub fn visit<V: Visitor>(name: &str, visitor: V) -> Option<V::Output> {
                $(
                    if name == <super::$module::$vendor as Vendor>::NAME {
                        return Some(visitor.visit::<super::$module::$vendor>());
                    }
                )*
                None
            }

            /// Runs `visitor` for every vendor, in the list's order.
            pub fn each<V: Visitor + Clone>(visitor: V) -> Vec<V::Output> {
                vec![$(visitor.clone().visit::<super::$module::$vendor>()),*]
            }
        }

        #[cfg(feature = "simulator")]
        $crate::simulated_vendors!($($module :: $vendor),*);
    };
}

/// The simulator's half of [`vendors!`](crate::vendors): each vendor's simulated gateway in one
/// configuration and one set of running gateways, in the list's order.
#[macro_export]
#[doc(hidden)]
macro_rules! simulated_vendors {
    ($($module:ident :: $vendor:ident),*) => {
        /// The simulated gateways of every vendor, as the simulator serves them.
        pub mod simulated_gateways {
            use std::sync::Arc;

            use $crate::registry::Vendor;
            use $crate::simulated::{Listener, ReceiptsTo, SimulatedVendor};

            /// A simulator's configuration: each vendor's part, under its module's name (in
            /// JSON too, where every member may be left out).
            #[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
            #[serde(default, deny_unknown_fields)]
            #[non_exhaustive]
            pub struct SimulatorConfig {
                $(
                    #[doc = concat!("The `", stringify!($module), "` gateway's configuration.")]
                    pub $module: <<super::$module::$vendor as Vendor>::Simulated as SimulatedVendor>::Config,
                )*
            }

            impl SimulatorConfig {
                /// The demo accounts of every vendor (`sendsms simulate`).
                pub fn demo() -> Self {
                    Self {
                        $($module: <<super::$module::$vendor as Vendor>::Simulated as SimulatedVendor>::demo(),)*
                    }
                }

                /// Makes every account of every vendor that has delivery receipts post them
                /// to `to`; whether any vendor has them.
                pub fn post_receipts(&mut self, to: &ReceiptsTo) -> bool {
                    let mut any = false;
                    $(
                        any |= <<super::$module::$vendor as Vendor>::Simulated as SimulatedVendor>::post_receipts(&mut self.$module, to);
                    )*
                    any
                }

                /// What `sendsms simulate` prints about every vendor, served on `listeners`.
                pub fn describe(
                    &self,
                    listeners: &[std::net::SocketAddr],
                    out: &mut dyn std::io::Write,
                ) -> std::io::Result<()> {
                    $(
                        <<super::$module::$vendor as Vendor>::Simulated as SimulatedVendor>::describe(&self.$module, listeners, out)?;
                    )*
                    Ok(())
                }
            }

            /// Every vendor's simulated gateway, shared by a simulator's listeners.
            #[derive(Debug)]
            pub struct Gateways {
                $($module: Arc<<super::$module::$vendor as Vendor>::Simulated>,)*
            }

            impl Gateways {
                pub(crate) fn new(config: SimulatorConfig) -> Self {
                    Self {
                        $($module: Arc::new(SimulatedVendor::new(config.$module)),)*
                    }
                }

                /// The routes of every vendor on `listener`.
                pub(crate) fn routes(&self, listener: &Listener) -> axum::Router {
                    axum::Router::new()
                        $(.merge(SimulatedVendor::routes(&self.$module, listener)))*
                }

                $(
                    #[doc = concat!("The `", stringify!($module), "` gateway: its state, what it received.")]
                    pub fn $module(&self) -> &<super::$module::$vendor as Vendor>::Simulated {
                        &self.$module
                    }
                )*
            }
        }
    };
}
