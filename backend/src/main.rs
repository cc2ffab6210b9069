use portal_backend::{config, push, router, seed::DEMO_ACCOUNTS, AppState};
use std::{net::SocketAddr, process::ExitCode};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();

    let options = match config::parse(std::env::args().skip(1), |name| std::env::var(name).ok()) {
        Ok(config::Command::Run(options)) => options,
        Ok(config::Command::Help) => {
            print!("{}", config::USAGE);
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };

    let static_dir = options.settings.static_dir.clone();
    let state = match AppState::open(options.settings, &options.db_path) {
        Ok(state) => state,
        Err(e) => {
            eprintln!("cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let listener = match tokio::net::TcpListener::bind(options.addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("cannot listen on {}: {e}", options.addr);
            return ExitCode::FAILURE;
        }
    };
    let addr = listener.local_addr().unwrap_or(options.addr);

    println!("Patient portal backend listening on http://{addr}/");
    println!("  database:   {}", options.db_path.display());
    if static_dir.join("index.html").is_file() {
        println!("  app:        {}", static_dir.display());
    } else {
        println!(
            "  app:        not built ({} has no index.html); the API works",
            static_dir.display()
        );
    }
    println!("Demo accounts (added when missing):");
    for account in DEMO_ACCOUNTS {
        println!(
            "  {:<20} {:<16} {}",
            account.email,
            account.password,
            account.role.as_str()
        );
    }

    // Dose reminders pushed to devices while the app is closed; ends with the process.
    let _dose_pushes = push::spawn_dose_pushes(state.clone());
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    if let Err(e) = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
    {
        eprintln!("server error: {e}");
        return ExitCode::FAILURE;
    }
    println!("Stopped.");
    ExitCode::SUCCESS
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
    println!("Shutting down…");
}
