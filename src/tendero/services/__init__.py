"""Services: what the faces (API, dashboard, CLI, jobs) call. One module per capability."""
