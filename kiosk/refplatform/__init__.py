"""The reference platform: a real HTTP service implementing the whole kiosk ⇄ platform contract.

It serves the demo and the tests, and shows a real platform's adapter what each operation of
`kiosk/api/openapi.yaml` means. `app.create_app` is the Flask app over SQLite (`store`),
`server` runs it (TLS optional, `tls` makes a test CA), `operator` is the back office
(accept, review, correct, approve, reject, mark paid) used by `kiosk platform` and by tests.
"""
