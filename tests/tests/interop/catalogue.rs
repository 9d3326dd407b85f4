//! The catalogue every peer serves (tests/interop/README.md), here as the generated servers'
//! traits implemented in Rust, and the values the clients expect from it.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use codegen_tests::interop::{
    inventory_soap, inventory_soap12, stock_soap_encoded, AccessDenied, Auth, Item, LookupItem,
    LookupItemResponse, Quota, StockLevel, UnknownSku,
};
use soap_runtime::envelope::Fault;
use soap_runtime::server::{Request, Response, ServerResult, SoapServer};
use soap_runtime::{DateTime, Decimal, SoapVersion};

/// The user and token LookupItem's Auth header must carry.
pub const USER: &str = "alice";
/// The token of [`USER`].
pub const TOKEN: &str = "s3cret";

/// The item stocked as `sku`, with the quantity of one warehouse or all, as LookupItem
/// answers it.
pub fn item(sku: &str, quantity: i32) -> Item {
    let (name, price, tags, restocked): (&str, &str, &[&str], _) = match sku {
        "BOLT-M4" => (
            "Bolts & nuts <M4>, ½ kg",
            "0.35",
            &["metal", "bulk"],
            Some("2024-05-01T12:00:00Z"),
        ),
        "GEAR-20" => ("Gear, 20 teeth", "12.50", &[], None),
        other => panic!("{other} is not in the catalogue"),
    };
    Item {
        sku: sku.to_owned(),
        name: name.to_owned(),
        quantity,
        price: Decimal::new(price).expect("a decimal"),
        level: level(quantity),
        tag: tags.iter().map(|&t| t.to_owned()).collect(),
        restocked: restocked.map(|t| DateTime::new(t).expect("a dateTime")),
    }
}

/// The stock level of a quantity.
pub fn level(quantity: i32) -> StockLevel {
    match quantity {
        0 => StockLevel::OutOfStock,
        1..=9 => StockLevel::Low,
        _ => StockLevel::InStock,
    }
}

/// The fault for an SKU that is not stocked: a suggestion for one that looks like a bolt.
pub fn unknown_sku(sku: &str) -> UnknownSku {
    UnknownSku {
        sku: sku.to_owned(),
        suggestion: sku.starts_with("BOLT").then(|| "BOLT-M4".to_owned()),
    }
}

/// One request the Rust server answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// `binding.operation`.
    pub operation: String,
    /// The envelope's version.
    pub version: SoapVersion,
    /// The action the request named (SOAPAction, or the `action` parameter in SOAP 1.2).
    pub action: Option<String>,
}

/// Why LookupItem or AdjustStock did not answer, before it is written as a binding's fault.
enum Refusal {
    UnknownSku(UnknownSku),
    AccessDenied(AccessDenied),
    Other(String),
}

/// The catalogue, served by every binding at once (they share the stock, as gSOAP's does).
#[derive(Debug)]
pub struct Catalogue {
    /// The north and south warehouses' counts, by SKU; AdjustStock changes the north one.
    stock: Mutex<BTreeMap<&'static str, (i32, i32)>>,
    quota: Mutex<i32>,
    seen: Mutex<Vec<Seen>>,
}

impl Default for Catalogue {
    fn default() -> Self {
        Self {
            stock: Mutex::new(BTreeMap::from([("BOLT-M4", (120, 5)), ("GEAR-20", (0, 0))])),
            quota: Mutex::new(100),
            seen: Mutex::new(Vec::new()),
        }
    }
}

/// The name the Rust server gives in the Quota header.
pub const SERVED_BY: &str = "wsdl2rust";

impl Catalogue {
    /// The requests answered so far, in order.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn note<O: soap_runtime::Operation>(&self, request: &Request<O>) {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Seen {
                operation: format!("{}.{}", O::INFO.binding, O::INFO.name),
                version: request.version,
                action: request.context.soap_action.clone(),
            });
    }

    fn lookup(
        &self,
        input: &LookupItem,
        auth: Option<&Auth>,
    ) -> Result<(LookupItemResponse, Quota), Refusal> {
        let auth = auth.ok_or_else(|| denied("", "no Auth header"))?;
        if (auth.user.as_str(), auth.token.as_str()) != (USER, TOKEN) {
            return Err(denied(&auth.user, "bad token"));
        }
        let stock = self.stock.lock().unwrap_or_else(PoisonError::into_inner);
        let &(north, south) = stock
            .get(input.sku.as_str())
            .ok_or_else(|| Refusal::UnknownSku(unknown_sku(&input.sku)))?;
        let quantity = match input.warehouse.as_deref() {
            None => north + south,
            Some("north") => north,
            Some("south") => south,
            Some(_) => return Err(Refusal::Other("unknown warehouse".to_owned())),
        };
        let mut quota = self.quota.lock().unwrap_or_else(PoisonError::into_inner);
        *quota -= 1;
        let response = LookupItemResponse {
            item: item(&input.sku, quantity),
        };
        let quota = Quota {
            remaining: *quota,
            served_by: SERVED_BY.to_owned(),
        };
        Ok((response, quota))
    }

    fn adjust(&self, sku: &str, delta: i32) -> Result<(i32, StockLevel), Refusal> {
        let mut stock = self.stock.lock().unwrap_or_else(PoisonError::into_inner);
        let (north, south) = stock
            .get_mut(sku)
            .ok_or_else(|| Refusal::UnknownSku(unknown_sku(sku)))?;
        if *north + delta < 0 {
            return Err(Refusal::Other("not enough stock".to_owned()));
        }
        *north += delta;
        let quantity = *north + *south;
        Ok((quantity, level(quantity)))
    }
}

fn denied(user: &str, reason: &str) -> Refusal {
    Refusal::AccessDenied(AccessDenied {
        user: user.to_owned(),
        reason: reason.to_owned(),
    })
}

/// The SOAP Fault for a refusal, with its detail typed as the binding's fault `F` when it is
/// one of the operation's.
fn fault<F>(
    refusal: Refusal,
    unknown: impl Fn(UnknownSku) -> F,
    denied: Option<fn(AccessDenied) -> F>,
) -> Fault<F> {
    match refusal {
        Refusal::UnknownSku(detail) => Fault::client("unknown SKU").with_detail(unknown(detail)),
        Refusal::AccessDenied(detail) => {
            let fault = Fault::client("access denied");
            match denied {
                Some(denied) => fault.with_detail(denied(detail)),
                None => fault,
            }
        }
        Refusal::Other(reason) => Fault::client(reason),
    }
}

/// The server side of both bindings of InventoryPort, whose types differ only by module.
macro_rules! inventory_server {
    ($module:ident, $service:ident) => {
        impl $module::$service for Catalogue {
            async fn lookup_item(
                &self,
                request: Request<$module::LookupItem>,
            ) -> ServerResult<$module::LookupItem> {
                use $module::LookupItemFault as F;
                self.note(&request);
                match self.lookup(&request.body, request.headers.auth.as_ref()) {
                    Ok((body, quota)) => Ok(Response::with_headers(
                        body,
                        $module::LookupItemOutputHeaders { quota: Some(quota) },
                    )),
                    Err(refusal) => Err(fault(refusal, F::UnknownSku, Some(F::AccessDenied))),
                }
            }

            async fn adjust_stock(
                &self,
                request: Request<$module::AdjustStock>,
            ) -> ServerResult<$module::AdjustStock> {
                self.note(&request);
                match self.adjust(&request.body.sku, request.body.delta) {
                    Ok((quantity, level)) => Ok(Response::new($module::AdjustStockOutput {
                        quantity,
                        level,
                    })),
                    Err(refusal) => {
                        Err(fault(refusal, $module::AdjustStockFault::UnknownSku, None))
                    }
                }
            }
        }
    };
}

inventory_server!(inventory_soap, InventorySoap);
inventory_server!(inventory_soap12, InventorySoap12);

impl stock_soap_encoded::StockSoapEncoded for Catalogue {
    async fn adjust_stock(
        &self,
        request: Request<stock_soap_encoded::AdjustStock>,
    ) -> ServerResult<stock_soap_encoded::AdjustStock> {
        self.note(&request);
        // Encoded parts may be left out (or nil): both are required here.
        let (Some(sku), Some(delta)) = (request.body.sku.as_deref(), request.body.delta) else {
            return Err(Fault::client("AdjustStock needs a sku and a delta"));
        };
        match self.adjust(sku, delta) {
            Ok((quantity, level)) => Ok(Response::new(stock_soap_encoded::AdjustStockOutput {
                quantity: Some(quantity),
                level: Some(level),
            })),
            Err(refusal) => Err(fault(
                refusal,
                stock_soap_encoded::AdjustStockFault::UnknownSku,
                None,
            )),
        }
    }
}

/// The generated servers of the three bindings, on loopback ports of their own, sharing one
/// catalogue; they stop when this is dropped.
pub struct RustServers {
    /// The catalogue they serve, and what it was asked.
    pub catalogue: Arc<Catalogue>,
    /// The SOAP 1.1, SOAP 1.2 and rpc/encoded endpoints.
    pub urls: [String; 3],
    _stop: tokio::sync::watch::Sender<()>,
}

impl RustServers {
    /// Starts the three servers on the current tokio runtime.
    pub async fn start() -> Self {
        let catalogue = Arc::new(Catalogue::default());
        let (stop, stopped) = tokio::sync::watch::channel(());
        let soap11 = inventory_soap::InventorySoapServer::from_arc(Arc::clone(&catalogue));
        let soap12 = inventory_soap12::InventorySoap12Server::from_arc(Arc::clone(&catalogue));
        let encoded = stock_soap_encoded::StockSoapEncodedServer::from_arc(Arc::clone(&catalogue));
        let urls = [
            serve(SoapServer::new(soap11), "inventory", stopped.clone()).await,
            serve(SoapServer::new(soap12), "inventory12", stopped.clone()).await,
            serve(SoapServer::new(encoded), "stock", stopped).await,
        ];
        Self {
            catalogue,
            urls,
            _stop: stop,
        }
    }
}

/// Serves `server` on a free loopback port until `stop` changes or closes; returns its URL.
async fn serve<D: soap_runtime::server::Dispatch>(
    server: SoapServer<D>,
    path: &str,
    mut stop: tokio::sync::watch::Receiver<()>,
) -> String {
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("a loopback port");
    let address = listener.local_addr().expect("bound");
    tokio::spawn(server.serve_with_shutdown(listener, async move {
        let _ = stop.changed().await;
    }));
    format!("http://{address}/{path}")
}
