//! Sockets under axum: a listener that can be closed and reopened on the same port while the
//! server keeps running, and connections that the simulator can cut at will.
//!
//! axum's handlers cannot close their connection, so every accepted stream is wrapped: once its
//! [`Conn`] is killed, reads and writes fail, hyper gives the connection up, and dropping the
//! socket closes it without a byte of response.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use axum::extract::connect_info::Connected;
use axum::serve::IncomingStream;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot, Notify};

use super::Counters;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // The guarded data (wakers, weak references) is valid whatever a panicking holder did.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The kill switch of one connection.
#[derive(Debug, Default)]
pub(crate) struct Conn {
    killed: AtomicBool,
    /// Wakes handlers that wait on [`Conn::killed`].
    notify: Notify,
    /// The tasks blocked reading or writing the socket, woken on kill so that an idle
    /// keep-alive connection closes at once instead of at its next request.
    wakers: Mutex<[Option<Waker>; 2]>,
}

const READ: usize = 0;
const WRITE: usize = 1;

impl Conn {
    pub(crate) fn is_killed(&self) -> bool {
        self.killed.load(Ordering::Acquire)
    }

    /// Makes every later read and write of the connection fail.
    pub(crate) fn kill(&self) {
        self.killed.store(true, Ordering::Release);
        self.notify.notify_waiters();
        let wakers = std::mem::take(&mut *lock(&self.wakers));
        for waker in wakers.into_iter().flatten() {
            waker.wake();
        }
    }

    /// Resolves once the connection has been killed.
    pub(crate) async fn killed(&self) {
        loop {
            let notified = self.notify.notified();
            tokio::pin!(notified);
            // Registered before the check, so a kill between the two is not missed.
            notified.as_mut().enable();
            if self.is_killed() {
                return;
            }
            notified.await;
        }
    }

    /// Remembers the waker of a pending read or write; `false` when already killed.
    fn register(&self, slot: usize, waker: &Waker) -> bool {
        {
            let mut wakers = lock(&self.wakers);
            match &wakers[slot] {
                Some(known) if known.will_wake(waker) => {}
                _ => wakers[slot] = Some(waker.clone()),
            }
        }
        !self.is_killed()
    }
}

fn killed_error() -> io::Error {
    io::Error::new(
        io::ErrorKind::ConnectionAborted,
        "connection cut by the simulator",
    )
}

/// A TCP connection the simulator can cut.
#[derive(Debug)]
pub(crate) struct SimStream {
    inner: TcpStream,
    conn: Arc<Conn>,
}

impl AsyncRead for SimStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if !self.conn.register(READ, cx.waker()) {
            return Poll::Ready(Err(killed_error()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for SimStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if !self.conn.register(WRITE, cx.waker()) {
            return Poll::Ready(Err(killed_error()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if !self.conn.register(WRITE, cx.waker()) {
            return Poll::Ready(Err(killed_error()));
        }
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.conn.is_killed() {
            return Poll::Ready(Err(killed_error()));
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// What a handler learns about its connection.
#[derive(Debug, Clone)]
pub(crate) struct ConnInfo {
    pub(crate) conn: Arc<Conn>,
}

impl Connected<IncomingStream<'_, SimListener>> for ConnInfo {
    fn connect_info(stream: IncomingStream<'_, SimListener>) -> Self {
        Self {
            conn: Arc::clone(&stream.io().conn),
        }
    }
}

/// The open connections of one listener.
#[derive(Debug, Default)]
pub(crate) struct Registry {
    inner: Mutex<RegistryInner>,
}

#[derive(Debug, Default)]
struct RegistryInner {
    /// Set at shutdown: a connection accepted afterwards is cut at once.
    closed: bool,
    conns: Vec<Weak<Conn>>,
}

impl Registry {
    fn register(&self) -> Arc<Conn> {
        let conn = Arc::new(Conn::default());
        let mut inner = lock(&self.inner);
        if inner.closed {
            conn.kill();
        }
        inner.conns.retain(|c| c.strong_count() > 0);
        inner.conns.push(Arc::downgrade(&conn));
        conn
    }

    /// Cuts every open connection.
    pub(crate) fn kill_all(&self) {
        let conns = std::mem::take(&mut lock(&self.inner).conns);
        for conn in conns.iter().filter_map(Weak::upgrade) {
            conn.kill();
        }
    }

    /// Cuts every open connection, and every connection accepted from now on.
    pub(crate) fn close(&self) {
        lock(&self.inner).closed = true;
        self.kill_all();
    }
}

/// What the controlling handle asks of the accept loop.
#[derive(Debug)]
pub(crate) enum Command {
    /// Close the listening socket and cut the open connections, then acknowledge.
    Close(oneshot::Sender<()>),
    /// Listen on this socket (bound by the caller, so that it sees bind errors), then
    /// acknowledge.
    Open(TcpListener, oneshot::Sender<()>),
}

/// The listener axum serves: a TCP listener that may be closed for a while.
#[derive(Debug)]
pub(crate) struct SimListener {
    listener: Option<TcpListener>,
    local_addr: SocketAddr,
    commands: mpsc::UnboundedReceiver<Command>,
    commands_closed: bool,
    registry: Arc<Registry>,
    counters: Arc<Counters>,
}

impl SimListener {
    pub(crate) fn new(
        listener: TcpListener,
        local_addr: SocketAddr,
        commands: mpsc::UnboundedReceiver<Command>,
        registry: Arc<Registry>,
        counters: Arc<Counters>,
    ) -> Self {
        Self {
            listener: Some(listener),
            local_addr,
            commands,
            commands_closed: false,
            registry,
            counters,
        }
    }

    fn apply(&mut self, command: Option<Command>) {
        match command {
            Some(Command::Close(ack)) => {
                // Dropping the socket is what makes the kernel refuse new connections.
                self.listener = None;
                self.registry.kill_all();
                tracing::info!(server = %self.local_addr, "simulator stopped accepting connections");
                let _ = ack.send(());
            }
            Some(Command::Open(listener, ack)) => {
                self.listener = Some(listener);
                tracing::info!(server = %self.local_addr, "simulator accepting connections again");
                let _ = ack.send(());
            }
            None => self.commands_closed = true,
        }
    }

    fn wrap(&self, stream: TcpStream) -> SimStream {
        self.counters.count_connection(self.local_addr);
        SimStream {
            inner: stream,
            conn: self.registry.register(),
        }
    }
}

/// What woke the accept loop.
enum Event {
    Command(Option<Command>),
    Accepted(io::Result<(TcpStream, SocketAddr)>),
}

impl axum::serve::Listener for SimListener {
    type Io = SimStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (SimStream, SocketAddr) {
        loop {
            let Some(listener) = &self.listener else {
                if self.commands_closed {
                    // Nobody can reopen it: wait for axum's shutdown signal.
                    std::future::pending::<()>().await;
                }
                let command = self.commands.recv().await;
                self.apply(command);
                continue;
            };
            let event = tokio::select! {
                command = self.commands.recv(), if !self.commands_closed => Event::Command(command),
                accepted = listener.accept() => Event::Accepted(accepted),
            };
            match event {
                Event::Command(command) => self.apply(command),
                Event::Accepted(Ok((stream, remote))) => return (self.wrap(stream), remote),
                Event::Accepted(Err(e)) => {
                    // Errors of one connection (reset before accept) are not the listener's;
                    // others (out of file descriptors) last a while.
                    tracing::warn!(server = %self.local_addr, error = %e, "accept failed");
                    if !matches!(
                        e.kind(),
                        io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
                    ) {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.local_addr)
    }
}
