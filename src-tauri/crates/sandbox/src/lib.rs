//! The sandbox tenant: plays Microsoft's side of the wire on 127.0.0.1 under
//! one origin (`/entra`, later `/bc`, `/fno/<env>`, `/dataverse/<org>`,
//! `/globaldisco`). It must not import d365-core: it is the other side.

mod entra;

use std::net::SocketAddr;

use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// A running sandbox. Dropping it stops the server.
pub struct SandboxHandle {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
}

impl SandboxHandle {
    /// `http://127.0.0.1:<port>`
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The Entra authority the app's custom cloud points at.
    pub fn authority(&self) -> String {
        format!("{}/entra", self.base())
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

pub struct Sandbox;

impl Sandbox {
    /// Binds loopback only (port 0 = any free port) and serves until the
    /// handle is dropped. Never binds a public interface.
    pub async fn start(port: u16) -> std::io::Result<SandboxHandle> {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let app = axum::Router::new().nest("/entra", entra::routes(format!("http://{addr}/entra")));
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            if let Err(e) = axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
            {
                eprintln!("sandbox server stopped: {e}");
            }
        });
        Ok(SandboxHandle {
            addr,
            stop: Some(stop),
        })
    }
}
